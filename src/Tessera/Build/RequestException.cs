namespace Tessera.Build;

/// <summary>
/// A build refused because of what its request asks for. The message names the
/// <see cref="BuildRequest"/> properties involved (<c>Pyramid.Overlap</c>, <c>Overwrite</c>), listed
/// in <see cref="Properties"/>, so a front end can show its own names for them instead.
/// </summary>
public sealed class RequestException : TesseraException
{
    public RequestException(string message, params string[] properties) : base(message, properties) { }

    public RequestException(string message, Exception inner, params string[] properties) : base(message, inner, properties) { }
}
