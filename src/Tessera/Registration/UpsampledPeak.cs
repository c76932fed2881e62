using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tessera.Registration;

/// <summary>
/// The subpixel peak of a cross-correlation given by its cross-power spectrum, found by evaluating
/// the inverse DFT only near the peak on ever finer grids (Guizar-Sicairos, Thurman &amp; Fienup,
/// "Efficient subpixel image registration algorithms", Opt. Lett. 33, 2008: the matrix-multiply
/// DFT). The correlation between samples is the band-limited (sinc) interpolation of the whole
/// spectrum, not a parabola through three values, so a shift of a whole pixel comes out whole and
/// a fractional one is not pulled towards the nearest pixel. One instance per thread.
/// </summary>
internal sealed class UpsampledPeak
{
    private const int Points = 9;
    private static readonly double[] Spacings = [0.25, 1.0 / 32, 1.0 / 256];
    private readonly int _nx;
    private readonly int _ny;
    private readonly float[] _re;
    private readonly float[] _im;
    private readonly float[] _tRe;
    private readonly float[] _tIm;
    private readonly Twiddles _x;
    private readonly Twiddles _y;
    private readonly double[] _surface = new double[Points * Points];

    public UpsampledPeak(int nx, int ny)
    {
        _nx = nx;
        _ny = ny;
        _re = new float[nx * ny];
        _im = new float[nx * ny];
        _tRe = new float[ny * Points];
        _tIm = new float[ny * Points];
        _x = new Twiddles(nx, Points, Spacings);
        _y = new Twiddles(ny, Points, Spacings);
    }

    /// <summary>
    /// Real parts of the spectrum, (kx, ky) at <c>ky · nx + kx</c>; the caller fills them, and
    /// <see cref="Im"/>, then calls <see cref="Find"/>. Only the rows below <see cref="HalfRows"/>
    /// are read: the spectrum is Hermitian.
    /// </summary>
    public Span<float> Re => _re;

    /// <summary>Imaginary parts, laid out as <see cref="Re"/>.</summary>
    public Span<float> Im => _im;

    /// <summary>The correlation at the peak the last <see cref="Find"/> found (its finest grid's best point).</summary>
    public double Height { get; private set; }

    /// <summary>
    /// The shift (within ±1 px of the origin) where the correlation peaks: grids of 9 × 9 points
    /// at 1/4, 1/32 and 1/256 px, each centred on the best point of the one before, then a
    /// parabola through the last grid's best point and its neighbours.
    /// </summary>
    public (double X, double Y) Find()
    {
        DropNyquist();
        double cx = 0, cy = 0;
        for (int level = 0; level < Spacings.Length; level++)
        {
            double spacing = Spacings[level];
            Evaluate(cx, cy, level);
            int best = 0;
            for (int i = 1; i < _surface.Length; i++)
            {
                if (_surface[i] > _surface[best])
                {
                    best = i;
                }
            }

            int bx = best % Points, by = best / Points;
            double fx = 0, fy = 0;
            if (spacing < 0.01 && bx > 0 && bx < Points - 1 && by > 0 && by < Points - 1)
            {
                fx = Vertex(_surface[best - 1], _surface[best], _surface[best + 1]);
                fy = Vertex(_surface[best - Points], _surface[best], _surface[best + Points]);
            }

            cx += (bx - (Points / 2) + fx) * spacing;
            cy += (by - (Points / 2) + fy) * spacing;
            Height = _surface[best];
        }

        return (Math.Clamp(cx, -1.5, 1.5), Math.Clamp(cy, -1.5, 1.5));
    }

    /// <summary>The Nyquist row and column have no sign of their own; leaving them out keeps the interpolation symmetric (the row is never read).</summary>
    private void DropNyquist()
    {
        if (_nx > 1)
        {
            for (int ky = 0; ky < HalfRows(_ny); ky++)
            {
                _re[(ky * _nx) + (_nx / 2)] = 0;
                _im[(ky * _nx) + (_nx / 2)] = 0;
            }
        }
    }

    private static double Vertex(double left, double middle, double right)
    {
        double curvature = left - (2 * middle) + right;
        return curvature < 0 ? Math.Clamp(0.5 * (left - right) / curvature, -0.5, 0.5) : 0;
    }

    /// <summary>
    /// Re Σ R(k) e^{2πi(kx·sx/nx + ky·sy/ny)} on a 9 × 9 grid around (cx, cy): over kx first, then
    /// ky. R is the cross-power spectrum of two real patches, so R(−k) = conj R(k): the terms of k
    /// and −k have the same real part, and the rows ky = 1 … ny/2 − 1 stand, doubled, for the other
    /// half (the Nyquist row is left out in any case).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Evaluate(double cx, double cy, int level)
    {
        int nx = _nx, ny = _ny, rows = HalfRows(ny);
        _x.Fill(cx, level);

        // Only the rows of the spectrum's half are summed over: their factors alone are needed.
        _y.Fill(cy, level, rows);
        for (int ky = 0; ky < rows; ky++)
        {
            ReadOnlySpan<float> re = _re.AsSpan(ky * nx, nx), im = _im.AsSpan(ky * nx, nx);
            float weight = ky == 0 ? 1 : 2;
            // The points in threes (Points is 9).
            for (int j = 0; j < Points; j += 3)
            {
                var (d0, d1, d2) = ComplexDots(re, im, _x.Re.AsSpan(j * nx), _x.Im.AsSpan(j * nx), nx);
                Put(j, ky, weight, d0);
                Put(j + 1, ky, weight, d1);
                Put(j + 2, ky, weight, d2);
            }
        }

        for (int l = 0; l < Points; l++)
        {
            ReadOnlySpan<float> er = _y.Re.AsSpan(l * ny, rows), ei = _y.Im.AsSpan(l * ny, rows);
            for (int j = 0; j < Points; j++)
            {
                var (sr, _) = ComplexDot(_tRe.AsSpan(j * ny, rows), _tIm.AsSpan(j * ny, rows), er, ei);
                _surface[(l * Points) + j] = sr;
            }
        }
    }

    private void Put(int point, int ky, float weight, (float Re, float Im) dot)
    {
        _tRe[(point * _ny) + ky] = weight * dot.Re;
        _tIm[(point * _ny) + ky] = weight * dot.Im;
    }

    /// <summary>The rows ky = 0 … ny/2 − 1 that, with their mirror images, make up the spectrum (all of it where ny is 1).</summary>
    public static int HalfRows(int ny) => ny > 1 ? ny / 2 : 1;

    /// <summary>
    /// <see cref="ComplexDot"/> of (re, im) with three rows of factors at once (rows <paramref name="n"/>
    /// apart in <paramref name="er"/> and <paramref name="ei"/>): each row's sums run in the very
    /// order they do alone, while the spectrum is read once and the three sums' additions overlap
    /// instead of each waiting on the last (this loop was the largest single part of register's
    /// processor time, 6–8 % on the 30×30 periodic bench grid).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ((float, float), (float, float), (float, float)) ComplexDots(ReadOnlySpan<float> re, ReadOnlySpan<float> im, ReadOnlySpan<float> er, ReadOnlySpan<float> ei, int n)
    {
        int v = Vector<float>.Count, k = 0;
        ReadOnlySpan<float> c0 = er[..n], c1 = er.Slice(n, n), c2 = er.Slice(2 * n, n);
        ReadOnlySpan<float> d0 = ei[..n], d1 = ei.Slice(n, n), d2 = ei.Slice(2 * n, n);
        if (re.Length < n || im.Length < n)
        {
            throw new ArgumentException("The spectrum's row is shorter than its factors.", nameof(re));
        }

        // Read through references: every row is checked to hold n values above, not at every vector.
        ref float pr = ref MemoryMarshal.GetReference(re), pi = ref MemoryMarshal.GetReference(im);
        ref float pc0 = ref MemoryMarshal.GetReference(c0), pc1 = ref MemoryMarshal.GetReference(c1), pc2 = ref MemoryMarshal.GetReference(c2);
        ref float pd0 = ref MemoryMarshal.GetReference(d0), pd1 = ref MemoryMarshal.GetReference(d1), pd2 = ref MemoryMarshal.GetReference(d2);
        Vector<float> r0 = default, i0 = default, r1 = default, i1 = default, r2 = default, i2 = default;
        for (; k <= n - v; k += v)
        {
            nuint at = (nuint)k;
            Vector<float> a = Vector.LoadUnsafe(ref pr, at), b = Vector.LoadUnsafe(ref pi, at);
            Vector<float> c = Vector.LoadUnsafe(ref pc0, at), d = Vector.LoadUnsafe(ref pd0, at);
            r0 += (a * c) - (b * d);
            i0 += (a * d) + (b * c);
            c = Vector.LoadUnsafe(ref pc1, at);
            d = Vector.LoadUnsafe(ref pd1, at);
            r1 += (a * c) - (b * d);
            i1 += (a * d) + (b * c);
            c = Vector.LoadUnsafe(ref pc2, at);
            d = Vector.LoadUnsafe(ref pd2, at);
            r2 += (a * c) - (b * d);
            i2 += (a * d) + (b * c);
        }

        return (Tail(re, im, c0, d0, k, Vector.Sum(r0), Vector.Sum(i0)), Tail(re, im, c1, d1, k, Vector.Sum(r1), Vector.Sum(i1)),
            Tail(re, im, c2, d2, k, Vector.Sum(r2), Vector.Sum(i2)));
    }

    /// <summary>The scalar rest of a <see cref="ComplexDot"/> from index <paramref name="k"/>, added to the vectors' sums (r, i).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (float Re, float Im) Tail(ReadOnlySpan<float> re, ReadOnlySpan<float> im, ReadOnlySpan<float> er, ReadOnlySpan<float> ei, int k, float r, float i)
    {
        for (; k < re.Length; k++)
        {
            r += (re[k] * er[k]) - (im[k] * ei[k]);
            i += (re[k] * ei[k]) + (im[k] * er[k]);
        }

        return (r, i);
    }

    /// <summary>Σ (re + i·im)(er + i·ei), vector by vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (float Re, float Im) ComplexDot(ReadOnlySpan<float> re, ReadOnlySpan<float> im, ReadOnlySpan<float> er, ReadOnlySpan<float> ei)
    {
        int v = Vector<float>.Count, k = 0, n = re.Length;
        Vector<float> sr = default, si = default;
        for (; k <= n - v; k += v)
        {
            Vector<float> a = new(re[k..]), b = new(im[k..]), c = new(er[k..]), d = new(ei[k..]);
            sr += (a * c) - (b * d);
            si += (a * d) + (b * c);
        }

        return Tail(re, im, er, ei, k, Vector.Sum(sr), Vector.Sum(si));
    }
}
