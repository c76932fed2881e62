using System.Runtime.Intrinsics;
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
    public static PixelBuffer BoxMean(PixelBuffer full, int scale, PixelMemoryPool pool) => BoxMean(full, scale, pool, int.MaxValue, int.MaxValue);

    /// <summary>
    /// <see cref="BoxMean(PixelBuffer, int, PixelMemoryPool)"/> of only the reduced image's edges:
    /// its first and last <paramref name="edgeRows"/> rows and, between them, its first and last
    /// <paramref name="edgeColumns"/> columns; the middle is left as it was (what registration's
    /// strips do not read is not computed).
    /// </summary>
    public static PixelBuffer BoxMean(PixelBuffer full, int scale, PixelMemoryPool pool, int edgeColumns, int edgeRows)
    {
        int w = (full.Width + scale - 1) / scale, h = (full.Height + scale - 1) / scale;
        var reduced = new PixelBuffer(new PixelRect(0, 0, w, h), PixelFormat.Gray8, pool);
        Span<int> sums = w <= 1024 ? stackalloc int[w] : new int[w];
        bool columnsMeet = edgeColumns >= (w + 1) / 2;
        for (int y = 0; y < h; y++)
        {
            if (columnsMeet || y < edgeRows || y >= h - edgeRows)
            {
                ReduceRow(full, reduced, y, scale, 0, w, sums);
            }
            else
            {
                ReduceRow(full, reduced, y, scale, 0, edgeColumns, sums);
                ReduceRow(full, reduced, y, scale, w - edgeColumns, w, sums);
            }
        }

        return reduced;
    }

    /// <summary>Reduced row <paramref name="y"/>, columns [x0, x1).</summary>
    private static void ReduceRow(PixelBuffer full, PixelBuffer reduced, int y, int scale, int x0, int x1, Span<int> sums)
    {
        int whole = full.Width / scale;
        int y0 = y * scale, y1 = Math.Min(full.Height, y0 + scale), boxRows = y1 - y0;
        Span<byte> target = reduced.Row(y);
        int x = x0;
        if (scale == 2 && boxRows == 2)
        {
            x = MeanOfPairs(full.Row(y0), full.Row(y0 + 1), target, x0, Math.Min(x1, whole));
        }

        if (x >= x1)
        {
            return;
        }

        Span<int> part = sums[x..x1];
        part.Clear();
        for (int fy = y0; fy < y1; fy++)
        {
            AddBoxRows(full.Row(fy)[..full.Width], part, scale, x, Math.Min(x1, whole));
        }

        int count = scale * boxRows;
        for (int b = x; b < Math.Min(x1, whole); b++)
        {
            target[b] = (byte)((part[b - x] + (count / 2)) / count);
        }

        if (whole < x1)
        {
            int last = (full.Width - (whole * scale)) * boxRows;
            target[whole] = (byte)((part[whole - x] + (last / 2)) / last);
        }
    }

    /// <summary>
    /// The 2 × 2 means of boxes [x0, x1) from two rows, 16 at a time, rounded as the general path
    /// rounds ((sum + 2) / 4); returns the first box not done.
    /// </summary>
    private static int MeanOfPairs(ReadOnlySpan<byte> top, ReadOnlySpan<byte> bottom, Span<byte> target, int x0, int x1)
    {
        int x = x0;
        var low = Vector128.Create((ushort)0xFF);
        var two = Vector128.Create((ushort)2);
        for (; x + 16 <= x1; x += 16)
        {
            int i = 2 * x;
            Vector128<ushort> a0 = Vector128.Create(top.Slice(i, 16)).AsUInt16(), a1 = Vector128.Create(top.Slice(i + 16, 16)).AsUInt16();
            Vector128<ushort> b0 = Vector128.Create(bottom.Slice(i, 16)).AsUInt16(), b1 = Vector128.Create(bottom.Slice(i + 16, 16)).AsUInt16();

            // Each ushort holds a horizontal pair: its two bytes, whichever order, add up to the pair.
            Vector128<ushort> s0 = (a0 & low) + (a0 >>> 8) + (b0 & low) + (b0 >>> 8) + two;
            Vector128<ushort> s1 = (a1 & low) + (a1 >>> 8) + (b1 & low) + (b1 >>> 8) + two;
            Vector128.Narrow(s0 >>> 2, s1 >>> 2).CopyTo(target.Slice(x, 16));
        }

        return x;
    }

    /// <summary>Adds one row's pixels to the sums of boxes [x0, x1) (full ones), and of the partial one after them where x1 is the last full box.</summary>
    private static void AddBoxRows(ReadOnlySpan<byte> row, Span<int> sums, int scale, int x0, int x1)
    {
        int whole = row.Length / scale;
        if (scale == 2)
        {
            // Two pixels read as one ushort: its two bytes, whichever order they are in, add up to the pair.
            ReadOnlySpan<ushort> pairs = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(row[..(2 * whole)]);
            for (int x = x0; x < x1; x++)
            {
                int pair = pairs[x];
                sums[x - x0] += (pair & 0xFF) + (pair >> 8);
            }
        }
        else
        {
            for (int x = x0; x < x1; x++)
            {
                int sum = 0;
                foreach (byte b in row.Slice(x * scale, scale))
                {
                    sum += b;
                }

                sums[x - x0] += sum;
            }
        }

        if (x1 == whole && whole < sums.Length + x0)
        {
            for (int fx = whole * scale; fx < row.Length; fx++)
            {
                sums[whole - x0] += row[fx];
            }
        }
    }
}
