using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tessera.Registration;

/// <summary>
/// Flattens a strip's spectrum before it is correlated: a fine blur minus a coarse one (a
/// difference of box-blurred copies) keeps the middle frequencies where texture lives and drops
/// what gradients add, so faint texture counts as much as strong edges; divided by the coarse
/// blur, it loses the tile's gain and vignetting too, whose slope across an overlap otherwise
/// pulls the correlation peak by a tenth of a pixel.
/// </summary>
/// <remarks>
/// Where a shift is first found (strips at the decode scale) the fine blur is wide (two 5-px
/// boxes, σ ≈ 2 px): fewer chance peaks, and the JPEG block grid damped. Where it is refined
/// (full resolution) it is narrow (one 3-px box), which keeps the fine detail the subpixel step
/// lives on. Measured on the generated sets of every kind: other widths lost either pairs or accuracy.
/// Where a shift is first found every box is the mean over the part of it inside the strip; where
/// it is refined the strip is continued beyond its ends as its point reflection, so that a tile's
/// border adds nothing of its own to what is correlated. Both directions are running sums
/// over vectors of pixels: down the columns a whole row at a time, along the rows a few rows at once
/// (one row per vector lane).
/// </remarks>
internal sealed class StripWhitening
{
    private const int CoarseRadius = 6;

    /// <summary>
    /// Grey levels added to the coarse blur before dividing by it. Sensor noise does not darken
    /// with the image: dividing by the brightness alone made a black region's noise, scaled up
    /// tens of times, outweigh the texture of the rest of the overlap (8×8 sets, the subpixel step
    /// at the true shift: rms 0.48 → 0.39 px on the integer grid, 0.44 → 0.28 on the photograph,
    /// 0.19 → 0.14 on the spots).
    /// </summary>
    private const float DarkFloor = 16;

    private readonly bool _refining;
    private readonly int _width;
    private readonly int _height;
    private readonly float[] _fine;
    private readonly float[] _coarse;
    private readonly float[] _temp;
    private readonly float[] _running;
    private readonly float[] _zeros;
    private readonly float[] _enter;
    private readonly float[] _leave;
    private readonly float[] _staged;
    private readonly float[] _once;
    private readonly float[] _twice;

    /// <param name="refining">True for the full-resolution strips a shift found at the decode scale is refined on.</param>
    public StripWhitening(int width, int height, bool refining)
    {
        _refining = refining;
        _width = width;
        _height = height;
        _fine = new float[width * height];
        _coarse = new float[width * height];
        _temp = new float[width * height];
        _running = new float[width];
        _zeros = new float[width];
        _enter = new float[width];
        _leave = new float[width];
        _staged = new float[width * Vector<float>.Count];
        _once = new float[width * Vector<float>.Count];
        _twice = new float[width * Vector<float>.Count];
    }

    /// <summary>Writes the whitened strip to <paramref name="target"/> and returns its standard deviation (grey levels).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Apply(ReadOnlySpan<byte> source, float[] target)
    {
        int n = _width * _height;
        Span<float> input = target.AsSpan(0, n);
        Widen(source[..n], input);
        return Filter(input);
    }

    /// <summary>Whitens a strip given as grey levels in floats (<paramref name="source"/> may be <paramref name="target"/>); returns its standard deviation.</summary>
    public double Apply(ReadOnlySpan<float> source, float[] target)
    {
        int n = _width * _height;
        source[..n].CopyTo(target);
        return Filter(target.AsSpan(0, n));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double Filter(Span<float> input)
    {
        int n = input.Length;

        // Blurring along rows and down columns commute (each box depends on its own axis only), so all the row passes run first, on a few rows at a time, then the column passes.
        int lanes = Vector<float>.Count;
        for (int y = 0; y < _height; y += lanes)
        {
            RowPasses(input, y, Math.Min(lanes, _height - y));
        }

        BoxColumns(_coarse, _temp, CoarseRadius);
        BoxColumns(_temp, _coarse, CoarseRadius);
        if (_refining)
        {
            // One pass, read from where it is written: the coarse blur no longer needs the scratch.
            BoxColumns(_fine, _temp, 1);
            return Combine(_temp.AsSpan(0, n), _coarse.AsSpan(0, n), input);
        }

        BoxColumns(_fine, _temp, 2);
        BoxColumns(_temp, _fine, 2);
        return Combine(_fine.AsSpan(0, n), _coarse.AsSpan(0, n), input);
    }

    private static void Widen(ReadOnlySpan<byte> source, Span<float> target)
    {
        int i = 0;
        if (Vector<byte>.Count == 4 * Vector<float>.Count)
        {
            for (; i <= source.Length - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                Vector.Widen(new Vector<byte>(source[i..]), out Vector<ushort> low, out Vector<ushort> high);
                Vector.Widen(low, out Vector<uint> a, out Vector<uint> b);
                Vector.Widen(high, out Vector<uint> c, out Vector<uint> d);
                int f = Vector<float>.Count;
                Vector.ConvertToSingle(Vector.AsVectorInt32(a)).CopyTo(target[i..]);
                Vector.ConvertToSingle(Vector.AsVectorInt32(b)).CopyTo(target[(i + f)..]);
                Vector.ConvertToSingle(Vector.AsVectorInt32(c)).CopyTo(target[(i + (2 * f))..]);
                Vector.ConvertToSingle(Vector.AsVectorInt32(d)).CopyTo(target[(i + (3 * f))..]);
            }
        }

        for (; i < source.Length; i++)
        {
            target[i] = source[i];
        }
    }

    /// <summary>
    /// target = (mean + floor) · (fine − coarse) / (coarse + floor), in grey levels of the strip's mean brightness
    /// so that MinTexture keeps its meaning; returns its standard deviation.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Combine(ReadOnlySpan<float> fine, ReadOnlySpan<float> coarse, Span<float> target)
    {
        int n = fine.Length, v = Vector<float>.Count, i = 0;
        double level = 0;
        for (int start = 0; start < n; start += 4096)
        {
            // Partial sums of a few thousand values in float, added up in double.
            level += Sum(coarse.Slice(start, Math.Min(4096, n - start)));
        }

        float mean = (float)(level / n) + DarkFloor;
        var vMean = new Vector<float>(mean);
        var floor = new Vector<float>(DarkFloor);
        double sum = 0, sumSq = 0;
        Vector<float> s = default, ss = default;
        int inBlock = 0;
        if (coarse.Length < n || target.Length < n)
        {
            throw new ArgumentException("The blurs and the target must be as long as the fine blur.", nameof(coarse));
        }

        // Through references: the lengths are checked above, not at every vector.
        ref float pf = ref MemoryMarshal.GetReference(fine), pc = ref MemoryMarshal.GetReference(coarse), pt = ref MemoryMarshal.GetReference(target);
        for (; i <= n - v; i += v)
        {
            var c = Vector.LoadUnsafe(ref pc, (nuint)i);
            Vector<float> w = vMean * (Vector.LoadUnsafe(ref pf, (nuint)i) - c) / (c + floor);
            w.StoreUnsafe(ref pt, (nuint)i);
            s += w;
            ss += w * w;
            if (++inBlock == 512)
            {
                (sum, sumSq, s, ss, inBlock) = (sum + Vector.Sum(s), sumSq + Vector.Sum(ss), default, default, 0);
            }
        }

        sum += Vector.Sum(s);
        sumSq += Vector.Sum(ss);
        for (; i < n; i++)
        {
            float w = mean * (fine[i] - coarse[i]) / (coarse[i] + DarkFloor);
            target[i] = w;
            sum += w;
            sumSq += w * w;
        }

        double average = sum / n;
        return Math.Sqrt(Math.Max(0, (sumSq / n) - (average * average)));
    }

    private static float Sum(ReadOnlySpan<float> values)
    {
        int v = Vector<float>.Count, i = 0;
        Vector<float> s = default;
        for (; i <= values.Length - v; i += v)
        {
            s += new Vector<float>(values[i..]);
        }

        float total = Vector.Sum(s);
        for (; i < values.Length; i++)
        {
            total += values[i];
        }

        return total;
    }

    /// <summary>
    /// The row passes of both blurs for rows [y0, y0 + count): the rows are turned into one line of
    /// vectors (lane k holds row y0 + k), which a running sum blurs a vector at a time, and turned
    /// back into <see cref="_fine"/> and <see cref="_coarse"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RowPasses(ReadOnlySpan<float> input, int y0, int count)
    {
        int w = _width, lanes = Vector<float>.Count;
        Span<float> staged = _staged.AsSpan(0, w * lanes);
        if (count < lanes)
        {
            staged.Clear();
        }

        LaneTranspose.Stage(input[(y0 * w)..], w, w, count, staged);
        Span<Vector<float>> line = MemoryMarshal.Cast<float, Vector<float>>(staged);
        Span<Vector<float>> once = MemoryMarshal.Cast<float, Vector<float>>(_once.AsSpan(0, w * lanes));
        Span<Vector<float>> twice = MemoryMarshal.Cast<float, Vector<float>>(_twice.AsSpan(0, w * lanes));
        if (_refining)
        {
            BoxLine(line, twice, 1);
        }
        else
        {
            BoxLine(line, once, 2);
            BoxLine(once, twice, 2);
        }

        LaneTranspose.Unstage(MemoryMarshal.Cast<Vector<float>, float>(twice), w, count, _fine.AsSpan(y0 * w), w);
        BoxLine(line, once, CoarseRadius);
        BoxLine(once, twice, CoarseRadius);
        LaneTranspose.Unstage(MemoryMarshal.Cast<Vector<float>, float>(twice), w, count, _coarse.AsSpan(y0 * w), w);
    }

    /// <summary>
    /// The box mean along a line of vectors, every lane its own row: a running sum. Beyond either
    /// end the line continues as its point reflection through the end sample (<see cref="Beyond"/>).
    /// </summary>
    private static void ReflectedLine(ReadOnlySpan<Vector<float>> source, Span<Vector<float>> target, int radius)
    {
        int n = source.Length;
        var factor = new Vector<float>(1f / ((2 * radius) + 1));
        Vector<float> running = default;
        for (int j = -radius; j <= radius; j++)
        {
            running += At(source, j);
        }

        target[0] = running * factor;
        int body = Math.Max(1, Math.Min(n, n - radius));
        int i = 1;
        for (; i < Math.Min(body, radius + 1); i++)
        {
            running += At(source, i + radius) - At(source, i - radius - 1);
            target[i] = running * factor;
        }

        for (; i < body; i++)
        {
            running += source[i + radius] - source[i - radius - 1];
            target[i] = running * factor;
        }

        for (; i < n; i++)
        {
            running += At(source, i + radius) - At(source, i - radius - 1);
            target[i] = running * factor;
        }
    }

    /// <summary>Sample <paramref name="j"/> of a line, extended beyond its ends as <see cref="Beyond"/> says.</summary>
    private static Vector<float> At(ReadOnlySpan<Vector<float>> line, int j)
    {
        int n = line.Length;
        return j < 0 ? (line[0] * 2) - line[Math.Min(-j, n - 1)]
            : j >= n ? (line[n - 1] * 2) - line[Math.Max((2 * n) - 2 - j, 0)]
            : line[j];
    }

    /// <summary>
    /// Where a box reaches past the strip, the strip is continued as its point reflection through
    /// the last sample: s(−k) = 2·s(0) − s(k). A straight ramp continues as itself and whitens to
    /// nothing; a box clipped to the strip (or a mirror) would make a tile's border out of every
    /// brightness slope there, a signal as strong as the texture that the two tiles of a pair see
    /// at opposite ends of their overlap.
    /// </summary>
    private static ReadOnlySpan<float> Beyond(ReadOnlySpan<float> source, int w, int h, int j, Span<float> scratch)
    {
        if (j >= 0 && j < h)
        {
            return source.Slice(j * w, w);
        }

        int end = j < 0 ? 0 : h - 1, mirror = j < 0 ? Math.Min(-j, h - 1) : Math.Max((2 * h) - 2 - j, 0);
        ReadOnlySpan<float> edge = source.Slice(end * w, w), other = source.Slice(mirror * w, w);
        int v = Vector<float>.Count, x = 0;
        for (; x <= w - v; x += v)
        {
            ((new Vector<float>(edge[x..]) * 2) - new Vector<float>(other[x..])).CopyTo(scratch[x..]);
        }

        for (; x < w; x++)
        {
            scratch[x] = (2 * edge[x]) - other[x];
        }

        return scratch[..w];
    }

    /// <summary>The box mean down every column at once, the strip continued beyond its ends as <see cref="Beyond"/> says: a running sum of whole rows (<paramref name="target"/> is not <paramref name="source"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReflectedColumns(ReadOnlySpan<float> source, Span<float> target, int radius)
    {
        int w = _width, h = _height;
        Span<float> running = _running.AsSpan(0, w);
        running.Clear();
        Span<float> enterRow = _enter.AsSpan(0, w), leaveRow = _leave.AsSpan(0, w);
        ReadOnlySpan<float> zeros = _zeros.AsSpan(0, w);
        for (int j = -radius; j < radius; j++)
        {
            Step(running, Beyond(source, w, h, j, enterRow), zeros, running, 1);
        }

        float factor = 1f / ((2 * radius) + 1);
        for (int y = 0; y < h; y++)
        {
            Step(running, Beyond(source, w, h, y + radius, enterRow), y == 0 ? zeros : Beyond(source, w, h, y - radius - 1, leaveRow), target.Slice(y * w, w), factor);
        }
    }

    /// <summary>
    /// A box blur along a line of vectors (every lane its own row) or down every column at once:
    /// reflected at the strip's ends where a shift is refined (<see cref="Beyond"/>), clipped to the
    /// strip where it is first found (what the significance of a match was measured with).
    /// </summary>
    private void BoxLine(ReadOnlySpan<Vector<float>> source, Span<Vector<float>> target, int radius)
    {
        if (_refining)
        {
            ReflectedLine(source, target, radius);
        }
        else
        {
            ClippedLine(source, target, radius);
        }
    }

    private void BoxColumns(ReadOnlySpan<float> source, Span<float> target, int radius)
    {
        if (_refining)
        {
            ReflectedColumns(source, target, radius);
        }
        else
        {
            ClippedColumns(source, target, radius);
        }
    }

    /// <summary>The clipped box mean along a line of vectors, every lane its own row: a running sum.</summary>
    private static void ClippedLine(ReadOnlySpan<Vector<float>> source, Span<Vector<float>> target, int radius)
    {
        int n = source.Length;
        if (target.Length < n)
        {
            throw new ArgumentException("The target line is shorter than the source.", nameof(target));
        }

        // Through references: every index below lies in [0, n), so none is checked again.
        ref Vector<float> from = ref MemoryMarshal.GetReference(source), to = ref MemoryMarshal.GetReference(target);
        Vector<float> running = default;
        for (int i = 0; i < Math.Min(radius, n); i++)
        {
            running += Unsafe.Add(ref from, i);
        }

        for (int i = 0; i < n; i++)
        {
            if (i + radius < n)
            {
                running += Unsafe.Add(ref from, i + radius);
            }

            if (i - radius - 1 >= 0)
            {
                running -= Unsafe.Add(ref from, i - radius - 1);
            }

            int count = Math.Min(n - 1, i + radius) - Math.Max(0, i - radius) + 1;
            Unsafe.Add(ref to, i) = running * (1f / count);
        }
    }

    /// <summary>The clipped box mean down every column at once: a running sum of whole rows (<paramref name="target"/> is not <paramref name="source"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ClippedColumns(ReadOnlySpan<float> source, Span<float> target, int radius)
    {
        int w = _width, h = _height;
        Span<float> running = _running.AsSpan(0, w);
        running.Clear();
        ReadOnlySpan<float> zeros = _zeros.AsSpan(0, w);
        for (int y = 0; y < Math.Min(radius, h); y++)
        {
            Step(running, source.Slice(y * w, w), zeros, running, 1);
        }

        for (int y = 0; y < h; y++)
        {
            int enter = y + radius, leave = y - radius - 1;
            int count = Math.Min(h - 1, y + radius) - Math.Max(0, y - radius) + 1;
            Step(running, enter < h ? source.Slice(enter * w, w) : zeros, leave >= 0 ? source.Slice(leave * w, w) : zeros, target.Slice(y * w, w), 1f / count);
        }
    }

    /// <summary>running += enter − leave; target = running · factor, a vector at a time (all spans as long as running).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step(Span<float> running, ReadOnlySpan<float> enter, ReadOnlySpan<float> leave, Span<float> target, float factor)
    {
        int n = running.Length, v = Vector<float>.Count, x = 0;
        ref float r = ref MemoryMarshal.GetReference(running);
        ref float e = ref MemoryMarshal.GetReference(enter);
        ref float l = ref MemoryMarshal.GetReference(leave);
        ref float t = ref MemoryMarshal.GetReference(target);
        var f = new Vector<float>(factor);
        for (; x <= n - v; x += v)
        {
            Vector<float> sum = Vector.LoadUnsafe(ref r, (nuint)x) + Vector.LoadUnsafe(ref e, (nuint)x) - Vector.LoadUnsafe(ref l, (nuint)x);
            sum.StoreUnsafe(ref r, (nuint)x);
            (sum * f).StoreUnsafe(ref t, (nuint)x);
        }

        for (; x < n; x++)
        {
            float sum = running[x] + enter[x] - leave[x];
            running[x] = sum;
            target[x] = sum * factor;
        }
    }
}
