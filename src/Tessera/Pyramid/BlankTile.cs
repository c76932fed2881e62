using System.Numerics;
using System.Runtime.InteropServices;
using Tessera.Imaging;

namespace Tessera.Pyramid;

/// <summary>
/// Whether a tile shows only the background: every sample within a tolerance of the background's,
/// channel by channel (as libvips <c>dzsave --skip-blanks</c>). Camera noise and JPEG make glass
/// a few levels off the background everywhere, so an exact test finds nothing blank on a real slide.
/// </summary>
internal static class BlankTile
{
    /// <summary>The most levels any channel of a blank tile may differ from the background.</summary>
    public const int MaxTolerance = 255;

    public static bool IsBlank(PixelBuffer buffer, PixelRect rect, Rgb background, int tolerance)
    {
        // Each row is compared with a row of the background: the fast exact path for 0, a vector distance otherwise.
        int rowBytes = rect.Width * buffer.BytesPerPixel;
        byte[] pattern = System.Buffers.ArrayPool<byte>.Shared.Rent(rowBytes);
        try
        {
            Span<byte> expected = pattern.AsSpan(0, rowBytes);
            background.Fill(expected, buffer.Format);
            for (int y = rect.Y; y < rect.Bottom; y++)
            {
                if (!Within(buffer.RowAt(rect.X, y, rect.Width), expected, tolerance, buffer.Format))
                {
                    return false;
                }
            }

            return true;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(pattern);
        }
    }

    /// <summary>Whether every sample of <paramref name="row"/> is within <paramref name="tolerance"/> of <paramref name="expected"/>'s.</summary>
    private static bool Within(ReadOnlySpan<byte> row, ReadOnlySpan<byte> expected, int tolerance, PixelFormat format)
    {
        if (tolerance == 0)
        {
            return row.SequenceEqual(expected);
        }

        // The fourth byte of an RGBX pixel is padding and never compared.
        Vector<byte> limit = new((byte)tolerance);
        Vector<byte> mask = format == PixelFormat.Gray8 ? Vector<byte>.AllBitsSet : new Vector<uint>(0x00FFFFFFu).As<uint, byte>();
        int i = 0;
        for (; i <= row.Length - Vector<byte>.Count; i += Vector<byte>.Count)
        {
            var a = new Vector<byte>(row[i..]);
            var b = new Vector<byte>(expected[i..]);
            if (Vector.GreaterThanAny((Vector.Max(a, b) - Vector.Min(a, b)) & mask, limit))
            {
                return false;
            }
        }

        int step = format.BytesPerPixel();
        for (; i < row.Length; i++)
        {
            bool padding = step == 4 && i % 4 == 3;
            if (!padding && Math.Abs(row[i] - expected[i]) > tolerance)
            {
                return false;
            }
        }

        return true;
    }
}
