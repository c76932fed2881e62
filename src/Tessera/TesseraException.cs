namespace Tessera;

/// <summary>
/// A problem with the user's input or output that stops a build; the message names what is wrong
/// and where, and is meant to be shown to the user as it is.
/// </summary>
public class TesseraException : Exception
{
    public TesseraException(string message) : base(message) { }

    public TesseraException(string message, Exception inner) : base(message, inner) { }
}
