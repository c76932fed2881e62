namespace Tessera.Imaging;

/// <summary>
/// How pixels are laid out in memory inside the engine. Colour is kept as four bytes
/// (R, G, B, 255) so rows are aligned for SIMD and the codecs can read them without conversion;
/// grey is one byte.
/// </summary>
public enum PixelFormat
{
    Gray8 = 1,
    Rgbx8888 = 4,
}

public static class PixelFormatExtensions
{
    public static int BytesPerPixel(this PixelFormat format) => (int)format;
}
