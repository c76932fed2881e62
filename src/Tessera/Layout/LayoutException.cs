namespace Tessera.Layout;

/// <summary>The input tiles cannot be arranged into a grid as asked; the message says why.</summary>
public sealed class LayoutException(string message, params string[] properties) : TesseraException(message, properties);
