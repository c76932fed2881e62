using Tessera.Build;
using Tessera.Codecs;
using Tessera.Layout;
using Tessera.Samples;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>Bad input stops the build with a message naming what is wrong, and leaves no pyramid behind.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly SampleOptions _sample = Support.Samples.Small(TileFormat.Jpeg);

    public BadInputTests() => SampleGrid.Write(_dir.Combine("tiles"), _sample);

    private string Output => _dir.Combine("out", "p.dzi");

    private TesseraException BuildFails(BuildRequest? request = null)
    {
        var e = Assert.ThrowsAny<TesseraException>(() => PyramidBuild.Run(request ?? Support.Samples.Request(_dir.Combine("tiles"), Output, _sample)));
        Assert.False(File.Exists(Output), "a failed build left a .dzi");
        Assert.False(Directory.Exists(_dir.Combine("out", "p_files")), "a failed build left its tile folder");
        return e;
    }

    [Fact]
    public void Empty_folder_is_refused()
    {
        Directory.CreateDirectory(_dir.Combine("empty"));
        var e = BuildFails(Support.Samples.Request(_dir.Combine("empty"), Output, _sample));
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void Missing_folder_is_refused()
    {
        var e = BuildFails(Support.Samples.Request(_dir.Combine("nowhere"), Output, _sample));
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void Pattern_that_matches_nothing_is_refused()
    {
        var e = BuildFails(Support.Samples.Request(_dir.Combine("tiles"), Output, _sample, "tile_{x}_{y}.png"));
        Assert.Contains("tile_{x}_{y}.png", e.Message);
        Assert.Contains("No file", e.Message);
    }

    [Fact]
    public void Corrupt_tile_is_named()
    {
        byte[] garbage = new byte[5000];
        new Random(3).NextBytes(garbage);
        File.WriteAllBytes(_dir.Combine("tiles", "2_1.jpg"), garbage);
        var e = BuildFails();
        Assert.Contains("2_1.jpg", e.Message);
    }

    [Fact]
    public void Truncated_tile_is_named()
    {
        string path = _dir.Combine("tiles", "3_2.jpg");
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = BuildFails();
        Assert.Contains("3_2.jpg", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Empty_tile_file_is_named()
    {
        File.WriteAllBytes(_dir.Combine("tiles", "1_0.jpg"), []);
        var e = BuildFails();
        Assert.Contains("1_0.jpg", e.Message);
    }

    [Fact]
    public void Tile_of_another_size_is_refused_by_name()
    {
        SampleGrid.Write(_dir.Combine("small"), _sample with { Across = 1, Down = 1, TileWidth = 100, TileHeight = 90 });
        File.Copy(_dir.Combine("small", "0_0.jpg"), _dir.Combine("tiles", "2_2.jpg"), overwrite: true);
        var e = BuildFails();
        Assert.Contains("2_2.jpg", e.Message);
        Assert.Contains("100×90", e.Message);
    }

    [Fact]
    public void Existing_output_is_refused_without_overwrite_and_kept()
    {
        BuildRequest request = Support.Samples.Request(_dir.Combine("tiles"), Output, _sample);
        PyramidBuild.Run(request);
        DateTime written = File.GetLastWriteTimeUtc(Output);

        var e = Assert.Throws<RequestException>(() => PyramidBuild.Run(request));
        Assert.Contains("Overwrite", e.Properties);
        Assert.Equal(written, File.GetLastWriteTimeUtc(Output));
        Assert.NotEmpty(PyramidComparison.TileNames(Output));

        PyramidBuild.Run(request with { Overwrite = true });
        Assert.True(File.Exists(Output));
    }

    [Fact]
    public void Overlap_as_large_as_the_tile_is_refused()
    {
        var e = BuildFails(Support.Samples.Request(_dir.Combine("tiles"), Output, _sample) with { Overlap = new OverlapSpec(160, 0, false) });
        Assert.Contains("overlap", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    public void Dispose() => _dir.Dispose();
}
