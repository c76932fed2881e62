using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
        float[] windowX = Window(pw, _taperAcross), windowY = Window(ph, _taperAlong);
        bool interleaved = st == 2 && Avx2.IsSupported;
        if (!interleaved)
        {
            ws.Values.Clear();
        }

        for (int y = 0; y < ph; y++)
        {
            float wy = windowY[y];
            ReadOnlySpan<float> pa = a.Slice(((ay0 + y) * width) + ax0, pw), pb = b.Slice(((ay0 + y - ty) * width) + ax0 - tx, pw);
            int row = y * nx * st;
            int x = interleaved ? Interleave(wy, windowX, pa, pb, ws.Values.Slice(row, 2 * nx)) : 0;
            for (; x < pw; x++)
            {
                float window = wy * windowX[x];
                re[row + (x * st)] = window * pa[x];
                im[row + (x * st)] = window * pb[x];
            }
        }

        if (interleaved)
        {
            // The rest of each row, and the rows below the patch, are zero (the last transform
            // left its spectrum there): cleared here rather than before, so that the patch's
            // values are written once.
            for (int y = 0; y < ph; y++)
            {
                ws.Values.Slice((y * nx * 2) + (2 * pw), 2 * (nx - pw)).Clear();
            }

            ws.Values[(ph * nx * 2)..].Clear();
        }

        _fft.Forward(ws);
        Span<float> peakRe = _peak.Re, peakIm = _peak.Im;
        bool transposed = _fft.TransposedSpectrum;
        for (int ky = 0; ky < UpsampledPeak.HalfRows(ny); ky++)
        {
            int nky = (ny - ky) & (ny - 1);
            int first = 0;
            if (interleaved && !transposed)
            {
                first = CrossPowerRow(ws.Values, nx, ky, nky, peakRe.Slice(ky * nx, nx), peakIm.Slice(ky * nx, nx));
            }

            for (int kx = 0; kx < nx; kx++)
            {
                if (kx == 1 && first > 1)
                {
                    // Columns 1 … first − 1 are done.
                    kx = first;
                    if (kx >= nx)
                    {
                        break;
                    }
                }

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
    /// The windowed patch row written into an interleaved workspace row (re, im, re, im …):
    /// (wy·window(x))·a(x) and (wy·window(x))·b(x), eight columns at a time, the very products the
    /// scalar loop makes; returns the first column not written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Interleave(float wy, ReadOnlySpan<float> windowX, ReadOnlySpan<float> pa, ReadOnlySpan<float> pb, Span<float> row)
    {
        int x = 0, pw = pa.Length;
        Vector256<float> wyv = Vector256.Create(wy);
        for (; x + 8 <= pw; x += 8)
        {
            Vector256<float> window = wyv * Vector256.Create(windowX.Slice(x, 8));
            Vector256<float> va = window * Vector256.Create(pa.Slice(x, 8)), vb = window * Vector256.Create(pb.Slice(x, 8));

            // (a0 b0 a1 b1 | a4 b4 a5 b5) and (a2 b2 a3 b3 | a6 b6 a7 b7), then the halves put in order.
            Vector256<float> low = Avx.UnpackLow(va, vb), high = Avx.UnpackHigh(va, vb);
            Avx.Permute2x128(low, high, 0x20).CopyTo(row.Slice(2 * x, 8));
            Avx.Permute2x128(low, high, 0x31).CopyTo(row.Slice((2 * x) + 8, 8));
        }

        return x;
    }

    /// <summary>
    /// Row <paramref name="ky"/> of the cross-power spectrum from an interleaved, untransposed
    /// spectrum Z of A + iB (<paramref name="nky"/> the row of −ky), columns 1 … nx − 1 eight at a
    /// time (−kx runs backwards along row −ky): each value the very arithmetic of the scalar loop
    /// in <see cref="Refine"/>. Returns how far it got (columns from there on, and 0, are left to
    /// that loop); 0 where the row is too short.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int CrossPowerRow(ReadOnlySpan<float> z, int nx, int ky, int nky, Span<float> outRe, Span<float> outIm)
    {
        int kx = 1;
        Vector256<float> half = Vector256.Create(0.5f), minusHalf = Vector256.Create(-0.5f);
        for (; kx + 8 <= nx; kx += 8)
        {
            int i = ((ky * nx) + kx) * 2;

            // −kx for kx … kx + 7 is nx − kx … nx − kx − 7: the eight values from nx − kx − 7 on, reversed.
            int j = ((nky * nx) + (nx - kx - 7)) * 2;
            var (zr, zi) = Deinterleave(Vector256.Create(z.Slice(i, 8)), Vector256.Create(z.Slice(i + 8, 8)));
            Vector256<float> w0 = Vector256.Create(z.Slice(j, 8)), w1 = Vector256.Create(z.Slice(j + 8, 8));
            var (wr, wi) = Deinterleave(Reverse(w1), Reverse(w0));
            Vector256<float> ar = half * (zr + wr), ai = half * (zi - wi);
            Vector256<float> br = half * (zi + wi), bi = minusHalf * (zr - wr);
            ((ar * br) + (ai * bi)).CopyTo(outRe.Slice(kx, 8));
            ((ai * br) - (ar * bi)).CopyTo(outIm.Slice(kx, 8));
        }

        return kx == 1 ? 0 : kx;
    }

    /// <summary>Four complex values (re, im pairs) in reverse order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Reverse(Vector256<float> v) => Avx2.Permute4x64(v.AsDouble(), 0b00_01_10_11).AsSingle();

    /// <summary>Eight interleaved complex values (two vectors) as their real and imaginary parts, in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> Re, Vector256<float> Im) Deinterleave(Vector256<float> v0, Vector256<float> v1)
    {
        // Shuffle gives (r0 r1 r4 r5 | r2 r3 r6 r7); the 64-bit permute puts the quarters in order.
        Vector256<float> re = Avx.Shuffle(v0, v1, 0b10_00_10_00), im = Avx.Shuffle(v0, v1, 0b11_01_11_01);
        return (Avx2.Permute4x64(re.AsDouble(), 0b11_01_10_00).AsSingle(), Avx2.Permute4x64(im.AsDouble(), 0b11_01_10_00).AsSingle());
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
