namespace Tessera.Serving;

/// <summary>What <c>tessera serve</c> serves: one pyramid (<see cref="PyramidSite"/>) or two compared (<see cref="ComparisonSite"/>).</summary>
public interface IServedSite : IDisposable
{
    /// <summary>What is served, for the line that says where.</summary>
    string Description { get; }

    /// <summary>The answer to a GET or HEAD of <paramref name="target"/>, the request target as sent (path and query).</summary>
    SiteResponse Resolve(string target);
}
