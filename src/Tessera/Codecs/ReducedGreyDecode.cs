using Tessera.Imaging;

namespace Tessera.Codecs;

/// <summary>
/// A tile as grey at 1/scale of its size, for the passes that measure rather than render
/// (registration, gain balance): the JPEG decoder's own DCT scaling where it has it, otherwise a
/// full decode reduced by box means.
/// </summary>
internal static class ReducedGreyDecode
{
    public static PixelBuffer Decode(string path, ITileCodec codec, int scale, PixelMemoryPool pool)
    {
        if (scale == 1)
        {
            return codec.Decode(path, PixelFormat.Gray8, pool);
        }

        if (codec is IScaledDecoder scaled && scaled.TryDecodeScaled(path, PixelFormat.Gray8, scale, pool) is { } reduced)
        {
            return reduced;
        }

        using PixelBuffer full = codec.Decode(path, PixelFormat.Gray8, pool);
        return BoxMean(full, scale, pool);
    }

    /// <summary>The mean of each scale × scale box, rounded (partial boxes at the right and bottom edges).</summary>
    private static PixelBuffer BoxMean(PixelBuffer full, int scale, PixelMemoryPool pool)
    {
        int w = (full.Width + scale - 1) / scale, h = (full.Height + scale - 1) / scale;
        var reduced = new PixelBuffer(new PixelRect(0, 0, w, h), PixelFormat.Gray8, pool);
        Span<int> sums = w <= 1024 ? stackalloc int[w] : new int[w];
        for (int y = 0; y < h; y++)
        {
            sums.Clear();
            int y0 = y * scale, y1 = Math.Min(full.Height, y0 + scale);
            for (int fy = y0; fy < y1; fy++)
            {
                ReadOnlySpan<byte> row = full.Row(fy);
                for (int fx = 0; fx < full.Width; fx++)
                {
                    sums[fx / scale] += row[fx];
                }
            }

            Span<byte> target = reduced.Row(y);
            for (int x = 0; x < w; x++)
            {
                int count = (Math.Min(full.Width, (x + 1) * scale) - (x * scale)) * (y1 - y0);
                target[x] = (byte)((sums[x] + (count / 2)) / count);
            }
        }

        return reduced;
    }
}
