using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
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
    public static PixelBuffer Halve(PixelBuffer source, PixelRect sourceLevel, PixelRect region, PixelMemoryPool? pool = null, int minimumLength = 0)
    {
        var target = new PixelBuffer(region, source.Format, pool, minimumLength);
        try
        {
            HalveInto(source, sourceLevel, target);
            return target;
        }
        catch
        {
            target.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Computes all of <paramref name="target"/> (its bounds in the coordinates of the level below
    /// <paramref name="source"/>'s) from <paramref name="source"/>, as <see cref="Halve"/> does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void HalveInto(PixelBuffer source, PixelRect sourceLevel, PixelBuffer target)
    {
        PixelRect region = target.Bounds;
        int lastX = sourceLevel.Right - 1, lastY = sourceLevel.Bottom - 1;
        var needed = PixelRect.FromEdges(2 * region.X, 2 * region.Y,
            Math.Min((2 * region.Right) - 1, lastX) + 1, Math.Min((2 * region.Bottom) - 1, lastY) + 1);
        if (!source.Bounds.Contains(needed))
        {
            throw new ArgumentException($"Halving {region} needs {needed} of the level above, but the source holds {source.Bounds}.", nameof(source));
        }

        if (target.Format != source.Format)
        {
            throw new ArgumentException($"Halving {source.Format} into {target.Format}.", nameof(target));
        }

        int bpp = source.BytesPerPixel;

        // Output columns whose right-hand source column exists; the last may have to repeat its left one.
        int pairs = Math.Min(region.Width, ((lastX + 1) / 2) - region.X);
        bool repeatLastColumn = pairs < region.Width;
        if (source.Format.IsSixteenBit())
        {
            HalveWide(source, needed, lastY, target, pairs);
            return;
        }

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
    }

    /// <summary>The rows of <see cref="HalveInto"/> for 16-bit samples: the same rounding, (a+b+c+d+2)>>2, and the same repeated edge.</summary>
    private static void HalveWide(PixelBuffer source, PixelRect needed, int lastY, PixelBuffer target, int pairs)
    {
        PixelRect region = target.Bounds;
        int samples = source.Format.SamplesPerPixel(), bpp = source.BytesPerPixel;
        for (int y = region.Y; y < region.Bottom; y++)
        {
            int sy0 = 2 * y, sy1 = Math.Min(sy0 + 1, lastY);
            ReadOnlySpan<ushort> top = MemoryMarshal.Cast<byte, ushort>(source.Data.AsSpan(source.OffsetOf(needed.X, sy0), needed.Width * bpp));
            ReadOnlySpan<ushort> bottom = MemoryMarshal.Cast<byte, ushort>(source.Data.AsSpan(source.OffsetOf(needed.X, sy1), needed.Width * bpp));
            Span<ushort> output = MemoryMarshal.Cast<byte, ushort>(target.RowAt(region.X, y, region.Width));
            int x = samples == 4 ? HalveRowRgbx16(top, bottom, output, pairs) : 0;
            for (; x < pairs; x++)
            {
                for (int ch = 0, s = 2 * x * samples, d = x * samples; ch < samples; ch++, s++, d++)
                {
                    output[d] = (ushort)((top[s] + top[s + samples] + bottom[s] + bottom[s + samples] + 2) >> 2);
                }
            }

            if (pairs < region.Width)
            {
                int s = (needed.Width - 1) * samples, d = (region.Width - 1) * samples;
                for (int ch = 0; ch < samples; ch++)
                {
                    output[d + ch] = (ushort)(((2 * top[s + ch]) + (2 * bottom[s + ch]) + 2) >> 2);
                }
            }
        }
    }

    /// <summary>One output pixel per step: two 16-bit RGBX pixels of each row widened to 32 bits, summed, rounded and narrowed. Returns the pairs done.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int HalveRowRgbx16(ReadOnlySpan<ushort> top, ReadOnlySpan<ushort> bottom, Span<ushort> output, int pairs)
    {
        if (!Vector128.IsHardwareAccelerated)
        {
            return 0;
        }

        ref ushort t = ref MemoryMarshal.GetReference(top);
        ref ushort b = ref MemoryMarshal.GetReference(bottom);
        ref ushort o = ref MemoryMarshal.GetReference(output);
        Vector128<uint> two = Vector128.Create(2u);
        int x = 0;
        for (; x < pairs; x++)
        {
            var (tLeft, tRight) = Vector128.Widen(Vector128.LoadUnsafe(ref t, (nuint)(x * 8)));
            var (bLeft, bRight) = Vector128.Widen(Vector128.LoadUnsafe(ref b, (nuint)(x * 8)));
            Vector128<uint> mean = (tLeft + tRight + bLeft + bRight + two) >> 2;
            Unsafe.WriteUnaligned(ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref o, x * 4)), Vector128.Narrow(mean, mean).AsUInt64().ToScalar());
        }

        return x;
    }

    /// <summary>Halves <paramref name="pairs"/> pixel pairs of two RGBX rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HalveRowRgbx(ReadOnlySpan<byte> top, ReadOnlySpan<byte> bottom, Span<byte> output, int pairs)
    {
        int x = 0;
        if (Avx2.IsSupported)
        {
            x = HalveRowRgbxAvx2(top, bottom, output, pairs);
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

    /// <summary>
    /// Eight output pixels per step: a byte shuffle puts each channel of two neighbouring pixels side
    /// by side, a multiply-add by ones sums them into 16 bits, the two rows are added, then rounded,
    /// shifted and packed. Returns how many pixel pairs it did.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int HalveRowRgbxAvx2(ReadOnlySpan<byte> top, ReadOnlySpan<byte> bottom, Span<byte> output, int pairs)
    {
        ref byte t = ref MemoryMarshal.GetReference(top);
        ref byte b = ref MemoryMarshal.GetReference(bottom);
        ref byte o = ref MemoryMarshal.GetReference(output);

        // Within each 128-bit lane (four pixels): r0 r1 g0 g1 b0 b1 a0 a1 | r2 r3 g2 g3 b2 b3 a2 a3.
        Vector256<byte> pairUp = Vector256.Create(
            (byte)0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15,
            0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15);
        Vector256<sbyte> ones = Vector256.Create((sbyte)1);
        Vector256<short> two = Vector256.Create((short)2);
        int x = 0;
        for (; x + 8 <= pairs; x += 8)
        {
            nuint offset = (nuint)(x * 8);
            Vector256<short> first = Avx2.Add(
                Avx2.MultiplyAddAdjacent(Avx2.Shuffle(Vector256.LoadUnsafe(ref t, offset), pairUp), ones),
                Avx2.MultiplyAddAdjacent(Avx2.Shuffle(Vector256.LoadUnsafe(ref b, offset), pairUp), ones));
            Vector256<short> second = Avx2.Add(
                Avx2.MultiplyAddAdjacent(Avx2.Shuffle(Vector256.LoadUnsafe(ref t, offset + 32), pairUp), ones),
                Avx2.MultiplyAddAdjacent(Avx2.Shuffle(Vector256.LoadUnsafe(ref b, offset + 32), pairUp), ones));
            first = Avx2.ShiftRightLogical(Avx2.Add(first, two), 2);
            second = Avx2.ShiftRightLogical(Avx2.Add(second, two), 2);

            // Packing works per 128-bit lane: [first.lo, second.lo, first.hi, second.hi] → reorder the quarters.
            Vector256<byte> packed = Avx2.PackUnsignedSaturate(first, second);
            Avx2.Permute4x64(packed.AsUInt64(), 0b11_01_10_00).AsByte().StoreUnsafe(ref o, (nuint)(x * 4));
        }

        return x;
    }

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
