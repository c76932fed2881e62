using System.Diagnostics;
using System.Globalization;
using Tessera.Illumination;
using Tessera.Imaging;
using Xunit;
using Xunit.Abstractions;

namespace Tessera.Tests;

/// <summary>The log-gain solve and the per-tile correction, on their own.</summary>
public sealed class GainSolverTests(ITestOutputHelper output)
{
    [Fact]
    public void A_300_by_300_grid_of_noisy_links_solves_to_its_gains_and_unlinked_tiles_stay_at_one()
    {
        const int across = 300, down = 300, unlinked = (150 * across) + 150;
        var random = new Random(7);
        double[] truth = Enumerable.Range(0, across * down).Select(_ => Math.Log(0.9 + (0.2 * random.NextDouble()))).ToArray();
        truth[unlinked] = 0;
        var links = new List<GainLink>(2 * across * down);
        for (int r = 0; r < down; r++)
        {
            for (int c = 0; c < across; c++)
            {
                int i = (r * across) + c;
                foreach (var (j, ok, direction) in new[] { (i + 1, c + 1 < across, 0), (i + across, r + 1 < down, 1) })
                {
                    if (ok && i != unlinked && j != unlinked)
                    {
                        // Each ratio off by 0.1 % of noise, as good pairs are.
                        links.Add(new GainLink(i, j, truth[i] - truth[j] + (0.001 * Gaussian(random)), 1e6, direction, 1));
                    }
                }
            }
        }

        var clock = Stopwatch.StartNew();
        var (solved, biases, stats) = GainSolver.Solve(across * down, links.ToArray(), pull: 100, biases: 2, biasPull: 4e4);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{links.Count} links, {across * down} tiles: {stats.Iterations} iterations in {clock.Elapsed.TotalSeconds:F1} s, relative residual {stats.RelativeResidual:E1}"));

        double mean = truth.Where((_, i) => i != unlinked).Average();
        double worst = Enumerable.Range(0, truth.Length).Where(i => i != unlinked).Max(i => Math.Abs(solved[i] - (truth[i] - mean)));
        Assert.True(worst < 0.01, $"a solved log-gain is {worst:F4} off");
        Assert.Equal(0, solved[unlinked], 6);
        Assert.All(biases, b => Assert.True(Math.Abs(b) < 1e-3, $"an offset of {b:F5} from unbiased links"));
        Assert.True(stats.RelativeResidual <= 1e-9, $"stopped at {stats.RelativeResidual:E1}");
    }

    [Fact]
    public void A_shared_offset_of_one_direction_is_taken_as_such_on_a_large_grid()
    {
        const int across = 60, down = 60;
        var random = new Random(3);
        double[] truth = Enumerable.Range(0, across * down).Select(_ => Math.Log(0.9 + (0.2 * random.NextDouble()))).ToArray();
        var links = new List<GainLink>();
        for (int r = 0; r < down; r++)
        {
            for (int c = 0; c < across; c++)
            {
                int i = (r * across) + c;
                if (c + 1 < across)
                {
                    links.Add(new GainLink(i, i + 1, truth[i] - truth[i + 1] + 0.008, 1e6, 0, 1));
                }

                if (r + 1 < down)
                {
                    links.Add(new GainLink(i + across, i, truth[i + across] - truth[i] + 0.004, 1e6, 1, -1));
                }
            }
        }

        var (solved, biases, _) = GainSolver.Solve(across * down, links.ToArray(), pull: 100, biases: 2, biasPull: 4e4);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"offsets {biases[0]:F5} {biases[1]:F5}"));
        Assert.Equal(0.008, biases[0], 3);
        Assert.Equal(-0.004, biases[1], 3);
        double mean = truth.Average();
        Assert.True(Enumerable.Range(0, truth.Length).Max(i => Math.Abs(solved[i] - (truth[i] - mean))) < 0.005);
    }

    [Theory]
    [InlineData(PixelFormat.Gray8)]
    [InlineData(PixelFormat.Rgbx8888)]
    public void Correction_divides_each_tile_by_its_own_gain_with_the_documented_fixed_point_formula(PixelFormat format)
    {
        double[] gains = [0.1, 0.87, 1, 1.234567, 10];
        var correction = new TileGainCorrection(null, new TileGains(gains.Select((_, i) => $"t{i}.jpg").ToArray(), gains, "none"));
        var random = new Random(1);
        for (int id = 0; id < gains.Length; id++)
        {
            // 77 px: the vector body and the scalar tail both run.
            using var tile = new PixelBuffer(new PixelRect(0, 0, 77, 5), format);
            random.NextBytes(tile.Data);
            byte[] before = (byte[])tile.Data.Clone();
            correction.Apply(tile, id);
            int g = (int)Math.Round(2048 / Math.Round(gains[id], 6));
            int bpp = format.BytesPerPixel();
            for (int y = 0; y < tile.Height; y++)
            {
                for (int x = 0; x < tile.Width * bpp; x++)
                {
                    int o = tile.OffsetOf(0, y) + x, v = before[o];
                    int expected = bpp == 4 && x % 4 == 3 ? v : Math.Min((((v << 4) * g) + 0x4000) >> 15, 255);
                    Assert.True(tile.Data[o] == expected, $"gain {gains[id]}, sample {x} of row {y}: {v} became {tile.Data[o]}, not {expected}");
                }
            }
        }

        Assert.Throws<InvalidOperationException>(() => correction.Apply(new PixelBuffer(new PixelRect(0, 0, 1, 1), format)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TileGains(["a.jpg"], [0.05], "none"));
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
