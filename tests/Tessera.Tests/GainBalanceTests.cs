using System.Globalization;
using Tessera.Codecs;
using Tessera.Compositing;
using Tessera.Illumination;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Tessera.Tests;

/// <summary>A camera grid whose tiles each have their own exposure (gain 0.9–1.1), vignetting, noise and JPEG, generated once.</summary>
public sealed class UnevenExposureFixture : IDisposable
{
    public UnevenExposureFixture()
    {
        Set = JitteredTileSet.Write(Directory.Combine("tiles"), Options);
    }

    public static JitteredTileSetOptions Options { get; } = new() { Across = 14, Down = 14, GainSpread = 0.1, Seed = 23 };

    public TempDirectory Directory { get; } = new();
    public JitteredTileSet Set { get; }
    public string Tiles => Directory.Combine("tiles");
    public string Overlap => string.Create(CultureInfo.InvariantCulture, $"{Options.OverlapX},{Options.OverlapY}");

    public void Dispose() => Directory.Dispose();
}

/// <summary>Gain balancing: every tile as bright as the scene it shows, the same in every process.</summary>
public sealed class GainBalanceTests(UnevenExposureFixture fixture, ITestOutputHelper output) : IClassFixture<UnevenExposureFixture>, IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("linear")]
    [InlineData("seam")]
    public void Register_with_flatfield_leaves_every_tile_within_one_percent_of_the_true_brightness(string blend)
    {
        var (offSpread, offWorst) = BuildAndMeasure(blend, "off");
        var (onSpread, onWorst) = BuildAndMeasure(blend, "on");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{blend}: brightness against the true image, balance off: sd {100 * offSpread:F2} %, worst {100 * offWorst:F2} %; on: sd {100 * onSpread:F2} %, worst {100 * onWorst:F2} %"));
        Assert.True(offWorst > 0.03, $"without balancing the tiles should differ visibly (worst {100 * offWorst:F2} %)");
        Assert.True(onWorst <= 0.01, $"with balancing a tile is still {100 * onWorst:F2} % off the true brightness");
    }

    [Fact]
    public void Balance_off_builds_what_the_positions_alone_build_and_writes_no_gains()
    {
        string off = _dir.Combine("off.dzi");
        var built = Build(["build", fixture.Tiles, off, "--overlap", fixture.Overlap, "--register", "--flatfield", "auto", "--balance", "off", "--tile-size", "128"]);
        Assert.DoesNotContain("gains", built.Output);
        Assert.False(File.Exists(_dir.Combine("off.registered.gains.txt")));

        // The positions without a gains file beside them: the build as it was before balancing.
        string positions = _dir.Combine("plain.txt");
        File.Copy(_dir.Combine("off.registered.txt"), positions);
        string plain = _dir.Combine("plain.dzi");
        Build(["build", fixture.Tiles, plain, "--positions", positions, "--flatfield", "auto", "--tile-size", "128"]);
        PyramidComparison.AssertIdenticalFiles(off, plain);

        string on = _dir.Combine("on.dzi");
        Build(["build", fixture.Tiles, on, "--overlap", fixture.Overlap, "--register", "--flatfield", "auto", "--tile-size", "128"]);
        Assert.False(PyramidComparison.TileNames(on).All(name =>
            File.ReadAllBytes(Path.Combine(PyramidComparison.FilesDirectory(on), name)).AsSpan()
                .SequenceEqual(File.ReadAllBytes(Path.Combine(PyramidComparison.FilesDirectory(off), name)))));
    }

    [Fact]
    public void Gains_file_is_written_read_back_with_its_positions_and_shards_match_one_process()
    {
        string[] common = ["--flatfield", "auto", "--blend", "linear", "--tile-size", "64"];
        string whole = _dir.Combine("whole.dzi");
        var built = Build(["build", fixture.Tiles, whole, "--overlap", fixture.Overlap, "--register", .. common]);
        string gainsFile = _dir.Combine("whole.registered.gains.txt");
        Assert.Contains(gainsFile, built.Output);
        Assert.Contains("gains of 196 tiles", built.Output);

        // A person can read it: the flat-field it was measured after, then one gain per tile, following the true exposure.
        string positions = _dir.Combine("whole.registered.txt");
        TileGains gains = GainsFile.Read(gainsFile, fixture.Tiles);
        Assert.StartsWith("flat-field estimated from 196", gains.MeasuredAfter);
        Assert.Equal(196, gains.Count);
        double[] relative = Enumerable.Range(0, gains.Count).Select(i => gains.GainOf(i) / fixture.Set.Gains[Cell(gains.PathOf(i))]).ToArray();
        double mean = relative.Average();
        double worst = relative.Max(r => Math.Abs((r / mean) - 1));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"measured against true gains: worst {100 * worst:F2} %"));
        Assert.True(worst < 0.01, $"a measured gain is {100 * worst:F2} % off the true one");

        // Given back with its positions, the gains build the very same pyramid, in one process or in shards.
        string again = _dir.Combine("again.dzi");
        Build(["build", fixture.Tiles, again, "--positions", positions, .. common]);
        PyramidComparison.AssertIdenticalFiles(whole, again);
        string sharded = _dir.Combine("sharded.dzi");
        foreach (string shard in new[] { "1/3", "0/3", "2/3" })
        {
            Build(["build", fixture.Tiles, sharded, "--positions", positions, "--shard", shard, .. common]);
        }

        Build(["build", fixture.Tiles, sharded, "--positions", positions, "--finish", .. common]);
        PyramidComparison.AssertIdenticalFiles(whole, sharded);

        // Gains measured after another flat-field are refused, naming the file; nothing is left looking complete.
        var otherField = CliRunner.Run(["build", fixture.Tiles, _dir.Combine("other.dzi"), "--positions", positions, "--tile-size", "64"]);
        Assert.Equal(1, otherField.ExitCode);
        Assert.Contains(gainsFile, otherField.Error);
        Assert.Contains("--balance off", otherField.Error);
        Assert.Single(otherField.Error.Trim().Split('\n'));
        Assert.False(File.Exists(_dir.Combine("other.dzi")));
        var off = CliRunner.Run(["build", fixture.Tiles, _dir.Combine("other.dzi"), "--positions", positions, "--tile-size", "64", "--balance", "off"]);
        Assert.True(off.ExitCode == 0, off.Error);

        // A damaged gains file is named with its line.
        File.WriteAllText(gainsFile, File.ReadAllText(gainsFile).Replace("0_0.jpg; ", "0_0.jpg; x", StringComparison.Ordinal));
        var damaged = CliRunner.Run(["build", fixture.Tiles, _dir.Combine("damaged.dzi"), "--positions", positions, .. common]);
        Assert.Equal(1, damaged.ExitCode);
        Assert.Contains($"{gainsFile}, line", damaged.Error);
        Assert.Contains("is not a number", damaged.Error);
        Assert.False(File.Exists(_dir.Combine("damaged.dzi")));
    }

    [Fact]
    public void Tessera_register_writes_the_gains_that_build_positions_then_divides_by()
    {
        string positions = _dir.Combine("registered.txt");
        var registered = CliRunner.Run(["register", fixture.Tiles, "--overlap", fixture.Overlap, "--flatfield", "auto", "--output", positions]);
        Assert.True(registered.ExitCode == 0, registered.Error);
        Assert.Contains(_dir.Combine("registered.gains.txt"), registered.Output);
        Assert.Contains("gains of 196 tiles", registered.Output);

        string fromFile = _dir.Combine("from-file.dzi"), inOne = _dir.Combine("in-one.dzi");
        var built = Build(["build", fixture.Tiles, fromFile, "--positions", positions, "--flatfield", "auto", "--tile-size", "128"]);
        Assert.Contains("gains of 196 tiles", built.Output);
        Build(["build", fixture.Tiles, inOne, "--overlap", fixture.Overlap, "--register", "--flatfield", "auto", "--tile-size", "128"]);
        PyramidComparison.AssertIdenticalFiles(inOne, fromFile);

        var off = CliRunner.Run(["register", fixture.Tiles, "--overlap", fixture.Overlap, "--balance", "off", "--output", _dir.Combine("plain.txt")]);
        Assert.True(off.ExitCode == 0, off.Error);
        Assert.False(File.Exists(_dir.Combine("plain.gains.txt")));
    }

    [Fact]
    public void Measured_gains_follow_the_true_exposure_and_unlinked_tiles_stay_at_one()
    {
        using var dir = new TempDirectory();
        var set = JitteredTileSet.Write(dir.Path, new JitteredTileSetOptions
        {
            GainSpread = 0.1, Vignetting = 0, Seed = 5, Black = [(3, 2)], Foreign = [(5, 1)],
        });
        var cells = set.Truth.Keys.OrderBy(c => c.Row).ThenBy(c => c.Column).ToArray();
        var placements = cells.Select(c => new TilePlacement(Path.Combine(dir.Path, $"{c.Column}_{c.Row}.jpg"), set.Truth[c].X, set.Truth[c].Y, c.Column, c.Row)).ToArray();
        var mosaic = PlacedMosaic.FromPlacements(placements, _ => (set.Options.TileWidth, set.Options.TileHeight));
        GainMeasurement measured = GainBalance.Measure(mosaic, new SkiaTileCodec(), null, new GainBalanceOptions { Threads = 2 });
        output.WriteLine(string.Join(Environment.NewLine, measured.Notes()));

        // The black tile has nothing to compare; the foreign one shows another scene: neither is believed.
        Assert.Equal(1.0, measured.Gains.GainOf(Array.IndexOf(cells, (3, 2))));
        Assert.Equal(4, measured.WithoutSignal);
        Assert.True(measured.Inconsistent >= 3, $"{measured.Inconsistent} pairs of the foreign tile were taken as consistent");
        var ordinary = Enumerable.Range(0, cells.Length).Where(i => cells[i] != (3, 2) && cells[i] != (5, 1)).ToArray();
        double[] relative = ordinary.Select(i => measured.Gains.GainOf(i) / set.Gains[cells[i]]).ToArray();
        double mean = relative.Average();
        double worst = relative.Max(r => Math.Abs((r / mean) - 1));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"worst gain error {100 * worst:F3} %"));
        Assert.True(worst < 0.005, $"a gain is {100 * worst:F2} % off");
    }

    private (double Spread, double Worst) BuildAndMeasure(string blend, string balance)
    {
        string dzi = _dir.Combine($"{blend}-{balance}.dzi");
        Build(["build", fixture.Tiles, dzi, "--overlap", fixture.Overlap, "--register", "--flatfield", "auto", "--blend", blend, "--balance", balance, "--tile-overlap", "0"]);
        var placements = PositionsFile.Read(_dir.Combine($"{blend}-{balance}.registered.txt"), fixture.Tiles);
        return Brightness(FullLevel.Read(dzi), placements);
    }

    /// <summary>
    /// Each tile's brightness in the pyramid against the true image, as the mean over the tile's
    /// central half divided by the true mean there; returns the ratios' relative standard deviation
    /// and the worst relative departure from their mean.
    /// </summary>
    private (double Spread, double Worst) Brightness(FullLevel level, IReadOnlyList<TilePlacement> placements)
    {
        JitteredTileSet set = fixture.Set;
        int w = set.Options.TileWidth, h = set.Options.TileHeight;
        long minX = placements.Min(p => (long)Math.Round(p.X, MidpointRounding.ToEven)), minY = placements.Min(p => (long)Math.Round(p.Y, MidpointRounding.ToEven));

        // Where the pyramid's plane lies on the true image: the median of the tiles' offsets.
        var offsets = placements.Select(p =>
        {
            var truth = set.Truth[Cell(p.Path)];
            return (X: truth.X - (Math.Round(p.X, MidpointRounding.ToEven) - minX), Y: truth.Y - (Math.Round(p.Y, MidpointRounding.ToEven) - minY));
        }).ToArray();
        int dx = (int)offsets.Select(o => o.X).Order().ElementAt(offsets.Length / 2), dy = (int)offsets.Select(o => o.Y).Order().ElementAt(offsets.Length / 2);

        var ratios = new List<double>();
        foreach (TilePlacement p in placements)
        {
            var (tx, ty) = set.Truth[Cell(p.Path)];
            double stitched = 0, truth = 0;
            for (int y = ty + (h / 4); y < ty + (3 * h / 4); y++)
            {
                for (int x = tx + (w / 4); x < tx + (3 * w / 4); x++)
                {
                    stitched += level[x - dx, y - dy];
                    int o = set.Source.OffsetOf(x, y);
                    truth += (0.299 * set.Source.Data[o]) + (0.587 * set.Source.Data[o + 1]) + (0.114 * set.Source.Data[o + 2]);
                }
            }

            ratios.Add(stitched / truth);
        }

        double mean = ratios.Average();
        double sd = Math.Sqrt(ratios.Average(r => (r - mean) * (r - mean))) / mean;
        return (sd, ratios.Max(r => Math.Abs((r / mean) - 1)));
    }

    private static (int Column, int Row) Cell(string path)
    {
        string[] parts = Path.GetFileNameWithoutExtension(path).Split('_');
        return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    private CliRunner.Result Build(string[] args)
    {
        var result = CliRunner.Run(args);
        Assert.True(result.ExitCode == 0, $"tessera {string.Join(' ', args)}: {result.Error}");
        return result;
    }
}
