using System.Runtime.CompilerServices;

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
    private readonly int _nx;
    private readonly int _ny;
    private readonly float[] _re;
    private readonly float[] _im;
    private readonly float[] _tRe;
    private readonly float[] _tIm;
    private readonly float[] _exRe;
    private readonly float[] _exIm;
    private readonly float[] _eyRe;
    private readonly float[] _eyIm;
    private readonly double[] _surface = new double[Points * Points];

    public UpsampledPeak(int nx, int ny)
    {
        _nx = nx;
        _ny = ny;
        _re = new float[nx * ny];
        _im = new float[nx * ny];
        _tRe = new float[ny * Points];
        _tIm = new float[ny * Points];
        _exRe = new float[nx * Points];
        _exIm = new float[nx * Points];
        _eyRe = new float[ny * Points];
        _eyIm = new float[ny * Points];
    }

    /// <summary>The spectrum value at (kx, ky), row-major by ky; the caller fills it.</summary>
    public void Set(int kx, int ky, float re, float im)
    {
        // The Nyquist row and column have no sign of their own; leaving them out keeps the
        // interpolation symmetric.
        bool nyquist = (kx == _nx / 2 && _nx > 1) || (ky == _ny / 2 && _ny > 1);
        _re[(ky * _nx) + kx] = nyquist ? 0 : re;
        _im[(ky * _nx) + kx] = nyquist ? 0 : im;
    }

    /// <summary>
    /// The shift (within ±1 px of the origin) where the correlation peaks: grids of 9 × 9 points
    /// at 1/4, 1/32 and 1/256 px, each centred on the best point of the one before, then a
    /// parabola through the last grid's best point and its neighbours.
    /// </summary>
    public (double X, double Y) Find()
    {
        double cx = 0, cy = 0;
        foreach (double spacing in (ReadOnlySpan<double>)[0.25, 1.0 / 32, 1.0 / 256])
        {
            Evaluate(cx, cy, spacing);
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
        }

        return (Math.Clamp(cx, -1.5, 1.5), Math.Clamp(cy, -1.5, 1.5));
    }

    private static double Vertex(double left, double middle, double right)
    {
        double curvature = left - (2 * middle) + right;
        return curvature < 0 ? Math.Clamp(0.5 * (left - right) / curvature, -0.5, 0.5) : 0;
    }

    /// <summary>Re Σ R(k) e^{2πi(kx·sx/nx + ky·sy/ny)} on a 9 × 9 grid around (cx, cy): over kx first, then ky.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Evaluate(double cx, double cy, double spacing)
    {
        Twiddles(_exRe, _exIm, _nx, cx, spacing);
        Twiddles(_eyRe, _eyIm, _ny, cy, spacing);
        for (int ky = 0; ky < _ny; ky++)
        {
            ReadOnlySpan<float> re = _re.AsSpan(ky * _nx, _nx), im = _im.AsSpan(ky * _nx, _nx);
            for (int j = 0; j < Points; j++)
            {
                ReadOnlySpan<float> er = _exRe.AsSpan(j * _nx, _nx), ei = _exIm.AsSpan(j * _nx, _nx);
                float sr = 0, si = 0;
                for (int kx = 0; kx < _nx; kx++)
                {
                    sr += (re[kx] * er[kx]) - (im[kx] * ei[kx]);
                    si += (re[kx] * ei[kx]) + (im[kx] * er[kx]);
                }

                _tRe[(j * _ny) + ky] = sr;
                _tIm[(j * _ny) + ky] = si;
            }
        }

        for (int l = 0; l < Points; l++)
        {
            ReadOnlySpan<float> er = _eyRe.AsSpan(l * _ny, _ny), ei = _eyIm.AsSpan(l * _ny, _ny);
            for (int j = 0; j < Points; j++)
            {
                ReadOnlySpan<float> tr = _tRe.AsSpan(j * _ny, _ny), ti = _tIm.AsSpan(j * _ny, _ny);
                double sum = 0;
                for (int ky = 0; ky < _ny; ky++)
                {
                    sum += (tr[ky] * er[ky]) - (ti[ky] * ei[ky]);
                }

                _surface[(l * Points) + j] = sum;
            }
        }
    }

    /// <summary>e^{2πi·k·s/n} for signed k and the grid's points s = c + (j − 4)·spacing.</summary>
    private static void Twiddles(float[] re, float[] im, int n, double centre, double spacing)
    {
        for (int j = 0; j < Points; j++)
        {
            double s = centre + ((j - (Points / 2)) * spacing);
            for (int k = 0; k < n; k++)
            {
                int signed = k < (n + 1) / 2 ? k : k - n;
                (double sin, double cos) = Math.SinCos(2 * Math.PI * signed * s / n);
                re[(j * n) + k] = (float)cos;
                im[(j * n) + k] = (float)sin;
            }
        }
    }
}
