using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Tessera.Registration;

/// <summary>
/// A few rows of a strip to and from one line of vectors, lane k holding row k, as
/// <see cref="StripWhitening"/> blurs along rows. Element by element, the way back alone took 3.6 %
/// of <c>tessera register</c>'s processor time (perf, 30×30 periodic bench grid); where vectors have
/// eight lanes and AVX is there, eight rows go at once by 8×8 transposes in registers. Values are
/// only moved, never computed, so the whitening is the same either way.
/// </summary>
internal static class LaneTranspose
{
    private static readonly bool Wide = Avx.IsSupported && Vector<float>.Count == Vector256<float>.Count;

    /// <summary><c>staged[x · lanes + k] = rows[k · stride + x]</c> for rows k &lt; <paramref name="count"/> and columns x &lt; <paramref name="width"/>.</summary>
    public static void Stage(ReadOnlySpan<float> rows, int stride, int width, int count, Span<float> staged)
    {
        int lanes = Vector<float>.Count, x = 0;
        if (Wide && count == lanes)
        {
            ref float source = ref MemoryMarshal.GetReference(rows);
            ref float target = ref MemoryMarshal.GetReference(staged);
            for (; x <= width - lanes; x += lanes)
            {
                Transpose(ref Unsafe.Add(ref source, x), stride, ref Unsafe.Add(ref target, x * lanes), lanes);
            }
        }

        for (int k = 0; k < count; k++)
        {
            ReadOnlySpan<float> row = rows.Slice(k * stride, width);
            for (int u = x; u < width; u++)
            {
                staged[(u * lanes) + k] = row[u];
            }
        }
    }

    /// <summary>The inverse of <see cref="Stage"/>: <c>rows[k · stride + x] = staged[x · lanes + k]</c>.</summary>
    public static void Unstage(ReadOnlySpan<float> staged, int width, int count, Span<float> rows, int stride)
    {
        int lanes = Vector<float>.Count, x = 0;
        if (Wide && count == lanes)
        {
            ref float source = ref MemoryMarshal.GetReference(staged);
            ref float target = ref MemoryMarshal.GetReference(rows);
            for (; x <= width - lanes; x += lanes)
            {
                Transpose(ref Unsafe.Add(ref source, x * lanes), lanes, ref Unsafe.Add(ref target, x), stride);
            }
        }

        for (int k = 0; k < count; k++)
        {
            Span<float> row = rows.Slice(k * stride, width);
            for (int u = x; u < width; u++)
            {
                row[u] = staged[(u * lanes) + k];
            }
        }
    }

    /// <summary>The 8×8 block at <paramref name="source"/> (rows <paramref name="from"/> apart) written transposed at <paramref name="target"/> (rows <paramref name="to"/> apart).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(ref float source, int from, ref float target, int to)
    {
        Vector256<float> r0 = Load(ref source, 0, from), r1 = Load(ref source, 1, from), r2 = Load(ref source, 2, from), r3 = Load(ref source, 3, from);
        Vector256<float> r4 = Load(ref source, 4, from), r5 = Load(ref source, 5, from), r6 = Load(ref source, 6, from), r7 = Load(ref source, 7, from);

        // Pairs of rows interleaved, then pairs of pairs, then the 128-bit halves swapped into place.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> q0 = Avx.Shuffle(t0, t2, 0x44), q1 = Avx.Shuffle(t0, t2, 0xEE), q2 = Avx.Shuffle(t1, t3, 0x44), q3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> q4 = Avx.Shuffle(t4, t6, 0x44), q5 = Avx.Shuffle(t4, t6, 0xEE), q6 = Avx.Shuffle(t5, t7, 0x44), q7 = Avx.Shuffle(t5, t7, 0xEE);
        Store(Avx.Permute2x128(q0, q4, 0x20), ref target, 0, to);
        Store(Avx.Permute2x128(q1, q5, 0x20), ref target, 1, to);
        Store(Avx.Permute2x128(q2, q6, 0x20), ref target, 2, to);
        Store(Avx.Permute2x128(q3, q7, 0x20), ref target, 3, to);
        Store(Avx.Permute2x128(q0, q4, 0x31), ref target, 4, to);
        Store(Avx.Permute2x128(q1, q5, 0x31), ref target, 5, to);
        Store(Avx.Permute2x128(q2, q6, 0x31), ref target, 6, to);
        Store(Avx.Permute2x128(q3, q7, 0x31), ref target, 7, to);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Load(ref float start, int row, int stride) => Vector256.LoadUnsafe(ref start, (nuint)(row * stride));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector256<float> value, ref float start, int row, int stride) => value.StoreUnsafe(ref start, (nuint)(row * stride));
}
