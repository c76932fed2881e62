using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Tessera.Imaging;

namespace Tessera.Pyramid;

/// <summary>
/// Halves a level the way libvips <c>dzsave</c> does: each pixel is the mean of a 2×2 box rounded
/// half up, (a+b+c+d+2)>>2, and where the level above has an odd width or height its last column or
/// row is used twice.
/// </summary>
public static class Downsampler
{
    /// <summary>
    /// Computes <paramref name="region"/> of the level below <paramref name="source"/>'s level.
    /// </summary>
    /// <param name="source">Part of the level above; must hold every pixel the region is made from.</param>
    /// <param name="sourceLevel">The whole level above (its size decides which column or row repeats).</param>
    /// <param name="region">What to compute, in the coordinates of the level below.</param>
    /// <param name="pool">Where the result's memory comes from.</param>
    /// <param name="minimumLength">Passed on to <see cref="PixelBuffer"/>.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static PixelBuffer Halve(PixelBuffer source, PixelRect sourceLevel, PixelRect region, PixelMemoryPool? pool = null, int minimumLength = 0)
    {
        int lastX = sourceLevel.Right - 1, lastY = sourceLevel.Bottom - 1;
        var needed = PixelRect.FromEdges(2 * region.X, 2 * region.Y,
            Math.Min((2 * region.Right) - 1, lastX) + 1, Math.Min((2 * region.Bottom) - 1, lastY) + 1);
        if (!source.Bounds.Contains(needed))
        {
            throw new ArgumentException($"Halving {region} needs {needed} of the level above, but the source holds {source.Bounds}.", nameof(region));
        }

        var target = new PixelBuffer(region, source.Format, pool, minimumLength);
        try
        {
            int bpp = source.BytesPerPixel;

            // Output columns whose right-hand source column exists; the last may have to repeat its left one.
            int pairs = Math.Min(region.Width, ((lastX + 1) / 2) - region.X);
            bool repeatLastColumn = pairs < region.Width;
            for (int y = region.Y; y < region.Bottom; y++)
            {
                int sy0 = 2 * y, sy1 = Math.Min(sy0 + 1, lastY);
                ReadOnlySpan<byte> top = source.Data.AsSpan(source.OffsetOf(needed.X, sy0), needed.Width * bpp);
                ReadOnlySpan<byte> bottom = source.Data.AsSpan(source.OffsetOf(needed.X, sy1), needed.Width * bpp);
                Span<byte> output = target.RowAt(region.X, y, region.Width);
                if (bpp == 4)
                {
                    HalveRowRgbx(top, bottom, output, pairs);
                }
                else
                {
                    HalveRowGray(top, bottom, output, pairs);
                }

                if (repeatLastColumn)
                {
                    int s = (needed.Width - 1) * bpp, d = (region.Width - 1) * bpp;
                    for (int ch = 0; ch < bpp; ch++)
                    {
                        output[d + ch] = (byte)(((2 * top[s + ch]) + (2 * bottom[s + ch]) + 2) >> 2);
                    }
                }
            }

            return target;
        }
        catch
        {
            target.Dispose();
            throw;
        }
    }

    /// <summary>Halves <paramref name="pairs"/> pixel pairs of two RGBX rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HalveRowRgbx(ReadOnlySpan<byte> top, ReadOnlySpan<byte> bottom, Span<byte> output, int pairs)
    {
        int x = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref byte t = ref MemoryMarshal.GetReference(top);
            ref byte b = ref MemoryMarshal.GetReference(bottom);
            ref byte o = ref MemoryMarshal.GetReference(output);
            Vector256<ushort> two = Vector256.Create((ushort)2);
            Vector256<ulong> oddElements = Vector256.Create(0UL, ulong.MaxValue, 0UL, ulong.MaxValue);

            // Four output pixels (16 bytes) from eight input pixels (32 bytes) of each row.
            for (; x + 4 <= pairs; x += 4)
            {
                var (tLo, tHi) = Vector256.Widen(Vector256.LoadUnsafe(ref t, (nuint)(x * 8)));
                var (bLo, bHi) = Vector256.Widen(Vector256.LoadUnsafe(ref b, (nuint)(x * 8)));
                Vector256<ulong> first = PairSums(tLo + bLo);   // [p0+p1, same, p2+p3, same], 4 channels each
                Vector256<ulong> second = PairSums(tHi + bHi);  // [p4+p5, same, p6+p7, same]
                Vector256<ulong> mixed = Vector256.ConditionalSelect(oddElements, second, first); // [01, 45, 23, 67]
                Vector256<ushort> sums = Vector256.Shuffle(mixed, Vector256.Create(0UL, 2UL, 1UL, 3UL)).AsUInt16();
                Vector256<byte> packed = Vector256.Narrow((sums + two) >> 2, Vector256<ushort>.Zero);
                packed.GetLower().StoreUnsafe(ref o, (nuint)(x * 4));
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            ref byte t = ref MemoryMarshal.GetReference(top);
            ref byte b = ref MemoryMarshal.GetReference(bottom);
            ref byte o = ref MemoryMarshal.GetReference(output);
            Vector128<ushort> two = Vector128.Create((ushort)2);

            // Two output pixels (8 bytes) from four input pixels (16 bytes) of each row.
            for (; x + 2 <= pairs; x += 2)
            {
                var (tLo, tHi) = Vector128.Widen(Vector128.LoadUnsafe(ref t, (nuint)(x * 8)));
                var (bLo, bHi) = Vector128.Widen(Vector128.LoadUnsafe(ref b, (nuint)(x * 8)));
                Vector128<ushort> first = tLo + bLo;   // pixels 0 and 1, four channels each
                Vector128<ushort> second = tHi + bHi;  // pixels 2 and 3
                Vector128<ulong> lo = (first + SwapHalves(first)).AsUInt64();
                Vector128<ulong> hi = (second + SwapHalves(second)).AsUInt64();
                Vector128<ushort> sums = Vector128.Create(lo.ToScalar(), hi.ToScalar()).AsUInt16();
                Vector128<byte> packed = Vector128.Narrow((sums + two) >> 2, Vector128<ushort>.Zero);
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref o, x * 4), packed.AsUInt64().ToScalar());
            }
        }

        for (; x < pairs; x++)
        {
            int s = x * 8, d = x * 4;
            for (int ch = 0; ch < 4; ch++)
            {
                output[d + ch] = (byte)((top[s + ch] + top[s + 4 + ch] + bottom[s + ch] + bottom[s + 4 + ch] + 2) >> 2);
            }
        }
    }

    /// <summary>Adds each 64-bit element (one pixel's four 16-bit channels) to its neighbour within the 128-bit lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> PairSums(Vector256<ushort> v) =>
        (v + Vector256.Shuffle(v.AsUInt64(), Vector256.Create(1UL, 0UL, 3UL, 2UL)).AsUInt16()).AsUInt64();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ushort> SwapHalves(Vector128<ushort> v) =>
        Vector128.Shuffle(v.AsUInt64(), Vector128.Create(1UL, 0UL)).AsUInt16();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HalveRowGray(ReadOnlySpan<byte> top, ReadOnlySpan<byte> bottom, Span<byte> output, int pairs)
    {
        for (int x = 0; x < pairs; x++)
        {
            int s = 2 * x;
            output[x] = (byte)((top[s] + top[s + 1] + bottom[s] + bottom[s + 1] + 2) >> 2);
        }
    }
}
