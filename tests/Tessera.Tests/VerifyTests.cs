using Tessera.Codecs;
using Tessera.Samples;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary><c>tessera verify</c> passes a sound pyramid and names what is wrong with a damaged one.</summary>
public sealed class VerifyTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _dzi;

    public VerifyTests()
    {
        SampleGrid.Write(_dir.Combine("tiles"), Support.Samples.Small(TileFormat.Jpeg));
        _dzi = _dir.Combine("p.dzi");
        var build = CliRunner.Run("build", _dir.Combine("tiles"), _dzi, "--overlap", "16,12", "--tile-size", "64");
        Assert.True(build.ExitCode == 0, build.Error);
    }

    private string Tile(int level, string name) => Path.Combine(_dir.Combine("p_files"), level.ToString(System.Globalization.CultureInfo.InvariantCulture), name);

    [Fact]
    public void A_sound_pyramid_passes()
    {
        var r = CliRunner.Run("verify", _dzi);
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("sound", r.Output);
    }

    [Fact]
    public void A_deleted_tile_is_named()
    {
        File.Delete(Tile(9, "2_1.jpeg"));
        var r = CliRunner.Run("verify", _dzi);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Level 9: tile 2_1.jpeg is missing", r.Error);
    }

    [Fact]
    public void A_truncated_tile_is_named()
    {
        string path = Tile(9, "1_1.jpeg");
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 3)]);
        var r = CliRunner.Run("verify", _dzi);
        Assert.Equal(1, r.ExitCode);
        Assert.True(r.Error.Contains("Level 9: tile 1_1.jpeg does not decode", StringComparison.Ordinal), $"stderr: {r.Error}\nstdout: {r.Output}");
    }

    [Fact]
    public void A_dzi_with_a_wrong_size_is_caught()
    {
        File.WriteAllText(_dzi, File.ReadAllText(_dzi).Replace("Width=\"592\"", "Width=\"700\""));
        var r = CliRunner.Run("verify", _dzi);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("expected", r.Error);
    }

    [Fact]
    public void A_stray_file_and_a_tile_of_the_wrong_size_are_caught()
    {
        File.WriteAllText(Tile(3, "notes.txt"), "hello");
        File.Copy(Tile(9, "0_0.jpeg"), Tile(9, "9_2.jpeg.tmp"));
        File.Copy(Tile(9, "0_0.jpeg"), Tile(9, "4_2.jpeg"), overwrite: true);
        var r = CliRunner.Run("verify", _dzi);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("unexpected file \"notes.txt\"", r.Error);
        Assert.Contains("unexpected file \"9_2.jpeg.tmp\"", r.Error);
        Assert.Contains("tile 4_2.jpeg is 65×65 px, expected 41×41", r.Error);
    }

    [Fact]
    public void A_missing_dzi_or_a_broken_one_is_refused()
    {
        Assert.Equal(1, CliRunner.Run("verify", _dir.Combine("nothing.dzi")).ExitCode);
        File.WriteAllText(_dzi, "<Image");
        var r = CliRunner.Run("verify", _dzi);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("not a valid .dzi", r.Error);
    }

    public void Dispose() => _dir.Dispose();
}
