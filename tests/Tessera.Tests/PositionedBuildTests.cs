using System.Globalization;
using Tessera.Codecs;
using Tessera.Compositing;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Registration;
using Tessera.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Tessera.Tests;

/// <summary>Builds from explicit positions: a positions file, or a registration in the same run.</summary>
public sealed class PositionedBuildTests(ITestOutputHelper output) : IDisposable
{
    private static readonly SkiaTileCodec Codec = new();
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(BlendMode.Seam)]
    [InlineData(BlendMode.Linear)]
    public void Registered_four_tile_corner_is_seamless_against_the_source_and_the_nominal_grid_is_not(BlendMode blend)
    {
        var set = JitteredTileSet.Write(_dir.Combine("tiles"), new JitteredTileSetOptions());
        JitteredTileSetOptions o = set.Options;
        TileGrid grid = GridScanner.Scan(_dir.Combine("tiles"), new LayoutOptions());
        var overlap = new OverlapSpec(o.OverlapX, o.OverlapY, IsPercent: false);
        RegistrationResult registered = GridRegistration.Run(grid, overlap, new RegistrationOptions(), Codec);

        // The corner where tiles (2,1), (3,1), (2,2) and (3,2) meet, and a 160 px square around it.
        var (cornerColumn, cornerRow) = (3, 2);
        double Worst(IReadOnlyList<TilePlacement> placements)
        {
            PlacedMosaic placed = PlacedMosaic.FromPlacements(placements, _ => (o.TileWidth, o.TileHeight));
            using var source = new PlacedMosaicSource(placed, blend, PixelFormat.Rgbx8888, Codec, Rgb.Black, 64 << 20);

            // Plane to source: the offset of the corner tile (the whole set shares one translation).
            int tile = placements.ToList().FindIndex(p => (p.Column, p.Row) == (cornerColumn, cornerRow));
            PixelRect at = placed.RectOf(tile);
            var (truthX, truthY) = set.Truth[(cornerColumn, cornerRow)];
            int dx = truthX - at.X, dy = truthY - at.Y;
            int seamX = at.X + (o.OverlapX / 2), seamY = at.Y + (o.OverlapY / 2);
            var crop = new PixelRect(seamX - 80, seamY - 80, 160, 160);
            using var stitched = new PixelBuffer(crop, PixelFormat.Rgbx8888);
            source.Render(stitched);
            return WorstWindowCorrelation(stitched, set.Source, dx, dy);
        }

        double registeredWorst = Worst(registered.Placements);
        var nominal = grid.Files().Select((path, i) =>
            new TilePlacement(path, (i % o.Across) * o.StepX, (i / o.Across) * o.StepY, i % o.Across, i / o.Across)).ToList();
        double nominalWorst = Worst(nominal);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{blend}: worst 20 px window correlation with the source {registeredWorst:F3} registered, {nominalWorst:F3} on the nominal grid"));
        Assert.True(registeredWorst >= 0.9, $"registered: a window across the corner correlates only {registeredWorst:F3} with the source");
        Assert.True(nominalWorst < 0.8, $"nominal grid: worst window {nominalWorst:F3}; the test should see the misplacement");
    }

    [Fact]
    public void Positions_file_places_tiles_of_different_sizes_where_it_says()
    {
        // Three flat tiles of different sizes and colours; the later ones overlap the earlier.
        var tiles = new (string Name, int W, int H, int X, int Y, byte Grey)[]
        {
            ("a.png", 120, 90, 10, 5, 40),
            ("b.png", 70, 150, 100, 20, 120),
            ("c.png", 200, 60, 0, 150, 200),
        };
        string input = _dir.Combine("sized");
        Directory.CreateDirectory(input);
        foreach (var t in tiles)
        {
            using var pixels = new PixelBuffer(new PixelRect(0, 0, t.W, t.H), PixelFormat.Gray8);
            pixels.Data.AsSpan(0, t.W * t.H).Fill(t.Grey);
            using IEncodedImage png = Codec.Encode(pixels, pixels.Bounds, new EncodeSettings(TileFormat.Png));
            File.WriteAllBytes(Path.Combine(input, t.Name), png.Bytes);
        }

        string positions = _dir.Combine("positions.txt");
        File.WriteAllLines(positions, ["dim = 2", .. tiles.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Name}; ; ({t.X}.0, {t.Y}.0)"))]);
        var built = CliRunner.Run(["build", input, _dir.Combine("out.dzi"), "--positions", positions, "--blend", "overlay",
            "--format", "png", "--tile-size", "510", "--background", "255"]);
        Assert.True(built.ExitCode == 0, built.Error);
        Assert.Contains("3 tiles at the positions given", built.Output);

        // The plane starts at the smallest position (0, 5): 200 x 205 px, all in one base-level tile.
        string dzi = File.ReadAllText(_dir.Combine("out.dzi"));
        Assert.Contains("Width=\"200\"", dzi);
        Assert.Contains("Height=\"205\"", dzi);
        string level = Directory.GetDirectories(_dir.Combine("out_files")).OrderBy(d => int.Parse(Path.GetFileName(d), CultureInfo.InvariantCulture)).Last();
        using PixelBuffer image = Codec.Decode(Path.Combine(level, "0_0.png"), PixelFormat.Gray8);
        byte At(int x, int y) => image.Data[image.OffsetOf(x, y - 5)];
        Assert.Equal(40, At(15, 10));    // a only
        Assert.Equal(120, At(105, 30));  // b over a
        Assert.Equal(200, At(150, 160)); // c over b
        Assert.Equal(120, At(165, 100)); // b alone
        Assert.Equal(255, At(195, 10));  // nothing: background
    }

    [Fact]
    public void Build_register_writes_the_positions_and_report_and_builds_with_them()
    {
        string tiles = _dir.Combine("tiles");
        var set = JitteredTileSet.Write(tiles, new JitteredTileSetOptions { Across = 4, Down = 3 });
        string overlap = $"{set.Options.OverlapX},{set.Options.OverlapY}";
        string output = _dir.Combine("out.dzi");
        var built = CliRunner.Run(["build", tiles, output, "--overlap", overlap, "--register", "--tile-size", "128"]);
        Assert.True(built.ExitCode == 0, built.Error);
        Assert.Contains("pairs", built.Output);
        Assert.Contains("12 tiles at the positions given", built.Output);
        IReadOnlyList<TilePlacement> positions = PositionsFile.Read(_dir.Combine("out.registered.txt"), tiles);
        Assert.Equal(12, positions.Count);
        Assert.True(File.Exists(_dir.Combine("out.registered.report.txt")));
        Assert.Equal(0, CliRunner.Run(["verify", output]).ExitCode);

        var plan = CliRunner.Run(["plan", tiles, _dir.Combine("planned.dzi"), "--positions", _dir.Combine("out.registered.txt")]);
        Assert.True(plan.ExitCode == 0, plan.Error);
        Assert.Contains("12 at the positions given", plan.Output);

        // The same positions given back build the very same pyramid.
        var again = CliRunner.Run(["build", tiles, _dir.Combine("again.dzi"), "--positions", _dir.Combine("out.registered.txt"), "--tile-size", "128"]);
        Assert.True(again.ExitCode == 0, again.Error);
        PyramidComparison.AssertIdenticalFiles(output, _dir.Combine("again.dzi"));

        var shard = CliRunner.Run(["build", tiles, _dir.Combine("s.dzi"), "--overlap", overlap, "--register", "--shard", "0/2"]);
        Assert.Equal(1, shard.ExitCode);
        Assert.Contains("run tessera register once", shard.Error);
        var both = CliRunner.Run(["build", tiles, _dir.Combine("b.dzi"), "--register", "--positions", _dir.Combine("out.registered.txt")]);
        Assert.Equal(1, both.ExitCode);
        Assert.Contains("use one", both.Error);
        var badFile = CliRunner.Run(["build", tiles, _dir.Combine("c.dzi"), "--positions", _dir.Combine("out.registered.report.txt")]);
        Assert.Equal(1, badFile.ExitCode);
        Assert.False(File.Exists(_dir.Combine("c.dzi")));
    }

    /// <summary>
    /// The lowest normalised cross-correlation (of luminance) between the stitched crop and the
    /// source, over the textured 20 px windows tiling the crop: low wherever an edge is doubled or broken. NCC
    /// ignores each window's gain and offset, so the tiles' vignetting and gain do not count.
    /// </summary>
    private static double WorstWindowCorrelation(PixelBuffer stitched, PixelBuffer source, int dx, int dy)
    {
        const int window = 20;
        double worst = 1;
        PixelRect b = stitched.Bounds;
        for (int wy = b.Y; wy + window <= b.Bottom; wy += window)
        {
            for (int wx = b.X; wx + window <= b.Right; wx += window)
            {
                var a = new List<double>();
                var s = new List<double>();
                for (int y = wy; y < wy + window; y++)
                {
                    for (int x = wx; x < wx + window; x++)
                    {
                        a.Add(Luminance(stitched, x, y));
                        s.Add(Luminance(source, x + dx, y + dy));
                    }
                }

                double ma = a.Average(), ms = s.Average();
                double cov = a.Zip(s, (p, q) => (p - ma) * (q - ms)).Sum();
                double va = a.Sum(p => (p - ma) * (p - ma)), vs = s.Sum(q => (q - ms) * (q - ms));
                if (vs > window * window * 10 * 10)
                {
                    // Only textured windows (source sd above 10 grey levels): in flat ones the tiles' noise dominates.
                    worst = Math.Min(worst, cov / Math.Sqrt(va * vs));
                }
            }
        }

        return worst;
    }

    private static double Luminance(PixelBuffer image, int x, int y)
    {
        int o = image.OffsetOf(x, y);
        return (0.299 * image.Data[o]) + (0.587 * image.Data[o + 1]) + (0.114 * image.Data[o + 2]);
    }
}
