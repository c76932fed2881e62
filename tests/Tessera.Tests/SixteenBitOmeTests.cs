using System.Globalization;
using NetVips;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>
/// 16-bit input stays 16-bit in the OME layouts, with no --range: an exact cut of a plane of noise
/// over the whole 0–65535 range (which no 8-bit path keeps) reads back, through tifffile, zarr and
/// libvips, as that plane at full resolution and as its 2×2 halvings below, in uint16 samples; the
/// linear blend and the flat- and dark-field act at 16 bits; shards agree with one process; a range
/// given asks for 8-bit output, and JPEG tiles, which hold 8 bits, are refused.
/// </summary>
public sealed class SixteenBitOmeTests : IDisposable
{
    private const int TileSize = 64;
    private readonly TempDirectory _dir = new();

    /// <summary>3×2 tiles, a plane 256×149 px: three OME levels of 64 px tiles, the last two of odd height.</summary>
    private static SixteenBitGrid Grid(int channels) => new(3, 2, 96, 80, 16, 11, channels);

    [Theory]
    [InlineData(1, ".png", "ome-tiff")]
    [InlineData(3, ".tif", "ome-tiff")]
    [InlineData(1, ".tif", "ome-zarr")]
    [InlineData(3, ".png", "ome-zarr")]
    public void Exact_cut_16_bit_grid_is_the_plane_in_uint16_at_every_level(int channels, string suffix, string layout)
    {
        SixteenBitGrid grid = Grid(channels);
        ushort[] plane = SixteenBitGrid.Noise(grid.PlaneWidth, grid.PlaneHeight, channels, seed: 7);
        grid.WriteCut(_dir.Combine("tiles"), plane, suffix);
        string output = _dir.Combine(layout == "ome-tiff" ? "slide.ome.tif" : "slide.ome.zarr");

        var build = Build(grid, suffix, output, "--layout", layout);
        Assert.True(build.ExitCode == 0, build.Error);
        Assert.Contains("16-bit input kept at 16 bits", build.Output);
        OmeReaders.Check(Expect(layout == "ome-tiff" ? "tiff" : "zarr", output, grid, plane, "uint16"));
    }

    [Fact]
    public void Libvips_opens_the_16_bit_ome_tiff_and_its_subifd_levels_as_ushort()
    {
        SixteenBitGrid grid = Grid(3);
        ushort[] plane = SixteenBitGrid.Noise(grid.PlaneWidth, grid.PlaneHeight, 3, seed: 11);
        grid.WriteCut(_dir.Combine("tiles"), plane, ".tif");
        string tiff = _dir.Combine("slide.ome.tif");
        Assert.Equal(0, Build(grid, ".tif", tiff, "--layout", "ome-tiff").ExitCode);

        Assert.Equal(plane, ReadFull(tiff, grid, 3));
        IReadOnlyList<int[]> shapes = grid.Shapes(TileSize);
        for (int level = 1; level < shapes.Count; level++)
        {
            using Image reduced = Image.NewFromFile(tiff, access: Enums.Access.Random, kwargs: new VOption { { "subifd", level - 1 } });
            Assert.True((shapes[level][1], shapes[level][0], 3, Enums.BandFormat.Ushort) == (reduced.Width, reduced.Height, reduced.Bands, reduced.Format),
                $"SubIFD {level - 1}: {reduced.Width}×{reduced.Height}×{reduced.Bands} {reduced.Format}");
        }
    }

    /// <summary>Each tile its own noise, so that every overlap pixel is a true mean; the reference is the blend's rule in doubles.</summary>
    [Fact]
    public void Linear_blend_of_16_bit_tiles_is_the_weighted_mean_within_one_level_of_65535()
    {
        SixteenBitGrid grid = Grid(3);
        var tiles = new Dictionary<(int, int), ushort[]>();
        grid.Write(_dir.Combine("tiles"), (c, r) => tiles[(c, r)] = SixteenBitGrid.Noise(grid.TileWidth, grid.TileHeight, 3, (uint)(100 + (c * 10) + r)), ".tif");
        string tiff = _dir.Combine("blend.ome.tif");
        var build = Build(grid, ".tif", tiff, "--layout", "ome-tiff", "--blend", "linear");
        Assert.True(build.ExitCode == 0, build.Error);

        ushort[] got = ReadFull(tiff, grid, 3);
        int blended = 0;
        for (int y = 0; y < grid.PlaneHeight; y++)
        {
            for (int x = 0; x < grid.PlaneWidth; x++)
            {
                var (expected, covering) = LinearReference(grid, tiles, x, y);
                blended += covering > 1 ? 1 : 0;
                for (int ch = 0; ch < 3; ch++)
                {
                    int diff = Math.Abs(got[(((y * grid.PlaneWidth) + x) * 3) + ch] - expected[ch]);
                    Assert.True(diff <= 1, $"pixel ({x}, {y}) channel {ch}: {got[(((y * grid.PlaneWidth) + x) * 3) + ch]}, expected {expected[ch]} ({covering} tiles)");
                }
            }
        }

        Assert.True(blended > 5000, $"only {blended} pixels lie in overlaps");
    }

    /// <summary>
    /// Tiles = round(plane · g) + D with a vignetting g and a dark offset D far above 255; the
    /// flat-field image is 40000 · g + D and the dark image D. Corrected, every pixel is the plane
    /// times the field's mean, within 3 levels of 65535 (an 8-bit path is off by hundreds).
    /// </summary>
    [Fact]
    public void Flat_and_dark_field_correct_16_bit_tiles_at_16_bits()
    {
        SixteenBitGrid grid = Grid(1);
        int w = grid.TileWidth, h = grid.TileHeight;
        var gain = new double[w * h];
        var dark = new ushort[w * h];
        var field = new ushort[w * h];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                double u = ((x + 0.5) / w * 2) - 1, v = ((y + 0.5) / h * 2) - 1;
                int i = (y * w) + x;
                gain[i] = 1 - (0.2 * ((u * u) + (v * v)));
                dark[i] = (ushort)(2000 + (((x * 37) + (y * 11)) % 3000));
                field[i] = (ushort)(Math.Round(40000 * gain[i]) + dark[i]);
            }
        }

        ushort[] plane = SixteenBitGrid.Noise(grid.PlaneWidth, grid.PlaneHeight, 1, seed: 3).Select(p => (ushort)(p * 58000L / 65535)).ToArray();
        grid.Write(_dir.Combine("tiles"), (c, r) =>
        {
            ushort[] tile = grid.Cut(plane, c, r);
            for (int i = 0; i < tile.Length; i++)
            {
                tile[i] = (ushort)(Math.Round(tile[i] * gain[i]) + dark[i]);
            }

            return tile;
        }, ".png");
        SixteenBitGrid.Save(_dir.Combine("flat.png"), field, w, h, 1);
        SixteenBitGrid.Save(_dir.Combine("dark.png"), dark, w, h, 1);
        string tiff = _dir.Combine("flat.ome.tif");

        var build = Build(grid, ".png", tiff, "--layout", "ome-tiff", "--flatfield", _dir.Combine("flat.png"), "--darkfield", _dir.Combine("dark.png"));
        Assert.True(build.ExitCode == 0, build.Error);

        double mean = gain.Select(g => Math.Round(40000 * g)).Average() / 40000;
        ushort[] got = ReadFull(tiff, grid, 1);
        for (int i = 0; i < plane.Length; i++)
        {
            double expected = plane[i] * mean;
            Assert.True(Math.Abs(got[i] - expected) <= 3,
                string.Create(CultureInfo.InvariantCulture, $"pixel ({i % grid.PlaneWidth}, {i / grid.PlaneWidth}): {got[i]}, expected {expected:F1}"));
        }
    }

    [Fact]
    public void Sixteen_bit_ome_zarr_built_in_shards_then_finished_is_the_same_files_as_one_process()
    {
        // 16 px tiles: a plane of 336×218 px is two blocks of the first round, one per shard.
        var grid = new SixteenBitGrid(4, 3, 96, 80, 16, 11, 3);
        ushort[] plane = SixteenBitGrid.Noise(grid.PlaneWidth, grid.PlaneHeight, 3, seed: 5);
        grid.WriteCut(_dir.Combine("tiles"), plane, ".png");
        // The same name in two folders: the name is in the multiscales metadata.
        string whole = _dir.Combine("whole", "slide.ome.zarr"), sharded = _dir.Combine("sharded", "slide.ome.zarr");
        string[] options = ["--layout", "ome-zarr"];

        var one = BuildWithTiles(16, grid, ".png", whole, options);
        Assert.True(one.ExitCode == 0, one.Error);
        foreach (string[] step in new[] { new[] { "--shard", "1/2" }, ["--shard", "0/2"], ["--finish"] })
        {
            var part = BuildWithTiles(16, grid, ".png", sharded, [.. options, .. step]);
            Assert.True(part.ExitCode == 0, $"{string.Join(' ', step)}: {part.Error}");
            Assert.True(step[0] != "--shard" || part.Output.Contains(": 1 blocks built", StringComparison.Ordinal), part.Output);
        }

        string[] files = Files(whole);
        Assert.Equal(files, Files(sharded));
        Assert.Contains(files, f => f.EndsWith(".zgroup", StringComparison.Ordinal));
        foreach (string file in files)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(whole, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(sharded, file))),
                $"{file} differs between the sharded and the whole build");
        }

        var expect = Expect("zarr", sharded, grid, plane, "uint16") with { TileSize = 16, Shapes = grid.Shapes(16) };
        OmeReaders.Check(expect);
    }

    /// <summary>
    /// Registration reads the 16-bit tiles as reduced 8-bit grey (through the automatic range) and
    /// finds the exact cut's nominal places; the pyramid it places is still the 16-bit plane.
    /// </summary>
    [Fact]
    public void Registered_16_bit_grid_is_placed_where_it_was_cut_and_stays_16_bit()
    {
        var grid = new SixteenBitGrid(3, 2, 96, 80, 32, 24, 1);
        ushort[] plane = SixteenBitGrid.Noise(grid.PlaneWidth, grid.PlaneHeight, 1, seed: 13);
        grid.WriteCut(_dir.Combine("tiles"), plane, ".png");
        string zarr = _dir.Combine("registered.ome.zarr");

        var build = Build(grid, ".png", zarr, "--layout", "ome-zarr", "--register", "--search", "8", "--balance", "off");
        Assert.True(build.ExitCode == 0, build.Error + build.Output);
        Assert.True(File.Exists(_dir.Combine("registered.registered.txt")), build.Output);
        OmeReaders.Check(Expect("zarr", zarr, grid, plane, "uint16"));
    }

    /// <summary>--range asks for 8 bits: the same grid in uint8, each sample v mapped to round(v / 257) by --range 0,65535.</summary>
    [Fact]
    public void A_range_given_maps_16_bit_input_to_uint8_in_the_ome_layouts()
    {
        SixteenBitGrid grid = Grid(1);
        ushort[] plane = SixteenBitGrid.Noise(grid.PlaneWidth, grid.PlaneHeight, 1, seed: 9);
        grid.WriteCut(_dir.Combine("tiles"), plane, ".png");
        string zarr = _dir.Combine("eight.ome.zarr");
        var build = Build(grid, ".png", zarr, "--layout", "ome-zarr", "--range", "0,65535");
        Assert.True(build.ExitCode == 0, build.Error);
        Assert.DoesNotContain("kept at 16 bits", build.Output);

        byte[] eight = plane.Select(v => (byte)Math.Floor((v / 257.0) + 0.5)).ToArray();
        File.WriteAllBytes(_dir.Combine("eight.raw"), eight);
        OmeReaders.Check(new OmeReaders.Expectation("zarr", zarr, [_dir.Combine("eight.raw")], grid.Shapes(TileSize), 1, "uint8",
            TileSize, Halve: true, PixelSizeMicrometres: 0.325));
    }

    [Fact]
    public void Jpeg_ome_tiff_of_16_bit_input_is_refused_naming_the_options_and_writes_nothing()
    {
        SixteenBitGrid grid = Grid(1);
        grid.WriteCut(_dir.Combine("tiles"), SixteenBitGrid.Noise(grid.PlaneWidth, grid.PlaneHeight, 1, seed: 1), ".png");
        string tiff = _dir.Combine("jpeg.ome.tif");
        var build = Build(grid, ".png", tiff, "--layout", "ome-tiff", "--format", "jpeg");

        Assert.NotEqual(0, build.ExitCode);
        string message = build.Error.Trim();
        Assert.DoesNotContain('\n', message);
        Assert.Contains("--format jpeg holds 8-bit samples", message);
        Assert.Contains("0_0.png", message);
        Assert.Contains("--range MIN,MAX", message);
        Assert.False(File.Exists(tiff) || File.Exists(tiff + ".partial") || Directory.Exists(_dir.Combine("jpeg.tessera")), "the refused build left files");
    }

    private CliRunner.Result Build(SixteenBitGrid grid, string suffix, string output, params string[] options) =>
        BuildWithTiles(TileSize, grid, suffix, output, options);

    private CliRunner.Result BuildWithTiles(int tileSize, SixteenBitGrid grid, string suffix, string output, params string[] options) =>
        CliRunner.Run(["build", _dir.Combine("tiles"), output, "--pattern", "{x}_{y}" + suffix, "--overlap", grid.OverlapOption,
            "--tile-size", tileSize.ToString(CultureInfo.InvariantCulture), "--pixel-size", "0.325um", "--threads", "2", .. options]);

    private OmeReaders.Expectation Expect(string kind, string path, SixteenBitGrid grid, ushort[] plane, string dtype)
    {
        string raw = _dir.Combine("plane.raw");
        SixteenBitGrid.WriteRaw(raw, plane);
        return new OmeReaders.Expectation(kind, path, [raw], grid.Shapes(TileSize), grid.Channels, dtype, TileSize, Halve: true, PixelSizeMicrometres: 0.325);
    }

    /// <summary>The full-resolution level as libvips reads it, samples interleaved.</summary>
    private static ushort[] ReadFull(string tiff, SixteenBitGrid grid, int channels)
    {
        using Image full = Image.NewFromFile(tiff, access: Enums.Access.Random);
        Assert.Equal((grid.PlaneWidth, grid.PlaneHeight, channels, Enums.BandFormat.Ushort), (full.Width, full.Height, full.Bands, full.Format));
        return full.WriteToMemory<ushort>();
    }

    /// <summary>Each covering tile weighs min(distance to its left, right edge) · min(top, bottom), counted from 1 at its outermost pixels.</summary>
    private static (int[] Value, int Covering) LinearReference(SixteenBitGrid grid, Dictionary<(int, int), ushort[]> tiles, int x, int y)
    {
        var sums = new double[3];
        double weights = 0;
        int covering = 0;
        foreach (var ((column, row), samples) in tiles)
        {
            int left = column * grid.StepX, top = row * grid.StepY;
            if (x < left || x >= left + grid.TileWidth || y < top || y >= top + grid.TileHeight)
            {
                continue;
            }

            double w = Math.Min(x - left + 1, left + grid.TileWidth - x) * (double)Math.Min(y - top + 1, top + grid.TileHeight - y);
            int at = (((y - top) * grid.TileWidth) + (x - left)) * 3;
            for (int ch = 0; ch < 3; ch++)
            {
                sums[ch] += w * samples[at + ch];
            }

            weights += w;
            covering++;
        }

        return (sums.Select(s => (int)Math.Min(Math.Floor((s / weights) + 0.5), ushort.MaxValue)).ToArray(), covering);
    }

    private static string[] Files(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f)).Order(StringComparer.Ordinal).ToArray();

    public void Dispose() => _dir.Dispose();
}
