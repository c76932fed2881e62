using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tessera.Registration;

/// <summary>
/// Normalised cross-correlation of two whitened strips over the overlap each shift implies, one
/// shift at a time, remembered for the strips in hand. One instance per thread and strip shape.
/// </summary>
/// <remarks>
/// Where a pair's peaks are checked and climbed, at up to a few hundred shifts, every one of them
/// needs ΣA, ΣB, ΣA², ΣB² over its own rectangle: summed-area tables give those in four reads
/// each, so the work per shift is the one product ΣAB. Where a known shift is only refined (a dozen
/// shifts) making the tables would cost more than they save, and all five sums are taken at once.
/// </remarks>
internal sealed class OverlapScores
{
    private const int RowsPerFlush = 16;
    private readonly int _width;
    private readonly int _length;
    private readonly int _nominalTx;
    private readonly int _margin;
    private readonly double _nominalArea;
    private readonly bool _tables;
    private readonly double[] _sumA;
    private readonly double[] _sumB;
    private readonly double[] _sumAA;
    private readonly double[] _sumBB;
    private readonly Dictionary<(int, int), (double Ncc, double Factor)> _known = [];
    private float[] _a = [];
    private float[] _b = [];

    /// <param name="tables">Whether to make summed-area tables (many shifts per pair of strips) or not (a few).</param>
    public OverlapScores(int width, int length, int nominalTx, int margin, bool tables)
    {
        _tables = tables;
        _width = width;
        _length = length;
        _nominalTx = nominalTx;
        _margin = margin;
        _nominalArea = (double)Math.Max(1, width - nominalTx) * length;
        int tableLength = tables ? (width + 1) * (length + 1) : 0;
        _sumA = new double[tableLength];
        _sumB = new double[tableLength];
        _sumAA = new double[tableLength];
        _sumBB = new double[tableLength];
    }

    /// <summary>Takes two new strips (width × length, row-major, whitened): B(u, v) = A(u + tx, v + ty) where they match.</summary>
    public void Reset(float[] a, float[] b)
    {
        _a = a;
        _b = b;
        _known.Clear();
        if (_tables)
        {
            SummedArea(a, _sumA, _sumAA);
            SummedArea(b, _sumB, _sumBB);
        }
    }

    /// <summary>
    /// The normalised cross-correlation of the overlap that shift (tx, ty) implies, scaled by the
    /// square root of its size against the nominal overlap's where smaller; −2 outside the search
    /// window or for too small an overlap. The scaling judges matches against each other fairly; it
    /// tilts the surface towards larger overlaps, so a match is located on <see cref="Correlation"/>.
    /// </summary>
    public double Score(int tx, int ty)
    {
        var (ncc, factor) = Cached(tx, ty);
        return ncc <= -2 ? ncc : ncc * factor;
    }

    /// <summary>
    /// The plain normalised cross-correlation at (tx, ty), without <see cref="Score"/>'s scaling: a
    /// broad peak (smooth content) tilted by that scaling has its maximum pixels away from the match.
    /// </summary>
    public double Correlation(int tx, int ty) => Cached(tx, ty).Ncc;

    private (double Ncc, double Factor) Cached(int tx, int ty)
    {
        if (Math.Abs(tx - _nominalTx) > _margin + 1 || Math.Abs(ty) > _margin + 1)
        {
            return (-2, 1);
        }

        if (_known.TryGetValue((tx, ty), out var cached))
        {
            return cached;
        }

        var value = Ncc(tx, ty);
        _known[(tx, ty)] = value;
        return value;
    }

    private (double Ncc, double Factor) Ncc(int tx, int ty)
    {
        int w = _width;
        int ax0 = Math.Max(0, tx), ax1 = Math.Min(w, w + tx);
        int ay0 = Math.Max(0, ty), ay1 = Math.Min(_length, _length + ty);
        if (ax1 - ax0 < 3 || ay1 - ay0 < _length / 2)
        {
            return (-2, 1);
        }

        double n = (double)(ax1 - ax0) * (ay1 - ay0);
        double sa, sb, saa, sbb, sab;
        if (_tables)
        {
            (sa, saa) = (Rectangle(_sumA, ax0, ax1, ay0, ay1), Rectangle(_sumAA, ax0, ax1, ay0, ay1));
            (sb, sbb) = (Rectangle(_sumB, ax0 - tx, ax1 - tx, ay0 - ty, ay1 - ty), Rectangle(_sumBB, ax0 - tx, ax1 - tx, ay0 - ty, ay1 - ty));
            sab = Product(tx, ty, ax0, ax1, ay0, ay1);
        }
        else
        {
            (sa, sb, saa, sbb, sab) = AllSums(tx, ty, ax0, ax1, ay0, ay1);
        }

        double cov = sab - (sa * sb / n);
        double va2 = saa - (sa * sa / n), vb2 = sbb - (sb * sb / n);

        // The correlation of a small overlap is noisier (its spread goes with 1/√n): scaled by
        // √(n / nominal overlap) below the nominal overlap, chance matches of a sliver score as low
        // as those of the nominal overlap, and the best score is not drawn to the edge of the window.
        double factor = Math.Sqrt(Math.Min(1, n / _nominalArea));
        return (va2 <= 1e-9 || vb2 <= 1e-9 ? 0 : cov / Math.Sqrt(va2 * vb2), factor);
    }

    /// <summary>Σ A·B over A's columns [ax0, ax1) and rows [ay0, ay1) against B's pixels shifted by −t.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double Product(int tx, int ty, int ax0, int ax1, int ay0, int ay1)
    {
        int w = _width, cols = ax1 - ax0, vector = Vector<float>.Count;
        CheckInside(tx, ty, ax0, ax1, ay0, ay1);
        ref float a = ref MemoryMarshal.GetArrayDataReference(_a), b = ref MemoryMarshal.GetArrayDataReference(_b);
        double total = 0;
        Vector<float> sum = default;
        float tail = 0;
        for (int y = ay0; y < ay1; y++)
        {
            // Read through references: the bounds are checked once above, not at every vector
            // (this loop, a few vectors and a few values a row, ran about a third faster so).
            ref float ra = ref Unsafe.Add(ref a, (y * w) + ax0);
            ref float rb = ref Unsafe.Add(ref b, ((y - ty) * w) + ax0 - tx);
            int x = 0;
            for (; x <= cols - vector; x += vector)
            {
                sum += Vector.LoadUnsafe(ref ra, (nuint)x) * Vector.LoadUnsafe(ref rb, (nuint)x);
            }

            for (; x < cols; x++)
            {
                tail += Unsafe.Add(ref ra, x) * Unsafe.Add(ref rb, x);
            }

            // Float sums of a few rows at a time, added up in double.
            if ((y - ay0) % RowsPerFlush == RowsPerFlush - 1)
            {
                total += Vector.Sum(sum) + tail;
                (sum, tail) = (default, 0);
            }
        }

        return total + Vector.Sum(sum) + tail;
    }

    /// <summary>ΣA, ΣB, ΣA², ΣB², ΣAB over the overlap, as <see cref="Product"/> lays it out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (double A, double B, double AA, double BB, double AB) AllSums(int tx, int ty, int ax0, int ax1, int ay0, int ay1)
    {
        int w = _width, cols = ax1 - ax0, vector = Vector<float>.Count;
        CheckInside(tx, ty, ax0, ax1, ay0, ay1);
        ref float a = ref MemoryMarshal.GetArrayDataReference(_a), b = ref MemoryMarshal.GetArrayDataReference(_b);
        double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
        for (int y = ay0; y < ay1; y++)
        {
            ref float ra = ref Unsafe.Add(ref a, (y * w) + ax0);
            ref float rb = ref Unsafe.Add(ref b, ((y - ty) * w) + ax0 - tx);
            Vector<float> va = default, vb = default, vaa = default, vbb = default, vab = default;
            int x = 0;
            for (; x <= cols - vector; x += vector)
            {
                var pa = Vector.LoadUnsafe(ref ra, (nuint)x);
                var pb = Vector.LoadUnsafe(ref rb, (nuint)x);
                va += pa;
                vb += pb;
                vaa += pa * pa;
                vbb += pb * pb;
                vab += pa * pb;
            }

            float fa = Vector.Sum(va), fb = Vector.Sum(vb), faa = Vector.Sum(vaa), fbb = Vector.Sum(vbb), fab = Vector.Sum(vab);
            for (; x < cols; x++)
            {
                float pa = Unsafe.Add(ref ra, x), pb = Unsafe.Add(ref rb, x);
                fa += pa;
                fb += pb;
                faa += pa * pa;
                fbb += pb * pb;
                fab += pa * pb;
            }

            (sa, sb, saa, sbb, sab) = (sa + fa, sb + fb, saa + faa, sbb + fbb, sab + fab);
        }

        return (sa, sb, saa, sbb, sab);
    }

    /// <summary>
    /// That A's columns [ax0, ax1) and rows [ay0, ay1), and B's at −(tx, ty), lie inside the strips
    /// (what <see cref="Ncc"/>'s overlap guarantees): the sums read them without bounds checks.
    /// </summary>
    private void CheckInside(int tx, int ty, int ax0, int ax1, int ay0, int ay1)
    {
        int size = _width * _length;
        if (ax0 < 0 || ax1 > _width || ax0 - tx < 0 || ax1 - tx > _width || ay0 < 0 || ay1 > _length || ay0 - ty < 0 || ay1 - ty > _length
            || ax1 <= ax0 || ay1 <= ay0 || _a.Length < size || _b.Length < size)
        {
            throw new InvalidOperationException($"The overlap [{ax0}, {ax1}) × [{ay0}, {ay1}) at ({tx}, {ty}) is not inside the {_width} × {_length} strips.");
        }
    }

    /// <summary>Σ over columns [x0, x1) and rows [y0, y1) from a summed-area table.</summary>
    private double Rectangle(double[] table, int x0, int x1, int y0, int y1)
    {
        int stride = _width + 1;
        return table[(y1 * stride) + x1] - table[(y0 * stride) + x1] - table[(y1 * stride) + x0] + table[(y0 * stride) + x0];
    }

    /// <summary>
    /// Summed-area tables of the values and their squares: entry (x, y) holds the sum over columns
    /// [0, x) and rows [0, y). Two rows at a time: each row's running sum waits on its last addition,
    /// so one row alone left the processor idle between them (this was 5 % of <c>tessera register</c>'s
    /// processor time on the 30×30 periodic bench grid); every entry is the same sum either way.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SummedArea(float[] values, double[] sums, double[] squares)
    {
        int w = _width, stride = w + 1, y = 0;
        Array.Clear(sums, 0, stride);
        Array.Clear(squares, 0, stride);
        for (; y + 1 < _length; y += 2)
        {
            ReadOnlySpan<float> first = values.AsSpan(y * w, w), second = values.AsSpan((y + 1) * w, w);
            int above = y * stride, here = above + stride, below = here + stride;
            (sums[here], squares[here], sums[below], squares[below]) = (0, 0, 0, 0);
            double s = 0, ss = 0, t = 0, tt = 0;

            // Through references: the three rows of each table are inside it (checked once, below), not checked at every entry.
            if (below + stride > sums.Length || below + stride > squares.Length)
            {
                throw new ArgumentException("The summed-area tables are smaller than the strip.", nameof(sums));
            }

            ref double sumsAbove = ref sums[above + 1], sumsHere = ref sums[here + 1], sumsBelow = ref sums[below + 1];
            ref double squaresAbove = ref squares[above + 1], squaresHere = ref squares[here + 1], squaresBelow = ref squares[below + 1];
            for (int x = 0; x < w; x++)
            {
                double u = first[x], v = second[x];
                s += u;
                ss += u * u;
                t += v;
                tt += v * v;
                double sum = Unsafe.Add(ref sumsAbove, x) + s, square = Unsafe.Add(ref squaresAbove, x) + ss;
                Unsafe.Add(ref sumsHere, x) = sum;
                Unsafe.Add(ref squaresHere, x) = square;
                Unsafe.Add(ref sumsBelow, x) = sum + t;
                Unsafe.Add(ref squaresBelow, x) = square + tt;
            }
        }

        for (; y < _length; y++)
        {
            ReadOnlySpan<float> row = values.AsSpan(y * w, w);
            int above = y * stride, here = above + stride;
            sums[here] = 0;
            squares[here] = 0;
            double s = 0, ss = 0;
            for (int x = 0; x < w; x++)
            {
                double v = row[x];
                s += v;
                ss += v * v;
                sums[here + x + 1] = sums[above + x + 1] + s;
                squares[here + x + 1] = squares[above + x + 1] + ss;
            }
        }
    }
}
