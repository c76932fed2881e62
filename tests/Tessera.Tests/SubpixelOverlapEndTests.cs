using System.Globalization;
using Tessera.Registration;
using Xunit;
using Xunit.Abstractions;

namespace Tessera.Tests;

/// <summary>
/// The full-resolution refinement of a pair whose overlap holds texture only near one end along
/// the strip, the rest flat but for sensor noise: the subpixel step must read the overlap there,
/// not only its middle (8×8 spots and integer sets: such pairs were up to 1.1 px off when the step
/// correlated the middle of the strip alone).
/// </summary>
public sealed class SubpixelOverlapEndTests(ITestOutputHelper output)
{
    private const int Margin = 48, NominalTx = 48, Seeds = 16;

    /// <summary>
    /// The full-resolution strips of 192 × 160 tiles overlapping by 64 × 56 px: the east/west ones
    /// (112 × 160) and the north/south ones, transposed (104 × 192).
    /// </summary>
    public static TheoryData<int, int, double> Shapes() => new()
    {
        { 112, 160, 0.0 },
        { 112, 160, 0.5 },
        { 104, 192, 0.0 },
        { 104, 192, 0.5 },
    };

    /// <summary>
    /// A strip of the scene from (x0, y0): the texture over the scene's first 24 rows along the
    /// strip, fading out over the next 16 (a raised cosine: a hard edge would not shift by a
    /// fraction of a pixel as the texture does), mid grey beyond; with its own sensor noise,
    /// rounded to bytes.
    /// </summary>
    private static byte[] Strip(Func<double, double, double> texture, int width, int length, double x0, double y0, Random noise)
    {
        var strip = new byte[width * length];
        for (int v = 0; v < length; v++)
        {
            for (int u = 0; u < width; u++)
            {
                double value = 128 + (Fade(y0 + v) * (texture(x0 + u, y0 + v) - 128));
                strip[(v * width) + u] = (byte)Math.Clamp(Math.Round(value + (2.5 * Gaussian(noise))), 0, 255);
            }
        }

        return strip;
    }

    private static double Fade(double row) => row <= 24 ? 1 : row >= 40 ? 0 : 0.5 + (0.5 * Math.Cos(Math.PI * (row - 24) / 16));

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Texture_at_one_end_of_the_overlap_places_the_shift(int width, int length, double fraction)
    {
        var aligner = new PairAligner(width, length, NominalTx, Margin, new RegistrationOptions(), refining: true);
        var coarse = new StripMeasurement(false, 0, 0, 0.9, 1, 1, -1);
        double sumX = 0, sumY = 0, worst = 0;
        for (int seed = 0; seed < Seeds; seed++)
        {
            var texture = SubpixelBiasTests.Texture(seed);
            var random = new Random(seed + 200);
            int wholeX = NominalTx + random.Next(-16, 17), wholeY = random.Next(-16, 1);
            double tx = wholeX + fraction, ty = wholeY + fraction;

            // The first strip begins where the texture does; the second holds it shifted, so its
            // textured rows are the overlap's first ones.
            byte[] a = Strip(texture, width, length, 0, 0, random);
            byte[] b = Strip(texture, width, length, tx, ty, random);
            StripMeasurement m = aligner.Polish(a, b, wholeX, wholeY, coarse, scoreNoise: null);
            double ex = m.Tx - tx, ey = m.Ty - ty;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seed {seed}: shift ({tx}, {ty}) error ({ex:+0.000;-0.000}, {ey:+0.000;-0.000}) px"));
            (sumX, sumY, worst) = (sumX + ex, sumY + ey, Math.Max(worst, Math.Max(Math.Abs(ex), Math.Abs(ey))));
        }

        double meanX = sumX / Seeds, meanY = sumY / Seeds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{width}×{length}, fraction {fraction}: mean ({meanX:+0.000;-0.000}, {meanY:+0.000;-0.000}), worst {worst:F3} px"));
        if (fraction == 0)
        {
            Assert.True(worst <= 0.05, string.Create(CultureInfo.InvariantCulture, $"a whole shift {worst:F3} px off"));
        }
        else
        {
            Assert.True(Math.Abs(meanX) <= 0.03 && Math.Abs(meanY) <= 0.03, string.Create(CultureInfo.InvariantCulture, $"half-pixel shifts off by ({meanX:F3}, {meanY:F3}) px on average"));
        }
    }
}
