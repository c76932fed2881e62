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
        foreach (PairRecord p in result.Report.PairList)
        {
            var a = set.Truth[Cell(p.First)];
            var b = set.Truth[Cell(p.Second)];
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{p.First}-{p.Second} measured ({p.Dx:F2}, {p.Dy:F2}) true ({b.X - a.X}, {b.Y - a.Y}) σ ({p.SigmaX:F2}, {p.SigmaY:F2}) score {p.Score:F3} {p.Outcome}"));
        }

        var errors = ErrorsAfterCommonTranslation(result, set);
        for (int i = 0; i < errors.Length; i++)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tile {Path.GetFileName(result.Placements[i].Path)} error ({errors[i].X:F2}, {errors[i].Y:F2})"));
        }

        return (result, errors);
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

    /// <summary>Every tile off by more than <paramref name="allowed"/> px must be one the report names as weakly placed.</summary>
    private static void AssertEveryBadTileIsNamed(RegistrationResult result, (double X, double Y)[] errors, double allowed)
    {
        var weak = result.Report.WeakTiles.Select(t => t.Tile).ToHashSet();
        for (int i = 0; i < errors.Length; i++)
        {
            double e = Math.Sqrt((errors[i].X * errors[i].X) + (errors[i].Y * errors[i].Y));
            string name = Path.GetFileName(result.Placements[i].Path);
            Assert.True(e <= allowed || weak.Contains(name),
                string.Create(CultureInfo.InvariantCulture, $"{name} is {e:F2} px off and not named as weakly placed"));
        }
    }

    // Issue 18's targets are median ≤ 0.1 px, max ≤ 0.3 px for these. The bounds are what holds
    // today (photograph 0.024 / 0.244 px, illustration 0.080 / 1.02 px), so that a regression fails;
    // every tile more than 1.5 px off must be one the report names as weakly placed. The
    // photograph's max was 3.80 px while a ridge's σ along its length was a fixed 12 px: a group of
    // tiles hung on one wrong match that the ridge links beside it, right along their length,
    // could not outvote (PairJudgement).
    [Theory]
    [InlineData(TileSetContent.Photograph, 0.06, 0.5)]
    [InlineData(TileSetContent.Illustration, 0.1, 1.2)]
    public void Photograph_and_illustration_are_near_the_truth(TileSetContent content, double median, double max)
    {
        var (result, errors) = Register(Set(content));
        var summary = Summary(content.ToString(), errors);
        Assert.True(summary.Median <= median, string.Create(CultureInfo.InvariantCulture, $"{content}: median {summary.Median:F3} px"));
        Assert.True(summary.Max <= max, string.Create(CultureInfo.InvariantCulture, $"{content}: max {summary.Max:F3} px"));
        AssertEveryBadTileIsNamed(result, errors, 1.5);
    }

    // The 8×8 illustration set of bench/registration-quality.sh, seed 6: 5_7–6_7 lies on a ridge at a
    // slant to the axes, scored 0.93 at 10 px from the truth, and its σ from the axes' own
    // curvatures (0.85, 0.63) px let the solve keep it and drop the right link beside it (the tile
    // 10.5 px off; main bb60c3c). With each axis's σ carried along the slant (PairJudgement) every
    // tile is within 0.2 px.
    [Fact]
    public void A_match_along_a_slanted_ridge_does_not_move_a_tile_of_the_8x8_illustration()
    {
        var (_, errors) = Register(Set(TileSetContent.Illustration) with { Across = 8, Down = 8, Seed = 6 });
        var (_, max) = Summary("illustration 8x8 seed 6", errors);
        Assert.True(max <= 0.5, string.Create(CultureInfo.InvariantCulture, $"max {max:F3} px"));
    }

    [Fact]
    public void A_faint_gradient_that_cannot_be_measured_says_so_for_every_tile_it_places_by_the_model()
    {
        // The first pass measures none of its pairs (the experimental second pass, off here, confirms
        // some: SecondPassTests). Whatever is placed more than 1 px off must be named as weakly placed.
        var (result, errors) = Register(Set(TileSetContent.FaintGradient));
        Summary("faint gradient", errors);
        AssertEveryBadTileIsNamed(result, errors, 1.0);
    }

    [Fact]
    public void Sparse_spots_are_placed_within_half_a_pixel_median_and_every_tile_off_by_three_is_named()
    {
        // Issue 18's target is max ≤ 3 px: where an overlap holds no spot, the tiles beyond it
        // are placed by the stage model, and the report says so.
        // Today: median 0.034 px; 0.06 is the bound a regression must not pass.
        var (result, errors) = Register(Set(TileSetContent.Spots));
        var (median, _) = Summary("spots", errors);
        Assert.True(median <= 0.06, string.Create(CultureInfo.InvariantCulture, $"spots: median {median:F3} px"));
        AssertEveryBadTileIsNamed(result, errors, 3.0);
    }

    [Fact]
    public void A_repetitive_pattern_never_snaps_to_a_wrong_period()
    {
        JitteredTileSetOptions options = Set(TileSetContent.Periodic);
        using var temp = new TempDirectory();
        JitteredTileSet set = JitteredTileSet.Write(temp.Path, options);
        TileGrid grid = GridScanner.Scan(temp.Path, new LayoutOptions("{x}_{y}.jpg"));
        RegistrationResult result = GridRegistration.Run(grid, new OverlapSpec(options.OverlapX, options.OverlapY, false),
            new RegistrationOptions { Threads = 2, SecondPass = true }, TileCodecs.Create(CodecChoice.Auto, out _), CancellationToken.None);
        output.WriteLine(result.Report.Format());
        foreach (PairRecord p in result.Report.PairList.Where(p => p.Outcome is PairOutcome.Measured or PairOutcome.Confirmed))
        {
            var a = set.Truth[Cell(p.First)];
            var b = set.Truth[Cell(p.Second)];
            Assert.True(Math.Abs(p.Dx - (b.X - a.X)) < ContentImages.PeriodX / 2.0 && Math.Abs(p.Dy - (b.Y - a.Y)) < ContentImages.PeriodY / 2.0,
                string.Create(CultureInfo.InvariantCulture, $"{p.First}–{p.Second} measured ({p.Dx:F1}, {p.Dy:F1}), true ({b.X - a.X}, {b.Y - a.Y}): a wrong period"));
        }

        AssertEveryBadTileIsNamed(result, ErrorsAfterCommonTranslation(result, set), ContentImages.PeriodX / 2.0);
    }

    [Fact]
    public void An_exact_integer_grid_comes_out_exact()
    {
        // Issue 18's target: 0.05 px everywhere. The pairs agree to a few hundredths of a pixel, so
        // the stage model's spread is its floor (0.05 px) and the solve lets it hold the tiles whose
        // own links locate them weakly: without that pull the worst tile here was 0.074 px off,
        // and 0.10–0.55 px on the 8×8 sets (a tile located along y only by edges seen along themselves).
        var (result, errors) = Register(Set(TileSetContent.Photograph, jitter: 0));
        var (median, max) = Summary("integer grid", errors);
        Assert.True(median <= 0.03, string.Create(CultureInfo.InvariantCulture, $"median {median:F3} px off the exact grid"));
        Assert.True(max <= 0.05, string.Create(CultureInfo.InvariantCulture, $"max {max:F3} px off the exact grid"));
        Assert.Equal(128, result.Report.West.OffsetX, 0.1);
        Assert.Equal(104, result.Report.North.OffsetY, 0.1);
        Assert.Equal(StageModel.MinSpread, result.Report.West.SpreadX);
        Assert.Equal(StageModel.MinSpread, result.Report.North.SpreadY);
    }

    [Fact]
    public void A_tile_the_stage_put_off_its_exact_grid_keeps_its_own_place()
    {
        // A stage that repeats exactly but missed a step at two tiles: its spread stays at the floor
        // (the median deviation does not see two tiles), and the pull towards the model must not
        // take those tiles back to the grid nor make the solve drop their links as wrong.
        var options = Set(TileSetContent.Photograph, jitter: 0) with { Across = 6, Down = 6, Slips = [(2, 2, 3, -2), (4, 1, 0, 2)] };
        var (result, errors) = Register(options);
        var (_, max) = Summary("exact grid, two slipped tiles", errors);
        Assert.True(max <= 0.1, string.Create(CultureInfo.InvariantCulture, $"max {max:F3} px off the truth"));
        Assert.Equal(0, result.Report.Count(PairOutcome.RemovedBySolve));
        Assert.True(result.Report.West.SpreadX <= 0.1, string.Create(CultureInfo.InvariantCulture, $"spread {result.Report.West.SpreadX:F3} px"));
    }

    private static (int, int) Cell(string name)
    {
        string[] parts = Path.GetFileNameWithoutExtension(name).Split('_');
        return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]);
    }
}
