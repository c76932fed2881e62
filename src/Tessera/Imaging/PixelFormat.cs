namespace Tessera.Imaging;

/// <summary>
/// How pixels are laid out in memory inside the engine; the value is the bytes per pixel. Colour is
/// kept as four samples (R, G, B, opaque) so rows are aligned for SIMD and the codecs can read them
/// without conversion; grey is one. The 16-bit formats hold native-endian <see cref="ushort"/>
/// samples (little-endian on every machine .NET runs Tessera on), for 16-bit input kept at its depth
/// in the OME layouts.
/// </summary>
public enum PixelFormat
{
    Gray8 = 1,
    Gray16 = 2,
    Rgbx8888 = 4,
    Rgbx16 = 8,
}

public static class PixelFormatExtensions
{
    public static int BytesPerPixel(this PixelFormat format) => (int)format;

    public static bool IsSixteenBit(this PixelFormat format) => format is PixelFormat.Gray16 or PixelFormat.Rgbx16;

    public static bool IsGrey(this PixelFormat format) => format is PixelFormat.Gray8 or PixelFormat.Gray16;

    /// <summary>Samples per pixel in memory: 1 for grey, 4 for colour (the fourth opaque).</summary>
    public static int SamplesPerPixel(this PixelFormat format) => format.IsGrey() ? 1 : 4;

    /// <summary>The largest sample value: 255 or 65535.</summary>
    public static int MaxValue(this PixelFormat format) => format.IsSixteenBit() ? ushort.MaxValue : byte.MaxValue;

    /// <summary>The same kind of pixel (grey or colour) with 16-bit samples.</summary>
    public static PixelFormat ToSixteenBit(this PixelFormat format) => format.IsGrey() ? PixelFormat.Gray16 : PixelFormat.Rgbx16;

    /// <summary>The same kind of pixel (grey or colour) with 8-bit samples.</summary>
    public static PixelFormat ToEightBit(this PixelFormat format) => format.IsGrey() ? PixelFormat.Gray8 : PixelFormat.Rgbx8888;
}
