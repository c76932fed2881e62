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

    /// <summary>The mean of each scale × scale box of a grey image, rounded (partial boxes at the right and bottom edges).</summary>
    public static PixelBuffer BoxMean(PixelBuffer full, int scale, PixelMemoryPool pool)
    {
        int w = (full.Width + scale - 1) / scale, h = (full.Height + scale - 1) / scale;
        int whole = full.Width / scale;
        var reduced = new PixelBuffer(new PixelRect(0, 0, w, h), PixelFormat.Gray8, pool);
        Span<int> sums = w <= 1024 ? stackalloc int[w] : new int[w];
        for (int y = 0; y < h; y++)
        {
            sums.Clear();
            int y0 = y * scale, y1 = Math.Min(full.Height, y0 + scale);
            for (int fy = y0; fy < y1; fy++)
            {
                AddBoxRows(full.Row(fy)[..full.Width], sums, scale, whole);
            }

            Span<byte> target = reduced.Row(y);
            int boxRows = y1 - y0, count = scale * boxRows;
            for (int x = 0; x < whole; x++)
            {
                target[x] = (byte)((sums[x] + (count / 2)) / count);
            }

            if (whole < w)
            {
                int last = (full.Width - (whole * scale)) * boxRows;
                target[whole] = (byte)((sums[whole] + (last / 2)) / last);
            }
        }

        return reduced;
    }

    /// <summary>Adds one row's pixels to the sums of the boxes they fall in: <paramref name="whole"/> full boxes, then the partial one.</summary>
    private static void AddBoxRows(ReadOnlySpan<byte> row, Span<int> sums, int scale, int whole)
    {
        if (scale == 2)
        {
            // Two pixels read as one ushort: its two bytes, whichever order they are in, add up to the pair.
            ReadOnlySpan<ushort> pairs = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(row[..(2 * whole)]);
            for (int x = 0; x < whole; x++)
            {
                int pair = pairs[x];
                sums[x] += (pair & 0xFF) + (pair >> 8);
            }
        }
        else
        {
            for (int x = 0; x < whole; x++)
            {
                int sum = 0;
                foreach (byte b in row.Slice(x * scale, scale))
                {
                    sum += b;
                }

                sums[x] += sum;
            }
        }

        for (int fx = whole * scale; fx < row.Length; fx++)
        {
            sums[whole] += row[fx];
        }
    }
}
