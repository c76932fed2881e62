namespace Tessera;

/// <summary>
/// A problem with the user's input or output that stops a build; the message names what is wrong
/// and where, and is meant to be shown to the user as it is.
/// </summary>
public class TesseraException : Exception
{
    public TesseraException(string message, params string[] properties) : base(message) => Properties = properties;

    public TesseraException(string message, Exception? inner, params string[] properties) : base(message, inner) => Properties = properties;

    /// <summary>
    /// The request properties the message names, as written there (a path from
    /// <c>Build.BuildRequest</c>, e.g. <c>Layout.Across</c>), so that a front end can show its own
    /// names for them (the CLI shows its options). The engine never names a command-line flag.
    /// </summary>
    public IReadOnlyList<string> Properties { get; }
}
