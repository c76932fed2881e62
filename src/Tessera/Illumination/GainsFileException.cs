namespace Tessera.Illumination;

/// <summary>A gains file is malformed, names other tiles, or was measured under another flat-field; the message names the file.</summary>
public sealed class GainsFileException(string message) : TesseraException(message);
