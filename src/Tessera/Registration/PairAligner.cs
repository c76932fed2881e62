using System.Numerics;
using System.Runtime.CompilerServices;

namespace Tessera.Registration;

/// <summary>What became of one neighbour pair.</summary>
public enum PairOutcome
{
    /// <summary>Measured, inside the stage model and kept by the global solve.</summary>
    Measured,

    /// <summary>One of the two overlap strips has no texture at all (blank or black); the stage model's offset was used.</summary>
    Blank,

    /// <summary>No interpretation of any correlation peak correlates well on the real overlap (textureless, or no true overlap); the model's offset was used.</summary>
    LowCorrelation,

    /// <summary>Measured, but further from the stage model than its repeatability allows; the model's offset was used.</summary>
    OutsideStageModel,

    /// <summary>Measured, but disagreed with the global solution of all other pairs; dropped by the solve.</summary>
    RemovedBySolve,
}

/// <summary>A measured shift in strip coordinates (decoded pixels) and its normalised cross-correlation.</summary>
internal readonly record struct StripShift(PairOutcome Outcome, double Tx, double Ty, double Correlation);

/// <summary>
/// Aligns two overlap strips of one shape: <c>A</c> (the first tile's edge strip) and <c>B</c> (the
/// second tile's facing strip), both <c>width</c> × <c>length</c> bytes, row-major, where the
/// second tile's strip holds A shifted: B(u, v) = A(u + tx, v + ty). North/south strips are stored
/// transposed so that one aligner shape serves both directions.
/// </summary>
/// <remarks>
/// Both strips are high-passed first (minus a box mean), which removes vignetting, gain and smooth
/// shading, so that textureless strips correlate as the noise they are. Phase correlation of A + iB
/// in one complex FFT gives candidate peaks; every interpretation of each peak (the FFT's
/// wrap-around makes t and t − N alike) inside the search window is scored by normalised
/// cross-correlation on the overlap it implies; the best is polished by hill-climbing and a
/// parabola through its neighbours for the subpixel part.
/// </remarks>
internal sealed class PairAligner
{
    private const int BoxRadius = 8;
    private readonly int _width;
    private readonly int _length;
    private readonly int _cropStart;
    private readonly IFft2D _fft;
    private readonly int _nominalTx;
    private readonly int _margin;
    private readonly RegistrationOptions _options;
    private readonly ThreadLocal<Scratch> _scratch;

    public PairAligner(int width, int length, int nominalTx, int margin, RegistrationOptions options)
    {
        _width = width;
        _length = length;
        _nominalTx = nominalTx;
        _margin = margin;
        _options = options;

        // Across the strip: pad to a power of two. Along it: crop to the largest power of two inside
        // unless that loses over 40 % of the strip, then pad.
        int nx = Fft2D.CeilingPowerOfTwo(width);
        int ny = Fft2D.FloorPowerOfTwo(length);
        if (ny < 0.6 * length)
        {
            ny = Fft2D.CeilingPowerOfTwo(length);
        }

        // Rows beyond twice the width add little to finding the peak (measured on the benchmark
        // grids); the NCC that picks and refines it still uses the whole strip.
        ny = Math.Max(Math.Min(ny, 2 * nx), Math.Min(64, ny));
        _cropStart = Math.Max(0, (length - ny) / 2);
        _fft = FftBackends.Create(nx, ny, options.Fft);
        _scratch = new ThreadLocal<Scratch>(() => new Scratch(width, length, _fft.CreateWorkspace()));
    }

    /// <summary>The FFT in use (its name says which backend).</summary>
    public IFft2D Fft => _fft;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public StripShift Align(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        Scratch s = _scratch.Value!;
        double stdA = HighPass(a, s.A, s);
        double stdB = HighPass(b, s.B, s);
        if (stdA < _options.MinTexture || stdB < _options.MinTexture)
        {
            return new StripShift(PairOutcome.Blank, _nominalTx, 0, 0);
        }

        PhaseCorrelate(s);
        var scores = s.Scores;
        scores.Clear();
        int bestTx = _nominalTx, bestTy = 0;
        double best = Score(s, bestTx, bestTy);
        foreach (var (px, py) in Peaks(s))
        {
            foreach (int tx in (ReadOnlySpan<int>)[px, px - _fft.Width])
            {
                foreach (int ty in (ReadOnlySpan<int>)[py, py - _fft.Height])
                {
                    double c = Score(s, tx, ty);
                    if (c > best)
                    {
                        (best, bestTx, bestTy) = (c, tx, ty);
                    }
                }
            }
        }

        // Hill-climb to the local maximum of the correlation (peaks can sit a pixel off), over the
        // four nearest neighbours: those are the ones the subpixel step looks at anyway.
        for (int step = 0; step < 4 * _margin + 4; step++)
        {
            int nextTx = bestTx, nextTy = bestTy;
            foreach (var (dx, dy) in (ReadOnlySpan<(int, int)>)[(-1, 0), (1, 0), (0, -1), (0, 1)])
            {
                double c = Score(s, bestTx + dx, bestTy + dy);
                if (c > best)
                {
                    (best, nextTx, nextTy) = (c, bestTx + dx, bestTy + dy);
                }
            }

            if (nextTx == bestTx && nextTy == bestTy)
            {
                break;
            }

            (bestTx, bestTy) = (nextTx, nextTy);
        }

        if (best < _options.MinCorrelation)
        {
            return new StripShift(PairOutcome.LowCorrelation, _nominalTx, 0, Math.Max(best, 0));
        }

        if (!Subpixel(s, bestTx, bestTy, out double fx, out double fy))
        {
            fx = Parabola(Score(s, bestTx - 1, bestTy), best, Score(s, bestTx + 1, bestTy));
            fy = Parabola(Score(s, bestTx, bestTy - 1), best, Score(s, bestTx, bestTy + 1));
        }

        return new StripShift(PairOutcome.Measured, bestTx + fx, bestTy + fy, best);
    }

    /// <summary>
    /// The subpixel part of the shift by Lucas–Kanade on the overlap: B, scaled to A's contrast, is
    /// the template; gradients and their normal matrix are computed once; each iteration resamples
    /// A bilinearly at the current shift and solves a 2×2 system. Unlike a
    /// parabola through correlation values it has no pull towards whole pixels. False where the
    /// overlap is too small or its texture too weak to trust.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Subpixel(Scratch s, int tx, int ty, out double fx, out double fy)
    {
        fx = fy = 0;
        int w = _width;
        float[] a = s.A, b = s.B;

        // B pixels (u, v) whose A partners at u + t + f (|f| ≤ 1) have both bilinear neighbours
        // inside A, with a border of one in B for its gradients.
        int u0 = Math.Max(1, 2 - tx), u1 = Math.Min(w - 1, w - 3 - tx);
        int v0 = Math.Max(1, 2 - ty), v1 = Math.Min(_length - 1, _length - 3 - ty);
        int cols = u1 - u0, rows = v1 - v0;
        if (cols < 3 || rows < 8)
        {
            return false;
        }

        var (n, sa, sb, saa, sbb, _) = OverlapSums(a, b, tx, ty, u0 + tx, u1 + tx, v0 + ty, v1 + ty);
        double mb = sb / n, ma = sa / n;
        double varB = (sbb / n) - (mb * mb), varA = (saa / n) - (ma * ma);
        if (varA <= 1e-6 || varB <= 1e-6)
        {
            return false;
        }

        // Template: B' = (B − mean B)·gain + mean A; the gradient is the mean of B's and of A's at the
        // whole-pixel shift (which cancels the first-order bias of using either alone), fixed for
        // all iterations together with its normal matrix.
        float gain = (float)Math.Sqrt(varA / varB), offset = (float)(ma - (mb * gain));
        float[] tv = s.TemplateValue, tgx = s.TemplateGx, tgy = s.TemplateGy;
        double hxx = 0, hxy = 0, hyy = 0;
        int vector = Vector<float>.Count;
        var vGain = new Vector<float>(gain);
        var vOffset = new Vector<float>(offset);
        var quarter = new Vector<float>(0.25f);
        for (int v = v0; v < v1; v++)
        {
            int k0 = (v - v0) * cols, i = (v * w) + u0, j = ((v + ty) * w) + u0 + tx;
            ReadOnlySpan<float> bm = b.AsSpan(i, cols), bl = b.AsSpan(i - 1, cols), br = b.AsSpan(i + 1, cols), bu = b.AsSpan(i - w, cols), bd = b.AsSpan(i + w, cols);
            ReadOnlySpan<float> al = a.AsSpan(j - 1, cols), ar = a.AsSpan(j + 1, cols), au = a.AsSpan(j - w, cols), ad = a.AsSpan(j + w, cols);
            Span<float> t = tv.AsSpan(k0, cols), gxs = tgx.AsSpan(k0, cols), gys = tgy.AsSpan(k0, cols);
            Vector<float> axx = default, axy = default, ayy = default;
            int u = 0;
            for (; u <= cols - vector; u += vector)
            {
                Vector<float> gx = quarter * ((vGain * (new Vector<float>(br[u..]) - new Vector<float>(bl[u..]))) + (new Vector<float>(ar[u..]) - new Vector<float>(al[u..])));
                Vector<float> gy = quarter * ((vGain * (new Vector<float>(bd[u..]) - new Vector<float>(bu[u..]))) + (new Vector<float>(ad[u..]) - new Vector<float>(au[u..])));
                ((new Vector<float>(bm[u..]) * vGain) + vOffset).CopyTo(t[u..]);
                gx.CopyTo(gxs[u..]);
                gy.CopyTo(gys[u..]);
                axx += gx * gx;
                axy += gx * gy;
                ayy += gy * gy;
            }

            float rxx = Vector.Sum(axx), rxy = Vector.Sum(axy), ryy = Vector.Sum(ayy);
            for (; u < cols; u++)
            {
                float gx = 0.25f * ((gain * (br[u] - bl[u])) + (ar[u] - al[u]));
                float gy = 0.25f * ((gain * (bd[u] - bu[u])) + (ad[u] - au[u]));
                t[u] = (bm[u] * gain) + offset;
                gxs[u] = gx;
                gys[u] = gy;
                rxx += gx * gx;
                rxy += gx * gy;
                ryy += gy * gy;
            }

            hxx += rxx;
            hxy += rxy;
            hyy += ryy;
        }

        double det = (hxx * hyy) - (hxy * hxy);
        if (det <= 1e-9 * Math.Max(1, hxx * hyy))
        {
            return false;
        }

        for (int iteration = 0; iteration < 4; iteration++)
        {
            int ix = (int)Math.Floor(tx + fx), iy = (int)Math.Floor(ty + fy);
            float wx = (float)(tx + fx - ix), wy = (float)(ty + fy - iy);
            float w00 = (1 - wx) * (1 - wy), w01 = wx * (1 - wy), w10 = (1 - wx) * wy, w11 = wx * wy;
            var v00 = new Vector<float>(w00);
            var v01 = new Vector<float>(w01);
            var v10 = new Vector<float>(w10);
            var v11 = new Vector<float>(w11);
            double ex = 0, ey = 0;
            for (int v = v0; v < v1; v++)
            {
                int k0 = (v - v0) * cols;
                ReadOnlySpan<float> top = a.AsSpan(((v + iy) * w) + u0 + ix, cols + 1);
                ReadOnlySpan<float> bottom = a.AsSpan(((v + iy + 1) * w) + u0 + ix, cols + 1);
                ReadOnlySpan<float> t = tv.AsSpan(k0, cols), gxs = tgx.AsSpan(k0, cols), gys = tgy.AsSpan(k0, cols);
                Vector<float> accX = default, accY = default;
                int u = 0;
                for (; u <= cols - vector; u += vector)
                {
                    Vector<float> resampled = (new Vector<float>(top[u..]) * v00) + (new Vector<float>(top[(u + 1)..]) * v01)
                        + (new Vector<float>(bottom[u..]) * v10) + (new Vector<float>(bottom[(u + 1)..]) * v11);
                    Vector<float> e = new Vector<float>(t[u..]) - resampled;
                    accX += new Vector<float>(gxs[u..]) * e;
                    accY += new Vector<float>(gys[u..]) * e;
                }

                float rx = Vector.Sum(accX), ry = Vector.Sum(accY);
                for (; u < cols; u++)
                {
                    float resampled = (top[u] * w00) + (top[u + 1] * w01) + (bottom[u] * w10) + (bottom[u + 1] * w11);
                    float e = t[u] - resampled;
                    rx += gxs[u] * e;
                    ry += gys[u] * e;
                }

                ex += rx;
                ey += ry;
            }

            double dx = ((hyy * ex) - (hxy * ey)) / det;
            double dy = ((hxx * ey) - (hxy * ex)) / det;
            fx += dx;
            fy += dy;
            if (Math.Abs(fx) > 1 || Math.Abs(fy) > 1)
            {
                return false;
            }

            if (Math.Abs(dx) < 0.01 && Math.Abs(dy) < 0.01)
            {
                break;
            }
        }

        return true;
    }

    /// <summary>Vertex of the parabola through three equally spaced values, as an offset from the middle one.</summary>
    private static double Parabola(double left, double middle, double right)
    {
        if (left <= -1 || right <= -1)
        {
            return 0;
        }

        double curvature = left - (2 * middle) + right;
        return curvature < 0 ? Math.Clamp(0.5 * (left - right) / curvature, -0.5, 0.5) : 0;
    }

    /// <summary>
    /// Strip minus its local box mean (a (2r+1)² box, shrunk at the edges), as floats, by running
    /// sums along rows then down columns; returns the standard deviation of the result.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double HighPass(ReadOnlySpan<byte> source, float[] target, Scratch s)
    {
        int w = _width, h = _length;
        int[] rowSums = s.RowSums, columnSums = s.ColumnSums;

        // Horizontal sums of every row: differences of the row's prefix sums, the interior (where the
        // box is whole) as one vector subtraction.
        int[] prefix = s.Prefix;
        for (int y = 0; y < h; y++)
        {
            ReadOnlySpan<byte> row = source.Slice(y * w, w);
            Span<int> sums = rowSums.AsSpan(y * w, w);
            int running = 0;
            prefix[0] = 0;
            for (int x = 0; x < w; x++)
            {
                running += row[x];
                prefix[x + 1] = running;
            }

            int interiorEnd = w - BoxRadius - 1;
            int x0 = 0;
            for (; x0 < Math.Min(BoxRadius, w); x0++)
            {
                sums[x0] = prefix[Math.Min(w, x0 + BoxRadius + 1)];
            }

            int vectorInt = Vector<int>.Count;
            for (; x0 <= interiorEnd - vectorInt + 1; x0 += vectorInt)
            {
                (new Vector<int>(prefix.AsSpan(x0 + BoxRadius + 1)) - new Vector<int>(prefix.AsSpan(x0 - BoxRadius))).CopyTo(sums[x0..]);
            }

            for (; x0 < w; x0++)
            {
                sums[x0] = prefix[Math.Min(w, x0 + BoxRadius + 1)] - prefix[Math.Max(0, x0 - BoxRadius)];
            }
        }

        // Vertical running sums of the horizontal sums.
        Array.Clear(columnSums, 0, w);
        for (int y = 0; y < Math.Min(BoxRadius, h); y++)
        {
            Add(columnSums.AsSpan(0, w), rowSums.AsSpan(y * w, w), 1);
        }

        float[] inverseX = s.InverseCountX;
        double sum = 0, sumSq = 0;
        for (int y = 0; y < h; y++)
        {
            if (y + BoxRadius < h)
            {
                Add(columnSums.AsSpan(0, w), rowSums.AsSpan((y + BoxRadius) * w, w), 1);
            }

            if (y - BoxRadius - 1 >= 0)
            {
                Add(columnSums.AsSpan(0, w), rowSums.AsSpan((y - BoxRadius - 1) * w, w), -1);
            }

            float inverseY = 1f / (Math.Min(h, y + BoxRadius + 1) - Math.Max(0, y - BoxRadius));
            ReadOnlySpan<byte> row = source.Slice(y * w, w);
            Span<float> output = target.AsSpan(y * w, w);
            for (int x = 0; x < w; x++)
            {
                output[x] = row[x];
            }

            int vector = Vector<float>.Count, i = 0;
            var vInverseY = new Vector<float>(inverseY);
            Vector<float> vSum = default, vSq = default;
            for (; i <= w - vector; i += vector)
            {
                Vector<float> local = Vector.ConvertToSingle(new Vector<int>(columnSums.AsSpan(i))) * new Vector<float>(inverseX.AsSpan(i)) * vInverseY;
                Vector<float> v = new Vector<float>(output[i..]) - local;
                v.CopyTo(output[i..]);
                vSum += v;
                vSq += v * v;
            }

            float rowSum = Vector.Sum(vSum), rowSq = Vector.Sum(vSq);
            for (; i < w; i++)
            {
                float v = output[i] - (columnSums[i] * inverseX[i] * inverseY);
                output[i] = v;
                rowSum += v;
                rowSq += v * v;
            }

            sum += rowSum;
            sumSq += rowSq;
        }

        double n = (double)w * h;
        double mean = sum / n;
        return Math.Sqrt(Math.Max(0, (sumSq / n) - (mean * mean)));

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        static void Add(Span<int> into, ReadOnlySpan<int> values, int sign)
        {
            int x = 0, vector = Vector<int>.Count;
            var vSign = new Vector<int>(sign);
            for (; x <= into.Length - vector; x += vector)
            {
                (new Vector<int>(into[x..]) + (vSign * new Vector<int>(values[x..]))).CopyTo(into[x..]);
            }

            for (; x < into.Length; x++)
            {
                into[x] += sign * values[x];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PhaseCorrelate(Scratch s)
    {
        int nx = _fft.Width, ny = _fft.Height, w = _width;
        FftWorkspace ws = s.Fft;
        Span<float> re = ws.Re, im = ws.Im;
        int st = ws.Stride;
        ws.Values.Clear();
        int rows = Math.Min(ny, _length);
        for (int y = 0; y < rows; y++)
        {
            ReadOnlySpan<float> a = s.A.AsSpan((y + _cropStart) * w, w), b = s.B.AsSpan((y + _cropStart) * w, w);
            if (st == 1)
            {
                a.CopyTo(re.Slice(y * nx, w));
                b.CopyTo(im.Slice(y * nx, w));
            }
            else
            {
                Span<float> line = ws.Values.Slice(y * nx * 2, 2 * w);
                for (int x = 0; x < w; x++)
                {
                    line[2 * x] = a[x];
                    line[(2 * x) + 1] = b[x];
                }
            }
        }

        _fft.Forward(ws);

        // Z = FFT(A + iB): FA = (Z(k) + conj Z(−k)) / 2, FB = (Z(k) − conj Z(−k)) / 2i. The
        // normalised cross-power FA·conj(FB) is Hermitian, so each pair {k, −k} is done once. The
        // spectrum is `outer` lines of `inner` (which axis is which depends on the backend); −k
        // negates both indices, modulo the powers of two.
        int inner = _fft.TransposedSpectrum ? ny : nx, outer = _fft.TransposedSpectrum ? nx : ny;
        for (int ko = 0; ko < outer; ko++)
        {
            int nko = (outer - ko) & (outer - 1);
            for (int ki = 0; ki < inner; ki++)
            {
                int i = (ko * inner) + ki;
                int j = (nko * inner) + ((inner - ki) & (inner - 1));
                if (j < i)
                {
                    continue;
                }

                float zr = re[i * st], zi = im[i * st], wr = re[j * st], wi = im[j * st];
                float ar = 0.5f * (zr + wr), ai = 0.5f * (zi - wi);
                float br = 0.5f * (zi + wi), bi = -0.5f * (zr - wr);
                float cr = (ar * br) + (ai * bi), ci = (ai * br) - (ar * bi);
                float magnitude = MathF.Sqrt((cr * cr) + (ci * ci));
                if (magnitude > 1e-12f)
                {
                    cr /= magnitude;
                    ci /= magnitude;
                }
                else
                {
                    cr = ci = 0;
                }

                re[i * st] = cr;
                im[i * st] = ci;
                re[j * st] = cr;
                im[j * st] = i == j ? 0 : -ci;
            }
        }

        _fft.Inverse(ws);
    }

    /// <summary>
    /// The strongest local maxima of the correlation surface whose shift, in some interpretation,
    /// lies in the search window, as (x, y) indices; cells outside it are never looked at.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private List<(int X, int Y)> Peaks(Scratch s)
    {
        Span<float> surface = s.Fft.Re;
        int st = s.Fft.Stride;
        int nx = _fft.Width, ny = _fft.Height;
        List<int> rows = s.WindowRows, columns = s.WindowColumns;
        if (rows.Count == 0)
        {
            var seenRows = new HashSet<int>();
            for (int ty = -_margin - 1; ty <= _margin + 1; ty++)
            {
                if (seenRows.Add(((ty % ny) + ny) % ny))
                {
                    rows.Add(((ty % ny) + ny) % ny);
                }
            }

            var seenColumns = new HashSet<int>();
            for (int tx = _nominalTx - _margin - 1; tx <= _nominalTx + _margin + 1; tx++)
            {
                if (seenColumns.Add(((tx % nx) + nx) % nx))
                {
                    columns.Add(((tx % nx) + nx) % nx);
                }
            }
        }

        var peaks = new List<(int, int)>(_options.Peaks);
        for (int p = 0; p < _options.Peaks; p++)
        {
            int px = -1, py = -1;
            float max = float.NegativeInfinity;
            foreach (int y in rows)
            {
                int offset = y * nx;
                foreach (int x in columns)
                {
                    if (surface[(offset + x) * st] > max)
                    {
                        (max, px, py) = (surface[(offset + x) * st], x, y);
                    }
                }
            }

            if (px < 0)
            {
                break;
            }

            peaks.Add((px, py));
            for (int dy = -2; dy <= 2; dy++)
            {
                for (int dx = -2; dx <= 2; dx++)
                {
                    surface[(((py + dy + ny) % ny * nx) + ((px + dx + nx) % nx)) * st] = float.NegativeInfinity;
                }
            }
        }

        return peaks;
    }

    /// <summary>Normalised cross-correlation of the overlap that shift (tx, ty) implies; −2 outside the search window or for too small an overlap.</summary>
    private double Score(Scratch s, int tx, int ty)
    {
        if (Math.Abs(tx - _nominalTx) > _margin + 1 || Math.Abs(ty) > _margin + 1)
        {
            return -2;
        }

        if (s.Scores.TryGetValue((tx, ty), out double cached))
        {
            return cached;
        }

        double score = Ncc(s.A, s.B, tx, ty);
        s.Scores[(tx, ty)] = score;
        return score;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double Ncc(float[] a, float[] b, int tx, int ty)
    {
        int w = _width;
        int ax0 = Math.Max(0, tx), ax1 = Math.Min(w, w + tx);
        int ay0 = Math.Max(0, ty), ay1 = Math.Min(_length, _length + ty);
        if (ax1 - ax0 < 3 || ay1 - ay0 < _length / 2)
        {
            return -2;
        }

        var (n, sa, sb, saa, sbb, sab) = OverlapSums(a, b, tx, ty, ax0, ax1, ay0, ay1);
        double cov = sab - (sa * sb / n);
        double va2 = saa - (sa * sa / n), vb2 = sbb - (sb * sb / n);
        return va2 <= 1e-9 || vb2 <= 1e-9 ? 0 : cov / Math.Sqrt(va2 * vb2);
    }

    /// <summary>Sums over A's columns [ax0, ax1) and rows [ay0, ay1) and B's pixels shifted by −t: n, ΣA, ΣB, ΣA², ΣB², ΣAB.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (double N, double A, double B, double AA, double BB, double AB) OverlapSums(float[] a, float[] b, int tx, int ty, int ax0, int ax1, int ay0, int ay1)
    {
        int w = _width, cols = ax1 - ax0;
        double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
        int vector = Vector<float>.Count;
        for (int y = ay0; y < ay1; y++)
        {
            ReadOnlySpan<float> ra = a.AsSpan((y * w) + ax0, cols);
            ReadOnlySpan<float> rb = b.AsSpan(((y - ty) * w) + ax0 - tx, cols);
            Vector<float> va = default, vb = default, vaa = default, vbb = default, vab = default;
            int x = 0;
            for (; x <= cols - vector; x += vector)
            {
                var pa = new Vector<float>(ra[x..]);
                var pb = new Vector<float>(rb[x..]);
                va += pa;
                vb += pb;
                vaa += pa * pa;
                vbb += pb * pb;
                vab += pa * pb;
            }

            float fa = Vector.Sum(va), fb = Vector.Sum(vb), faa = Vector.Sum(vaa), fbb = Vector.Sum(vbb), fab = Vector.Sum(vab);
            for (; x < cols; x++)
            {
                float pa = ra[x], pb = rb[x];
                fa += pa;
                fb += pb;
                faa += pa * pa;
                fbb += pb * pb;
                fab += pa * pb;
            }

            sa += fa;
            sb += fb;
            saa += faa;
            sbb += fbb;
            sab += fab;
        }

        return ((double)cols * (ay1 - ay0), sa, sb, saa, sbb, sab);
    }

    private sealed class Scratch(int width, int length, FftWorkspace fft)
    {
        public float[] A { get; } = new float[width * length];
        public float[] B { get; } = new float[width * length];
        public int[] RowSums { get; } = new int[width * length];
        public int[] ColumnSums { get; } = new int[width];
        public int[] Prefix { get; } = new int[width + 1];
        public float[] InverseCountX { get; } = Enumerable.Range(0, width)
            .Select(x => 1f / (Math.Min(width, x + BoxRadius + 1) - Math.Max(0, x - BoxRadius))).ToArray();
        public FftWorkspace Fft { get; } = fft;
        public Dictionary<(int, int), double> Scores { get; } = [];
        public List<int> WindowRows { get; } = [];
        public float[] TemplateValue { get; } = new float[width * length];
        public float[] TemplateGx { get; } = new float[width * length];
        public float[] TemplateGy { get; } = new float[width * length];
        public List<int> WindowColumns { get; } = [];
    }
}
