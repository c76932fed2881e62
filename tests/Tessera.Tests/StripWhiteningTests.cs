using Tessera.Registration;
using Xunit;

namespace Tessera.Tests;

/// <summary>The whitening's vectorised blurs against the plain definition: means over boxes clipped to the strip.</summary>
public sealed class StripWhiteningTests
{
    /// <summary>The mean over the (2r + 1)² box around every pixel, clipped to the strip, summed pixel by pixel.</summary>
    private static double[] BoxMean(double[] values, int width, int height, int radius)
    {
        var result = new double[values.Length];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double sum = 0;
                int count = 0;
                for (int v = Math.Max(0, y - radius); v <= Math.Min(height - 1, y + radius); v++)
                {
                    for (int u = Math.Max(0, x - radius); u <= Math.Min(width - 1, x + radius); u++)
                    {
                        sum += values[(v * width) + u];
                        count++;
                    }
                }

                result[(y * width) + x] = sum / count;
            }
        }

        return result;
    }

    /// <summary>
    /// The mean over the (2r + 1)² box around every pixel of the strip continued beyond its ends as
    /// its point reflection, s(−k) = 2·s(0) − s(k) on each axis, summed pixel by pixel.
    /// </summary>
    private static double[] ReflectedBoxMean(double[] values, int width, int height, int radius)
    {
        double At(int u, int v)
        {
            // Reflect each axis in turn: first along the row, then down the column.
            double Row(int vv) => u < 0 ? (2 * values[vv * width]) - values[(vv * width) + Math.Min(-u, width - 1)]
                : u >= width ? (2 * values[(vv * width) + width - 1]) - values[(vv * width) + Math.Max((2 * width) - 2 - u, 0)]
                : values[(vv * width) + u];
            return v < 0 ? (2 * Row(0)) - Row(Math.Min(-v, height - 1))
                : v >= height ? (2 * Row(height - 1)) - Row(Math.Max((2 * height) - 2 - v, 0))
                : Row(v);
        }

        var result = new double[values.Length];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double sum = 0;
                for (int v = y - radius; v <= y + radius; v++)
                {
                    for (int u = x - radius; u <= x + radius; u++)
                    {
                        sum += At(u, v);
                    }
                }

                result[(y * width) + x] = sum / ((2 * radius) + 1) / ((2 * radius) + 1);
            }
        }

        return result;
    }

    [Fact]
    public void A_brightness_ramp_whitens_to_nothing_up_to_the_border_where_a_shift_is_refined()
    {
        // A tile's border must add nothing of its own: on a clipped box a slope there made a signal
        // as strong as texture, which the two tiles of a pair see at opposite ends of the overlap.
        const int width = 40, height = 30;
        var source = new byte[width * height];
        for (int i = 0; i < source.Length; i++)
        {
            source[i] = (byte)(60 + (3 * (i % width)) + (i / width));
        }

        var target = new float[width * height];
        new StripWhitening(width, height, refining: true).Apply(source, target);
        Assert.All(target, v => Assert.True(Math.Abs(v) < 1e-3, $"{v}"));
        new StripWhitening(width, height, refining: false).Apply(source, target);
        Assert.True(target.Max(Math.Abs) > 1, "the clipped boxes of the decode scale do see the border");
    }

    [Theory]
    [InlineData(64, 300, false)]
    [InlineData(37, 53, false)]
    [InlineData(5, 21, false)]
    [InlineData(128, 41, true)]
    [InlineData(19, 13, true)]
    public void Whitened_strip_is_fine_minus_coarse_box_blur_over_the_coarse_blur_and_a_floor(int width, int height, bool refining)
    {
        var random = new Random(width + height);
        var source = new byte[width * height];
        for (int i = 0; i < source.Length; i++)
        {
            // A faint texture on a slope, as the faint-gradient sets have.
            source[i] = (byte)Math.Clamp(90 + (i % width) + (0.2 * (i / width)) + random.Next(-2, 3), 0, 255);
        }

        double[] input = source.Select(b => (double)b).ToArray();
        // Refining reflects the strip at its ends; finding a shift clips the boxes to it.
        double[] fine = refining ? ReflectedBoxMean(input, width, height, 1) : BoxMean(BoxMean(input, width, height, 2), width, height, 2);
        double[] coarse = refining
            ? ReflectedBoxMean(ReflectedBoxMean(input, width, height, 6), width, height, 6)
            : BoxMean(BoxMean(input, width, height, 6), width, height, 6);
        // The floor of 16 grey levels keeps a dark region's noise from being scaled up tens of times.
        double mean = (coarse.Sum() / coarse.Length) + 16;
        double[] expected = fine.Zip(coarse, (f, c) => mean * (f - c) / (c + 16)).ToArray();
        double expectedMean = expected.Average();
        double expectedStd = Math.Sqrt(expected.Select(v => (v - expectedMean) * (v - expectedMean)).Average());

        var target = new float[width * height];
        double std = new StripWhitening(width, height, refining).Apply(source, target);

        for (int i = 0; i < target.Length; i++)
        {
            Assert.True(Math.Abs(target[i] - expected[i]) < 1e-3, $"pixel ({i % width}, {i / width}) of {width}×{height}: {target[i]} against {expected[i]}");
        }

        Assert.Equal(expectedStd, std, 1e-3);
    }
}
