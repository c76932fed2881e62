using Tessera.Codecs;
using Tessera.Samples;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>The <c>tessera</c> command as a user runs it: exit codes, messages, outputs.</summary>
public sealed class CliTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private string Tiles(SampleOptions? options = null)
    {
        string tiles = _dir.Combine("tiles");
        SampleGrid.Write(tiles, options ?? Support.Samples.Small(TileFormat.Jpeg));
        return tiles;
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("skia")]
    [InlineData("turbojpeg")]
    public void Build_writes_the_pyramid_and_reports_it(string codec)
    {
        string tiles = Tiles();
        var r = CliRunner.Run("build", tiles, _dir.Combine("out", "p.dzi"), "--overlap", "16,12", "--tile-size", "64", "--codec", codec);
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("Wrote ", r.Output);
        Assert.Contains("4×3 grid of 160×120 px tiles", r.Output);
        Assert.True(File.Exists(_dir.Combine("out", "p.dzi")));
        Assert.True(File.Exists(_dir.Combine("out", "p_files", "0", "0_0.jpeg")));
    }

    [Fact]
    public void Overlap_as_a_percentage_gives_the_same_mosaic_size()
    {
        string tiles = Tiles(Support.Samples.Small(TileFormat.Jpeg) with { OverlapX = 16, OverlapY = 12 });
        var r = CliRunner.Run("build", tiles, _dir.Combine("p.dzi"), "--overlap", "10%");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("Height=\"336\"", File.ReadAllText(_dir.Combine("p.dzi")));
        Assert.Contains("Width=\"592\"", File.ReadAllText(_dir.Combine("p.dzi")));
    }

    [Fact]
    public void Bad_input_gives_one_error_line_and_a_non_zero_exit()
    {
        Directory.CreateDirectory(_dir.Combine("empty"));
        var r = CliRunner.Run("build", _dir.Combine("empty"), _dir.Combine("p.dzi"));
        Assert.Equal(1, r.ExitCode);
        string line = Assert.Single(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("tessera: error: ", line);
        Assert.Contains("empty", line);
        Assert.False(File.Exists(_dir.Combine("p.dzi")));
    }

    [Fact]
    public void Corrupt_tile_is_named_and_nothing_is_left()
    {
        string tiles = Tiles();
        File.WriteAllBytes(Path.Combine(tiles, "1_2.jpg"), [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]);
        var r = CliRunner.Run("build", tiles, _dir.Combine("p.dzi"), "--overlap", "16,12");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("1_2.jpg", r.Error);
        Assert.False(File.Exists(_dir.Combine("p.dzi")));
        Assert.False(Directory.Exists(_dir.Combine("p_files")));
    }

    [Fact]
    public void Existing_output_needs_overwrite()
    {
        string tiles = Tiles();
        Assert.Equal(0, CliRunner.Run("build", tiles, _dir.Combine("p.dzi"), "--overlap", "16,12").ExitCode);
        var again = CliRunner.Run("build", tiles, _dir.Combine("p.dzi"), "--overlap", "16,12");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("--overwrite", again.Error);
        Assert.Equal(0, CliRunner.Run("build", tiles, _dir.Combine("p.dzi"), "--overlap", "16,12", "--overwrite").ExitCode);

        // --overwrite with nothing to replace, in a folder that does not exist yet, just builds.
        var fresh = CliRunner.Run("build", tiles, _dir.Combine("new", "folder", "p.dzi"), "--overlap", "16,12", "--overwrite");
        Assert.True(fresh.ExitCode == 0, fresh.Error);
        Assert.True(File.Exists(_dir.Combine("new", "folder", "p.dzi")));
    }

    [Fact]
    public void Missing_cells_are_reported_as_a_warning()
    {
        string tiles = Tiles();
        File.Delete(Path.Combine(tiles, "2_1.jpg"));
        var r = CliRunner.Run("build", tiles, _dir.Combine("p.dzi"), "--overlap", "16,12");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("1 grid cell(s) had no tile", r.Error);
        Assert.Contains("(2,1)", r.Error);
    }

    [Fact]
    public void Numbered_files_in_row_major_order()
    {
        string tiles = Tiles();
        string numbered = _dir.Combine("numbered");
        Directory.CreateDirectory(numbered);
        for (int y = 0; y < 3; y++)
        {
            for (int x = 0; x < 4; x++)
            {
                File.Copy(Path.Combine(tiles, $"{x}_{y}.jpg"), Path.Combine(numbered, $"{(y * 4) + x + 1}.jpg"));
            }
        }

        var byName = CliRunner.Run("build", tiles, _dir.Combine("a.dzi"), "--overlap", "16,12", "--format", "png");
        var byNumber = CliRunner.Run("build", numbered, _dir.Combine("b.dzi"), "--overlap", "16,12", "--format", "png", "--order", "row-major", "--across", "4");
        Assert.True(byName.ExitCode == 0 && byNumber.ExitCode == 0, byName.Error + byNumber.Error);
        PyramidComparison.AssertSamePixels(_dir.Combine("a.dzi"), _dir.Combine("b.dzi"), maxDifference: 0);
    }

    [Theory]
    [InlineData("--format", "gif")]
    [InlineData("--quality", "0")]
    [InlineData("--tile-size", "0")]
    [InlineData("--threads", "0")]
    [InlineData("--overlap", "abc")]
    [InlineData("--background", "purple")]
    [InlineData("--no-such-option", "1")]
    public void Bad_options_are_refused(string option, string value)
    {
        string tiles = Tiles();
        var r = CliRunner.Run("build", tiles, _dir.Combine("p.dzi"), option, value);
        Assert.NotEqual(0, r.ExitCode);
        Assert.False(File.Exists(_dir.Combine("p.dzi")));
        Assert.NotEmpty(r.Error);
    }

    [Fact]
    public void Unwritable_output_is_a_clear_error_and_nothing_looks_complete()
    {
        string tiles = Tiles();
        File.WriteAllText(_dir.Combine("plain-file"), "not a folder");
        var r = CliRunner.Run("build", tiles, _dir.Combine("plain-file", "p.dzi"), "--overlap", "16,12");
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("tessera: error: ", r.Error);
        Assert.Contains("plain-file", r.Error);
        Assert.DoesNotContain("Wrote", r.Output);
    }

    [Fact]
    public void Sample_writes_a_grid_that_builds()
    {
        var sample = CliRunner.Run("sample", _dir.Combine("s"), "--across", "3", "--down", "2", "--tile-width", "200", "--tile-height", "150");
        Assert.Equal(0, sample.ExitCode);
        Assert.Equal(6, Directory.GetFiles(_dir.Combine("s"), "*.jpg").Length);
        var build = CliRunner.Run("build", _dir.Combine("s"), _dir.Combine("s.dzi"), "--overlap", "10%");
        Assert.True(build.ExitCode == 0, build.Error);
    }

    public void Dispose() => _dir.Dispose();
}
