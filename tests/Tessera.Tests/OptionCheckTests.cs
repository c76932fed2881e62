using NetVips;
using Tessera.Build;
using Tessera.Codecs;
using Tessera.Layout;
using Tessera.Pyramid;
using Tessera.Samples;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>
/// Settings the engine cannot build are refused before anything is written, naming the request's
/// properties (the command names its options); files the layout leaves out, and a registration
/// that measured nothing, are said out loud.
/// </summary>
public sealed class OptionCheckTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly SampleOptions _sample = Support.Samples.Small(TileFormat.Jpeg);

    public OptionCheckTests() => SampleGrid.Write(Tiles, _sample);

    private string Tiles => _dir.Combine("tiles");

    [Theory]
    [InlineData(1, 1)]
    [InlineData(8, 8)]
    [InlineData(8, 9)]
    [InlineData(8, -1)]
    public void A_tile_overlap_not_below_the_tile_size_is_refused_by_property_before_anything_is_written(int tileSize, int overlap)
    {
        BuildRequest request = Support.Samples.Request(Tiles, _dir.Combine("out", "p.dzi"), _sample) with
        {
            Pyramid = new PyramidOptions { TileSize = tileSize, Overlap = overlap, Threads = 2 },
        };
        var e = Assert.Throws<RequestException>(() => PyramidBuild.Run(request));
        Assert.Contains("Pyramid.Overlap", e.Properties);
        Assert.Contains("Pyramid.Overlap must be at least 0 and less than Pyramid.TileSize", e.Message);
        Assert.False(Directory.Exists(_dir.Combine("out")), "a refused build wrote something");
    }

    [Fact]
    public void The_command_names_its_options_for_a_tile_overlap_as_large_as_the_tile()
    {
        var r = CliRunner.Run("build", Tiles, _dir.Combine("out", "p.dzi"), "--overlap", "16,12", "--tile-size", "1", "--tile-overlap", "1");
        Assert.Equal(1, r.ExitCode);
        string line = Assert.Single(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("tessera: error: --tile-overlap must be at least 0 and less than --tile-size, 1 (got 1).", line);
        Assert.False(Directory.Exists(_dir.Combine("out")));
    }

    [Fact]
    public void Image_files_the_pattern_leaves_out_are_listed_in_a_warning()
    {
        File.Copy(Path.Combine(Tiles, "0_0.jpg"), Path.Combine(Tiles, "-1_0.jpg"));
        File.Copy(Path.Combine(Tiles, "0_0.jpg"), Path.Combine(Tiles, "2_2.JPG"));
        File.WriteAllText(Path.Combine(Tiles, "notes.txt"), "not an image");

        TileGrid grid = GridScanner.Scan(Tiles, new LayoutOptions());
        Assert.Equal(["-1_0.jpg", "2_2.JPG"], grid.LeftOut.Select(Path.GetFileName));

        var r = CliRunner.Run("build", Tiles, _dir.Combine("p.dzi"), "--overlap", "16,12", "--tile-size", "64");
        Assert.True(r.ExitCode == 0, r.Error);
        string warning = Assert.Single(r.Error.Split('\n'), l => l.Contains("left out"));
        Assert.StartsWith("tessera: warning: 2 image file(s)", warning);
        Assert.Contains("-1_0.jpg, 2_2.JPG", warning);
        Assert.Contains("{x}_{y}.jpg", warning);
        Assert.DoesNotContain("notes.txt", warning);
    }

    [Fact]
    public void Many_left_out_files_are_named_in_part_and_counted()
    {
        for (int i = 0; i < 14; i++)
        {
            File.Copy(Path.Combine(Tiles, "0_0.jpg"), Path.Combine(Tiles, $"tile-{i:D2}.jpg"));
        }

        var r = CliRunner.Run("build", Tiles, _dir.Combine("p.dzi"), "--overlap", "16,12", "--tile-size", "64");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("14 image file(s)", r.Error);
        Assert.Contains("tile-09.jpg and 4 more.", r.Error);
    }

    [Fact]
    public void Register_fails_when_it_could_measure_no_pair()
    {
        // Flat tiles (an empty slide): no overlap strip has anything to correlate.
        Directory.CreateDirectory(_dir.Combine("apart"));
        using (Image flat = (Image.Black(160, 120, bands: 3) + new double[] { 200, 190, 180 }).Cast(Enums.BandFormat.Uchar))
        {
            for (int x = 0; x < 3; x++)
            {
                for (int y = 0; y < 2; y++)
                {
                    flat.Jpegsave(_dir.Combine("apart", $"{x}_{y}.jpg"));
                }
            }
        }

        var r = CliRunner.Run("register", _dir.Combine("apart"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Registration measured nothing", r.Error);
        Assert.Contains("--overlap 0", r.Error);
        Assert.False(File.Exists(_dir.Combine("apart", "TileConfiguration.registered.txt")));

        var build = CliRunner.Run("build", _dir.Combine("apart"), _dir.Combine("p.dzi"), "--register");
        Assert.Equal(1, build.ExitCode);
        Assert.Contains("Registration measured nothing", build.Error);
        Assert.False(File.Exists(_dir.Combine("p.dzi")));
    }

    public void Dispose() => _dir.Dispose();
}
