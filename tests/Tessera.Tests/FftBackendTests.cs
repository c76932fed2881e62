using System.Globalization;
using System.Numerics;
using Tessera.Registration;
using Xunit;

namespace Tessera.Tests;

/// <summary>The registration's two FFT backends against a direct DFT and against each other.</summary>
public sealed class FftBackendTests
{
    public static TheoryData<string, int, int> Cases => new()
    {
        { "builtin", 8, 4 }, { "builtin", 64, 128 }, { "builtin", 32, 32 },
        { "fftw", 8, 4 }, { "fftw", 64, 128 }, { "fftw", 32, 32 },
    };

    private static IFft2D Create(string backend, int width, int height) =>
        FftBackends.Create(width, height, backend == "fftw" ? FftBackend.Fftw : FftBackend.BuiltIn);

    private static (float[] Re, float[] Im) Signal(int width, int height)
    {
        var random = new Random(width * 1000 + height);
        var re = new float[width * height];
        var im = new float[width * height];
        for (int i = 0; i < re.Length; i++)
        {
            re[i] = random.NextSingle() - 0.5f;
            im[i] = random.NextSingle() - 0.5f;
        }

        return (re, im);
    }

    private static void Load(FftWorkspace w, float[] re, float[] im)
    {
        for (int i = 0; i < re.Length; i++)
        {
            w.Re[i * w.Stride] = re[i];
            w.Im[i * w.Stride] = im[i];
        }
    }

    /// <summary>The spectrum value at frequency (kx, ky), whichever layout the backend leaves.</summary>
    private static Complex At(IFft2D fft, FftWorkspace w, int kx, int ky)
    {
        int i = fft.TransposedSpectrum ? (kx * fft.Height) + ky : (ky * fft.Width) + kx;
        return new Complex(w.Re[i * w.Stride], w.Im[i * w.Stride]);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_matches_a_direct_dft_and_inverse_returns_the_signal(string backend, int width, int height)
    {
        IFft2D fft = Create(backend, width, height);
        Assert.Equal(backend, fft.Name);
        var (re, im) = Signal(width, height);
        FftWorkspace w = fft.CreateWorkspace();
        Load(w, re, im);
        fft.Forward(w);

        // A direct DFT at a spread of frequencies (all of them for the small sizes).
        int step = width * height > 1024 ? 7 : 1;
        double worst = 0;
        for (int ky = 0; ky < height; ky += step)
        {
            for (int kx = 0; kx < width; kx += step)
            {
                Complex sum = Complex.Zero;
                for (int y = 0; y < height; y++)
                {
                    for (int x = 0; x < width; x++)
                    {
                        double angle = -2 * Math.PI * ((double)kx * x / width + (double)ky * y / height);
                        sum += new Complex(re[(y * width) + x], im[(y * width) + x]) * Complex.FromPolarCoordinates(1, angle);
                    }
                }

                worst = Math.Max(worst, (At(fft, w, kx, ky) - sum).Magnitude);
            }
        }

        // Values are ±0.5, so a frequency's magnitude is about √(W·H)/√6; single precision keeps ~1e-6 of it per level.
        double allowed = 1e-4 * Math.Sqrt(width * height);
        Assert.True(worst < allowed, string.Create(CultureInfo.InvariantCulture, $"{backend} {width}×{height}: worst error {worst:G3} > {allowed:G3}"));

        fft.Inverse(w);
        double worstBack = 0;
        for (int i = 0; i < re.Length; i++)
        {
            worstBack = Math.Max(worstBack, Math.Abs((w.Re[i * w.Stride] / re.Length) - re[i]));
            worstBack = Math.Max(worstBack, Math.Abs((w.Im[i * w.Stride] / re.Length) - im[i]));
        }

        Assert.True(worstBack < 1e-5, string.Create(CultureInfo.InvariantCulture, $"{backend} {width}×{height}: round trip off by {worstBack:G3}"));
    }

    [Fact]
    public void Both_backends_give_the_same_spectrum()
    {
        const int Width = 64, Height = 128;
        var (re, im) = Signal(Width, Height);
        IFft2D builtIn = Create("builtin", Width, Height), fftw = Create("fftw", Width, Height);
        FftWorkspace a = builtIn.CreateWorkspace(), b = fftw.CreateWorkspace();
        Load(a, re, im);
        Load(b, re, im);
        builtIn.Forward(a);
        fftw.Forward(b);
        double worst = 0;
        for (int ky = 0; ky < Height; ky++)
        {
            for (int kx = 0; kx < Width; kx++)
            {
                worst = Math.Max(worst, (At(builtIn, a, kx, ky) - At(fftw, b, kx, ky)).Magnitude);
            }
        }

        Assert.True(worst < 1e-3, string.Create(CultureInfo.InvariantCulture, $"spectra differ by up to {worst:G3}"));
    }

    [Fact]
    public void Auto_picks_fftw_where_the_library_loads()
    {
        // scripts/setup.sh installs libfftw3-single3, so the test machines have it.
        Assert.NotNull(FftwFft2D.TryCreate(16, 16, out string? problem));
        Assert.Null(problem);
        Assert.Equal("fftw", FftBackends.Create(16, 16).Name);
    }

    [Fact]
    public void Sizes_that_are_not_powers_of_two_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FftBackends.Create(60, 128, FftBackend.BuiltIn));
        Assert.Throws<ArgumentOutOfRangeException>(() => FftBackends.Create(64, 100, FftBackend.Fftw));
    }
}
