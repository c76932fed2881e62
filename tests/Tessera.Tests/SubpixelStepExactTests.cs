using Tessera.Registration;
using Xunit;

namespace Tessera.Tests;

/// <summary>
/// The subpixel step writes its patch into the FFTW workspace and unpacks the cross-power spectrum
/// eight values at a time, and clears only what the patch does not cover: its rest must be the very
/// one the plain per-value loops give (each value's arithmetic unchanged), bit for bit, also on a
/// workspace that the step before left full of its spectrum.
/// </summary>
public sealed class SubpixelStepExactTests
{
    private static float[] Strip(int width, int length, int seed)
    {
        var random = new Random(seed);
        var strip = new float[width * length];
        for (int i = 0; i < strip.Length; i++)
        {
            strip[i] = (random.NextSingle() * 40) - 20;
        }

        return strip;
    }

    /// <summary>The step as the scalar loops make it: the whole workspace cleared, the patch written a value at a time, the spectrum unpacked a value at a time.</summary>
    private static SubpixelRest Reference(IFft2D fft, float[] a, float[] b, int width, int length, int tx, int ty, double taperAcross, double taperAlong)
    {
        int nx = fft.Width, ny = fft.Height;
        int ax0 = Math.Max(0, tx), ax1 = Math.Min(width, width + tx), ay0 = Math.Max(0, ty), ay1 = Math.Min(length, length + ty);
        int pw = Math.Min(ax1 - ax0, nx), ph = Math.Min(ay1 - ay0, ny);
        ax0 += ((ax1 - ax0) - pw) / 2;
        ay0 += ((ay1 - ay0) - ph) / 2;
        FftWorkspace ws = fft.CreateWorkspace();
        Span<float> re = ws.Re, im = ws.Im;
        int st = ws.Stride;
        ws.Values.Clear();
        float[] windowX = TukeyWindow.Create(pw, taperAcross), windowY = TukeyWindow.Create(ph, taperAlong);
        for (int y = 0; y < ph; y++)
        {
            for (int x = 0; x < pw; x++)
            {
                float window = windowY[y] * windowX[x];
                re[((y * nx) + x) * st] = window * a[((ay0 + y) * width) + ax0 + x];
                im[((y * nx) + x) * st] = window * b[((ay0 + y - ty) * width) + ax0 - tx + x];
            }
        }

        fft.Forward(ws);
        var peak = new UpsampledPeak(nx, ny);
        for (int ky = 0; ky < UpsampledPeak.HalfRows(ny); ky++)
        {
            int nky = (ny - ky) & (ny - 1);
            for (int kx = 0; kx < nx; kx++)
            {
                int nkx = (nx - kx) & (nx - 1);
                int i = (fft.TransposedSpectrum ? (kx * ny) + ky : (ky * nx) + kx) * st;
                int j = (fft.TransposedSpectrum ? (nkx * ny) + nky : (nky * nx) + nkx) * st;
                float zr = re[i], zi = im[i], wr = re[j], wi = im[j];
                float ar = 0.5f * (zr + wr), ai = 0.5f * (zi - wi);
                float br = 0.5f * (zi + wi), bi = -0.5f * (zr - wr);
                peak.Re[(ky * nx) + kx] = (ar * br) + (ai * bi);
                peak.Im[(ky * nx) + kx] = (ai * br) - (ar * bi);
            }
        }

        var (rx, ry) = peak.Find();
        return new SubpixelRest(rx, ry);
    }

    [Theory]
    [InlineData(128, 352, 128, 512, 0.5, 0.1)] // the whole-overlap step at full resolution, 800×600 tiles
    [InlineData(128, 352, 128, 256, 1, 1)] // the crop's step there
    [InlineData(64, 300, 64, 128, 1, 1)] // the crop's step at the decode scale
    [InlineData(37, 90, 64, 128, 1, 1)] // a patch narrower than eight columns past a whole vector, a short row
    public void Rest_is_the_scalar_loops_to_the_bit(int width, int length, int nx, int ny, double taperAcross, double taperAlong)
    {
        IFft2D fft = FftBackends.Create(nx, ny, FftBackend.Fftw);
        FftWorkspace workspace = fft.CreateWorkspace();
        var step = new SubpixelStep(fft, workspace, taperAcross, taperAlong);
        float[] a = Strip(width, length, width + length), b = Strip(width, length, width * length);

        // B holds A shifted, plus noise: a real peak to refine.
        var noise = new Random(7);
        int shiftX = width / 3, shiftY = 2;
        for (int v = 0; v < length; v++)
        {
            for (int u = 0; u < width; u++)
            {
                int au = u + shiftX, av = v + shiftY;
                if (au < width && av < length)
                {
                    b[(v * width) + u] = a[(av * width) + au] + (noise.NextSingle() - 0.5f);
                }
            }
        }

        // Each shift after another, on the workspace the one before left: what is not cleared shows.
        foreach (var (tx, ty) in new[] { (shiftX, shiftY), (shiftX - 1, shiftY + 1), (shiftX + 1, shiftY - 3), (shiftX, shiftY) })
        {
            SubpixelRest rest = step.Refine(a, b, width, length, tx, ty, null);
            SubpixelRest expected = Reference(fft, a, b, width, length, tx, ty, taperAcross, taperAlong);
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected.X), BitConverter.DoubleToInt64Bits(rest.X));
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Y), BitConverter.DoubleToInt64Bits(rest.Y));
        }
    }
}
