using System.Globalization;
using Tessera.Codecs;
using Tessera.Samples;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>What the OME layouts refuse, in one line naming the options, before anything is written.</summary>
public sealed class OmeOptionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public OmeOptionTests()
    {
        SampleGrid.Write(_dir.Combine("tiles"), Support.Samples.Small(TileFormat.Png) with { Across = 2, Down = 2 });
    }

    [Theory]
    [InlineData("slide", "ome-tiff", new[] { "--container", "zip" }, new[] { "--container", "--layout ome-tiff" })]
    [InlineData("slide", "ome-zarr", new[] { "--container", "zip" }, new[] { "--container", "--layout ome-zarr" })]
    [InlineData("slide.dzi", "ome-tiff", new string[0], new[] { "OUTPUT", "slide.dzi", ".ome.tif" })]
    [InlineData("slide.tif", "ome-tiff", new string[0], new[] { "OUTPUT", ".tif", "NAME.ome.tif" })]
    [InlineData("slide.zarr", "ome-zarr", new string[0], new[] { "OUTPUT", ".ome.zarr" })]
    [InlineData("slide", "ome-tiff", new[] { "--format", "png" }, new[] { "--format png", "deflate", "lzw", "jpeg" })]
    [InlineData("slide", "ome-zarr", new[] { "--format", "lzw" }, new[] { "--format lzw", "deflate only" })]
    [InlineData("slide", "dz", new[] { "--format", "deflate" }, new[] { "--format deflate", "ome-tiff" })]
    [InlineData("slide", "ome-tiff", new[] { "--shard", "0/2" }, new[] { "--shard", "one process", "--layout ome-tiff" })]
    [InlineData("slide", "ome-zarr", new[] { "--skip-blank" }, new[] { "--skip-blank", "--layout ome-zarr" })]
    [InlineData("slide", "ome-tiff", new[] { "--tile-size", "100" }, new[] { "--tile-size", "16" })]
    public void Refused_in_one_line_naming_what_is_wrong_and_nothing_is_written(string output, string layout, string[] options, string[] named)
    {
        var r = CliRunner.Run(["build", _dir.Combine("tiles"), _dir.Combine("out", output), "--pattern", "{x}_{y}.png",
            "--overlap", "16,12", "--layout", layout, .. options]);
        Assert.True(r.ExitCode is not 0 and < 100, $"exit {r.ExitCode}: {r.Output}{r.Error}");
        string line = Assert.Single(r.Error.Trim().Split('\n'));
        foreach (string word in named)
        {
            Assert.Contains(word, line);
        }

        Assert.False(Directory.Exists(_dir.Combine("out")) && Directory.EnumerateFileSystemEntries(_dir.Combine("out")).Any(),
            "something was written for a refused build");
    }

    [Fact]
    public void A_name_with_the_layouts_suffix_or_none_is_written_as_name_dot_ome_dot_tif()
    {
        var bare = CliRunner.Run(["build", _dir.Combine("tiles"), _dir.Combine("out", "a"), "--pattern", "{x}_{y}.png", "--overlap", "16,12", "--layout", "ome-tiff"]);
        Assert.True(bare.ExitCode == 0, bare.Error);
        var tiff = CliRunner.Run(["build", _dir.Combine("tiles"), _dir.Combine("out", "b.ome.tiff"), "--pattern", "{x}_{y}.png", "--overlap", "16,12", "--layout", "ome-tiff"]);
        Assert.True(tiff.ExitCode == 0, tiff.Error);
        string[] files = Directory.GetFileSystemEntries(_dir.Combine("out")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        Assert.Equal(["a.ome.tif", "b.ome.tiff"], files);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"Wrote {_dir.Combine("out", "a.ome.tif")}"), bare.Output);
    }

    public void Dispose() => _dir.Dispose();
}
