using System.Runtime.CompilerServices;

namespace Tessera.Registration;

/// <summary>
/// The subpixel rest of a whole-pixel shift (within ±1.5 px) from the overlap alone: both strips'
/// overlap patches at the whole-pixel shift, windowed alike, their cross-power spectrum upsampled
/// around the peak (<see cref="UpsampledPeak"/>). Correlating only what overlaps, with one window on
/// both, leaves no pull towards the strips' centres; the whole-strip correlation would have one.
/// The patch is as much of the overlap as the transform holds, from its middle. One instance per thread.
/// </summary>
internal sealed class SubpixelStep
{
    private readonly IFft2D _fft;
    private readonly FftWorkspace _workspace;
    private readonly UpsampledPeak _peak;
    private readonly double _taperAcross;
    private readonly double _taperAlong;
    private readonly Dictionary<(int, double), float[]> _windows = [];

    /// <param name="workspace">The transform's arrays, which this step may share with others of the same thread.</param>
    /// <param name="taperAcross">The fraction of the patch's width under the window's tapers (<see cref="TukeyWindow"/>; 1: Hann).</param>
    /// <param name="taperAlong">The same along its length.</param>
    public SubpixelStep(IFft2D fft, FftWorkspace workspace, double taperAcross, double taperAlong)
    {
        _fft = fft;
        _workspace = workspace;
        _peak = new UpsampledPeak(fft.Width, fft.Height);
        _taperAcross = taperAcross;
        _taperAlong = taperAlong;
    }

    /// <summary>
    /// The rest of shift (tx, ty) between whitened strips <paramref name="a"/> and <paramref name="b"/>
    /// (<paramref name="width"/> × <paramref name="length"/>, B(u, v) = A(u + tx, v + ty)); none where
    /// the overlap is under 4 px either way.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public SubpixelRest Refine(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int width, int length, int tx, int ty, RegistrationTimings? timings)
    {
        if (Patch(width, length, tx, ty) is not (int ax0, int ay0, int pw, int ph))
        {
            return default;
        }

        int nx = _fft.Width, ny = _fft.Height;
        long start = RegistrationTimings.Start(timings);
        FftWorkspace ws = _workspace;
        Span<float> re = ws.Re, im = ws.Im;
        int st = ws.Stride;
        ws.Values.Clear();
        float[] windowX = Window(pw, _taperAcross), windowY = Window(ph, _taperAlong);
        for (int y = 0; y < ph; y++)
        {
            float wy = windowY[y];
            ReadOnlySpan<float> pa = a.Slice(((ay0 + y) * width) + ax0, pw), pb = b.Slice(((ay0 + y - ty) * width) + ax0 - tx, pw);
            int row = y * nx * st;
            for (int x = 0; x < pw; x++)
            {
                float window = wy * windowX[x];
                re[row + (x * st)] = window * pa[x];
                im[row + (x * st)] = window * pb[x];
            }
        }

        _fft.Forward(ws);
        Span<float> peakRe = _peak.Re, peakIm = _peak.Im;
        bool transposed = _fft.TransposedSpectrum;
        for (int ky = 0; ky < UpsampledPeak.HalfRows(ny); ky++)
        {
            int nky = (ny - ky) & (ny - 1);
            for (int kx = 0; kx < nx; kx++)
            {
                int nkx = (nx - kx) & (nx - 1);
                int i = (transposed ? (kx * ny) + ky : (ky * nx) + kx) * st;
                int j = (transposed ? (nkx * ny) + nky : (nky * nx) + nkx) * st;

                // Z = FFT(A + iB): FA = (Z(k) + conj Z(−k)) / 2, FB = (Z(k) − conj Z(−k)) / 2i.
                float zr = re[i], zi = im[i], wr = re[j], wi = im[j];
                float ar = 0.5f * (zr + wr), ai = 0.5f * (zi - wi);
                float br = 0.5f * (zi + wi), bi = -0.5f * (zr - wr);
                peakRe[(ky * nx) + kx] = (ar * br) + (ai * bi);
                peakIm[(ky * nx) + kx] = (ai * br) - (ar * bi);
            }
        }

        timings?.Add(RegistrationStage.RefineSpectrum, start);
        start = RegistrationTimings.Start(timings);
        var (x0, y0) = _peak.Find();
        timings?.Add(RegistrationStage.Upsample, start);
        return new SubpixelRest(x0, y0);
    }

    /// <summary>
    /// How well the windowed patches agree at the rest the last <see cref="Refine"/> found, given the
    /// same strips and shift: their normalised correlation there. Only diagnostics ask (pair-probe),
    /// so the patches' energies are summed here, not on every refine.
    /// </summary>
    public double LastCorrelation(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int width, int length, int tx, int ty)
    {
        if (Patch(width, length, tx, ty) is not (int ax0, int ay0, int pw, int ph))
        {
            return 0;
        }

        float[] windowX = Window(pw, _taperAcross), windowY = Window(ph, _taperAlong);
        double energyA = 0, energyB = 0;
        for (int y = 0; y < ph; y++)
        {
            ReadOnlySpan<float> pa = a.Slice(((ay0 + y) * width) + ax0, pw), pb = b.Slice(((ay0 + y - ty) * width) + ax0 - tx, pw);
            for (int x = 0; x < pw; x++)
            {
                float window = windowY[y] * windowX[x];
                float va = window * pa[x], vb = window * pb[x];
                energyA += va * va;
                energyB += vb * vb;
            }
        }

        // The upsampled surface is the patches' correlation times the transform's size (Parseval).
        double norm = (double)_fft.Width * _fft.Height * Math.Sqrt(energyA * energyB);
        return norm > 0 ? _peak.Height / norm : 0;
    }

    /// <summary>
    /// The patch of the overlap at shift (tx, ty) that the transform holds, from its middle: A's first
    /// column and row, and its size; none where it is under 4 px either way.
    /// </summary>
    private (int X, int Y, int Width, int Height)? Patch(int width, int length, int tx, int ty)
    {
        int ax0 = Math.Max(0, tx), ax1 = Math.Min(width, width + tx);
        int ay0 = Math.Max(0, ty), ay1 = Math.Min(length, length + ty);
        int pw = Math.Min(ax1 - ax0, _fft.Width), ph = Math.Min(ay1 - ay0, _fft.Height);
        if (pw < 4 || ph < 4)
        {
            return null;
        }

        return (ax0 + (((ax1 - ax0) - pw) / 2), ay0 + (((ay1 - ay0) - ph) / 2), pw, ph);
    }

    /// <summary>The window of a patch side, made once per length.</summary>
    private float[] Window(int length, double taper)
    {
        if (!_windows.TryGetValue((length, taper), out float[]? window))
        {
            window = TukeyWindow.Create(length, taper);
            _windows[(length, taper)] = window;
        }

        return window;
    }
}
