using System.Globalization;
using Tessera.Registration;
using Xunit;
using Xunit.Abstractions;

namespace Tessera.Tests;

/// <summary>
/// The full-resolution refinement of a pair, on strips cut as registration cuts them (the first
/// tile's east edge, the second's west edge, each ending at its tile's border), from a texture
/// sampled at any real position: whatever the shift's fractional part, the errors average to zero.
/// </summary>
public sealed class SubpixelBiasTests(ITestOutputHelper output)
{
    // The full-resolution strips of 192 × 160 tiles overlapping by 64 px, with the default 48-px search margin.
    private const int Width = 112, Length = 160, Margin = 48, NominalTx = Width - 64;

    /// <summary>
    /// A photograph-like texture: random cosines whose amplitude falls with frequency (up to 0.35
    /// cycles per pixel), around mid grey, sampled at any real position.
    /// </summary>
    internal static Func<double, double, double> Texture(int seed)
    {
        var random = new Random(seed);
        var waves = new (double Fx, double Fy, double Phase, double Amplitude)[80];
        for (int i = 0; i < waves.Length; i++)
        {
            double f = 0.01 + (0.34 * random.NextDouble()), angle = 2 * Math.PI * random.NextDouble();
            waves[i] = (f * Math.Cos(angle), f * Math.Sin(angle), 2 * Math.PI * random.NextDouble(), 0.8 / (f + 0.03));
        }

        return (x, y) =>
        {
            double sum = 0;
            foreach (var w in waves)
            {
                sum += w.Amplitude * Math.Cos((2 * Math.PI * ((w.Fx * x) + (w.Fy * y))) + w.Phase);
            }

            return 128 + sum;
        };
    }

    /// <summary>
    /// A strip of the texture from (x0, y0), darkened towards its tile's border (at strip column
    /// <paramref name="border"/>) by vignetting, rounded to bytes.
    /// </summary>
    private static byte[] Strip(Func<double, double, double> texture, double x0, double y0, int border, double vignetting)
    {
        var strip = new byte[Width * Length];
        for (int v = 0; v < Length; v++)
        {
            for (int u = 0; u < Width; u++)
            {
                double toBorder = Math.Abs(u - border) / 96.0;
                double factor = 1 - (vignetting * (1 - toBorder) * (1 - toBorder));
                strip[(v * Width) + u] = (byte)Math.Clamp(Math.Round(texture(x0 + u, y0 + v) * factor), 0, 255);
            }
        }

        return strip;
    }

    /// <summary>Mean and rms error across and along over textures of 24 seeds, each pair shifted by the whole part plus <paramref name="fraction"/>.</summary>
    private (double MeanX, double RmsX, double MeanY, double RmsY) Errors(double fraction, double vignetting)
    {
        var aligner = new PairAligner(Width, Length, NominalTx, Margin, new RegistrationOptions(), refining: true);
        var coarse = new StripMeasurement(false, 0, 0, 0.9, 1, 1, -1);
        double sx = 0, sxx = 0, sy = 0, syy = 0;
        const int Seeds = 24;
        for (int seed = 0; seed < Seeds; seed++)
        {
            var texture = Texture(seed);
            var random = new Random(seed + 100);
            int wholeX = NominalTx + random.Next(-20, 21), wholeY = random.Next(-20, 21);
            double tx = wholeX + fraction, ty = wholeY + fraction;

            // The first tile's strip ends at its border (the strip's last column); the second's begins there.
            byte[] a = Strip(texture, 0, 0, Width - 1, vignetting);
            byte[] b = Strip(texture, tx, ty, 0, vignetting);
            StripMeasurement m = aligner.Polish(a, b, wholeX, wholeY, coarse, scoreNoise: null);
            double ex = m.Tx - tx, ey = m.Ty - ty;
            (sx, sxx, sy, syy) = (sx + ex, sxx + (ex * ex), sy + ey, syy + (ey * ey));
        }

        var result = (sx / Seeds, Math.Sqrt(sxx / Seeds), sy / Seeds, Math.Sqrt(syy / Seeds));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fraction {fraction:F2}, vignetting {vignetting:F1}: across mean {result.Item1:+0.000;-0.000} rms {result.Item2:F3}, along mean {result.Item3:+0.000;-0.000} rms {result.Item4:F3}"));
        return result;
    }

    // Each tile's vignetting slopes the other way across the overlap; before the shading of the
    // second strip was matched to the first one's it tilted every pair (−0.009 px at whole shifts,
    // −0.018 at half ones; the registration's 8×8 integer grid: −0.034 px per pair).
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    public void Vignetting_of_both_tiles_does_not_tilt_the_shift(double fraction)
    {
        var (meanX, rmsX, meanY, rmsY) = Errors(fraction, vignetting: 0.3);
        Assert.True(Math.Abs(meanX) <= 0.008 && Math.Abs(meanY) <= 0.008, string.Create(CultureInfo.InvariantCulture, $"bias ({meanX:F4}, {meanY:F4}) px"));
        Assert.True(rmsX <= 0.02 && rmsY <= 0.02, string.Create(CultureInfo.InvariantCulture, $"rms ({rmsX:F4}, {rmsY:F4}) px"));
    }

    // What is left is the pull of the two patches' common window towards the whole-pixel shift it
    // was cut at: at most about 0.01 px, at half a pixel.
    [Theory]
    [InlineData(0.0, 0.002)]
    [InlineData(0.25, 0.008)]
    [InlineData(0.5, 0.015)]
    [InlineData(0.75, 0.008)]
    public void A_shift_is_measured_to_a_hundredth_of_a_pixel_whatever_its_fraction(double fraction, double bound)
    {
        var (meanX, rmsX, meanY, rmsY) = Errors(fraction, vignetting: 0);
        Assert.True(Math.Abs(meanX) <= bound && Math.Abs(meanY) <= bound, string.Create(CultureInfo.InvariantCulture, $"bias ({meanX:F4}, {meanY:F4}) px"));
        Assert.True(rmsX <= 0.02 && rmsY <= 0.02, string.Create(CultureInfo.InvariantCulture, $"rms ({rmsX:F4}, {rmsY:F4}) px"));
    }
}
