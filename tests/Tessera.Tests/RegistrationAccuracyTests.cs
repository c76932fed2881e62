using System.Globalization;
using Tessera.Codecs;
using Tessera.Layout;
using Tessera.Registration;
using Tessera.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Tessera.Tests;

/// <summary>
/// Registration against the truth on each kind of content people stitch (issue 18's targets):
/// 5×5 tiles cut at jittered positions from real and drawn images, with vignetting, gain, noise and JPEG.
/// </summary>
public sealed class RegistrationAccuracyTests(ITestOutputHelper output)
{
    private static JitteredTileSetOptions Set(TileSetContent content, int jitter = 16) => new()
    {
        Content = content, Across = 5, Down = 5, TileWidth = 192, TileHeight = 160, OverlapX = 64, OverlapY = 56,
        Jitter = jitter, GainSpread = 0.1, Seed = 5,
    };

    private (RegistrationResult Result, (double X, double Y)[] Errors) Register(JitteredTileSetOptions options)
    {
        using var temp = new TempDirectory();
        JitteredTileSet set = JitteredTileSet.Write(temp.Path, options);
        TileGrid grid = GridScanner.Scan(temp.Path, new LayoutOptions("{x}_{y}.jpg"));
        RegistrationResult result = GridRegistration.Run(grid, new OverlapSpec(options.OverlapX, options.OverlapY, false),
            new RegistrationOptions { Threads = 2 }, TileCodecs.Create(CodecChoice.Auto, out _), CancellationToken.None);
        output.WriteLine(result.Report.Format());
        return (result, ErrorsAfterCommonTranslation(result, set));
    }

    /// <summary>Estimated minus true position of every tile, less the median of those differences (one common translation).</summary>
    internal static (double X, double Y)[] ErrorsAfterCommonTranslation(RegistrationResult result, JitteredTileSet set)
    {
        var raw = result.Placements.Select(p => (X: p.X - set.Truth[(p.Column, p.Row)].X, Y: p.Y - set.Truth[(p.Column, p.Row)].Y)).ToArray();
        double mx = Median(raw.Select(e => e.X)), my = Median(raw.Select(e => e.Y));
        return raw.Select(e => (e.X - mx, e.Y - my)).ToArray();
    }

    private (double Median, double Max) Summary(string what, (double X, double Y)[] errors)
    {
        double[] lengths = errors.Select(e => Math.Sqrt((e.X * e.X) + (e.Y * e.Y))).Order().ToArray();
        double median = lengths[lengths.Length / 2], max = lengths[^1];
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: median {median:F3} px, max {max:F3} px"));
        return (median, max);
    }

    [Theory]
    [InlineData(TileSetContent.Photograph)]
    [InlineData(TileSetContent.Illustration)]
    [InlineData(TileSetContent.FaintGradient)]
    public void Photograph_illustration_and_faint_gradient_are_placed_within_a_tenth_median_and_three_tenths_max(TileSetContent content)
    {
        var (_, errors) = Register(Set(content));
        var (median, max) = Summary(content.ToString(), errors);
        Assert.True(median <= 0.1 && max <= 0.3, string.Create(CultureInfo.InvariantCulture, $"{content}: median {median:F3} px, max {max:F3} px"));
    }

    [Fact]
    public void Sparse_spots_are_placed_within_half_a_pixel_median_and_three_max()
    {
        var (_, errors) = Register(Set(TileSetContent.Spots));
        var (median, max) = Summary("spots", errors);
        Assert.True(median <= 0.5 && max <= 3, string.Create(CultureInfo.InvariantCulture, $"spots: median {median:F3} px, max {max:F3} px"));
    }

    [Fact]
    public void An_exact_integer_grid_comes_out_exact()
    {
        var (result, errors) = Register(Set(TileSetContent.Photograph, jitter: 0));
        var (_, max) = Summary("integer grid", errors);
        Assert.True(max <= 0.05, string.Create(CultureInfo.InvariantCulture, $"max {max:F3} px off the exact grid"));
        Assert.Equal(128, result.Report.West.OffsetX, 0.05);
        Assert.Equal(104, result.Report.North.OffsetY, 0.05);
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]);
    }
}
