using System.Globalization;
using Tessera.Registration;
using Xunit;
using Xunit.Abstractions;

namespace Tessera.Tests;

/// <summary>The aligner alone, on strips of a smooth texture shifted by known whole and fractional amounts.</summary>
public sealed class PairAlignerTests(ITestOutputHelper output)
{
    /// <summary>Smooth random texture sampled at any real position (sum of random cosines), so a strip can be shifted by a fraction exactly.</summary>
    private static Func<double, double, double> Texture(int seed)
    {
        var random = new Random(seed);
        var waves = Enumerable.Range(0, 60).Select(_ => (Fx: (random.NextDouble() - 0.5) * 0.8, Fy: (random.NextDouble() - 0.5) * 0.8, Phase: random.NextDouble() * 6.283)).ToArray();
        return (x, y) => waves.Sum(w => Math.Cos((6.283 * ((w.Fx * x) + (w.Fy * y))) + w.Phase));
    }

    private static byte[] Strip(Func<double, double, double> texture, int width, int length, double x0, double y0)
    {
        var strip = new byte[width * length];
        for (int v = 0; v < length; v++)
        {
            for (int u = 0; u < width; u++)
            {
                strip[(v * width) + u] = (byte)Math.Clamp(Math.Round(128 + (12 * texture(x0 + u, y0 + v))), 0, 255);
            }
        }

        return strip;
    }

    [Theory]
    [InlineData(20, 0, 0.0, 0.0)]
    [InlineData(17, 3, 0.0, 0.0)]
    [InlineData(20, 0, 0.5, 0.0)]
    [InlineData(22, -4, 0.25, -0.3)]
    public void Shift_is_found_to_three_hundredths_of_a_pixel(int tx, int ty, double fx, double fy)
    {
        var texture = Texture(3);
        const int width = 56, length = 96;
        byte[] a = Strip(texture, width, length, 0, 0);
        byte[] b = Strip(texture, width, length, tx + fx, ty + fy);
        var aligner = new PairAligner(width, length, 24, 24, new RegistrationOptions());
        StripMeasurement m = aligner.Align(a, b);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"found ({m.Tx:F3}, {m.Ty:F3}) score {m.Score:F3}, curvature ({m.CurvatureX:F3}, {m.CurvatureY:F3}), competitor {m.Competitor:F3}"));
        Assert.Equal(tx + fx, m.Tx, 0.03);
        Assert.Equal(ty + fy, m.Ty, 0.03);
    }

    [Fact]
    public void A_texture_that_runs_along_the_strip_falls_more_over_a_few_pixels_than_over_one()
    {
        // Waves almost along the strip's length: across it the score drops sharply, along it
        // barely from one pixel to the next, but clearly over eight (the fall is taken per pixel
        // of step, so a parabola gives more at wider steps, as its drop grows with the step's square).
        var random = new Random(7);
        var waves = Enumerable.Range(0, 40).Select(_ => (Fx: (random.NextDouble() - 0.5) * 0.6, Fy: (random.NextDouble() - 0.5) * 0.03, Phase: random.NextDouble() * 6.283)).ToArray();
        double Texture(double x, double y) => waves.Sum(w => Math.Cos((6.283 * ((w.Fx * x) + (w.Fy * y))) + w.Phase));
        const int width = 56, length = 96;
        byte[] a = Strip(Texture, width, length, 0, 0);
        byte[] b = Strip(Texture, width, length, 20, 2);
        var aligner = new PairAligner(width, length, 24, 24, new RegistrationOptions());

        // A score noise between the two curvatures makes the peak a ridge along the strip only:
        // the judgement reads the fall along it, and only that one is measured.
        StripMeasurement sharp = aligner.Align(a, b);
        double noiseHere = Math.Sqrt(sharp.CurvatureX * sharp.CurvatureY);
        StripMeasurement m = aligner.Align(a, b, scoreNoise: noiseHere / (1 - (sharp.Score * sharp.Score)));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"found ({m.Tx:F3}, {m.Ty:F3}) score {m.Score:F3}, curvature ({m.CurvatureX:F4}, {m.CurvatureY:F4}), broad ({m.BroadX:F4}, {m.BroadY:F4})"));
        Assert.Equal(20, m.Tx, 0.1);
        Assert.True(m.CurvatureX > 10 * m.CurvatureY, "not a ridge along the strip");
        Assert.True(m.BroadY >= 3 * m.CurvatureY, "the score's fall along the ridge over a few pixels was not measured");
        Assert.True(double.IsNaN(m.BroadX), "the fall across a sharp peak was measured, which the judgement does not read");
        Assert.True(double.IsNaN(sharp.BroadX) && double.IsNaN(sharp.BroadY), "falls measured where no score noise said any is read");
    }
}
