namespace Tessera.Tests.Support;

/// <summary>The checkout the tests were built from, for the files that are not code (deploy/, scripts/).</summary>
public static class Repository
{
    private static readonly Lazy<string> RootFolder = new(Find);

    public static string Root => RootFolder.Value;

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Tessera.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Tessera.sln above {AppContext.BaseDirectory}");
    }
}
