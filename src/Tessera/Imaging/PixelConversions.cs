namespace Tessera.Imaging;

/// <summary>Conversions between the engine's pixel formats.</summary>
public static class PixelConversions
{
    /// <summary>Sets every alpha byte of an RGBX buffer to 255 (alpha is not carried into the pyramid).</summary>
    public static void MakeOpaque(PixelBuffer buffer)
    {
        if (buffer.Format != PixelFormat.Rgbx8888)
        {
            throw new ArgumentException("Only RGBX buffers have alpha.", nameof(buffer));
        }

        for (int y = 0; y < buffer.Height; y++)
        {
            Span<byte> row = buffer.Row(y);
            for (int i = 3; i < row.Length; i += 4)
            {
                row[i] = 255;
            }
        }
    }

    /// <summary>Grey from RGBX by Rec. 601 luma, rounded.</summary>
    public static PixelBuffer ToGray(PixelBuffer rgbx, PixelMemoryPool? pool = null)
    {
        var grey = new PixelBuffer(rgbx.Bounds, PixelFormat.Gray8, pool);
        for (int y = 0; y < rgbx.Height; y++)
        {
            ReadOnlySpan<byte> src = rgbx.Row(y);
            Span<byte> dst = grey.Row(y);
            for (int x = 0; x < dst.Length; x++)
            {
                int i = x * 4;
                dst[x] = (byte)(((299 * src[i]) + (587 * src[i + 1]) + (114 * src[i + 2]) + 500) / 1000);
            }
        }

        return grey;
    }

    /// <summary>
    /// The same pixels with 16-bit samples, each v as v·257 (so 255 becomes 65535): how an 8-bit
    /// tile joins a 16-bit pyramid.
    /// </summary>
    public static PixelBuffer Widen(PixelBuffer eight, PixelMemoryPool? pool = null)
    {
        if (eight.Format.IsSixteenBit())
        {
            throw new ArgumentException("The buffer has 16-bit samples already.", nameof(eight));
        }

        var wide = new PixelBuffer(eight.Bounds, eight.Format.ToSixteenBit(), pool);
        for (int y = 0; y < eight.Height; y++)
        {
            ReadOnlySpan<byte> src = eight.Row(y)[..(eight.Width * eight.BytesPerPixel)];
            Span<ushort> dst = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(wide.Row(y));
            for (int i = 0; i < src.Length; i++)
            {
                dst[i] = (ushort)(src[i] * 257);
            }
        }

        return wide;
    }
}
