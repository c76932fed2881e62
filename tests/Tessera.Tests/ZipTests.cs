using System.IO.Compression;
using NetVips;
using Tessera.Build;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Samples;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>--container zip: one file laid out as libvips writes it, entries stored, ZIP64 when large.</summary>
public sealed class ZipTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void Zip_holds_the_same_entries_and_pixels_as_the_libvips_zip()
    {
        SampleOptions sample = Support.Samples.Small(TileFormat.Png);
        SampleGrid.Write(_dir.Combine("tiles"), sample);
        var build = CliRunner.Run("build", _dir.Combine("tiles"), _dir.Combine("slide.dzi"), "--pattern", "{x}_{y}.png",
            "--overlap", "16,12", "--format", "png", "--container", "zip");
        Assert.True(build.ExitCode == 0, build.Error);
        Assert.True(File.Exists(_dir.Combine("slide.zip")));
        Assert.False(File.Exists(_dir.Combine("slide.dzi")), "the folder pyramid was left beside the zip");
        Assert.False(Directory.Exists(_dir.Combine("slide_files")));

        Directory.CreateDirectory(_dir.Combine("vips"));
        TileGrid grid = GridScanner.Scan(_dir.Combine("tiles"), new LayoutOptions("{x}_{y}.png"));
        using (Image composed = VipsReference.Compose(grid, sample.TileWidth, sample.TileHeight, sample.OverlapX, sample.OverlapY, Rgb.Black, 3))
        {
            composed.Dzsave(_dir.Combine("vips", "slide.zip"), suffix: ".png");
        }

        using ZipArchive ours = ZipFile.OpenRead(_dir.Combine("slide.zip"));
        using ZipArchive theirs = ZipFile.OpenRead(_dir.Combine("vips", "slide.zip"));
        Assert.Equal(
            theirs.Entries.Select(e => e.FullName).Where(n => !n.EndsWith("vips-properties.xml", StringComparison.Ordinal)).Order(StringComparer.Ordinal),
            ours.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
        Assert.All(ours.Entries, e => Assert.Equal(e.Length, e.CompressedLength)); // stored, not deflated

        ZipFile.ExtractToDirectory(_dir.Combine("slide.zip"), _dir.Combine("ours"));
        ZipFile.ExtractToDirectory(_dir.Combine("vips", "slide.zip"), _dir.Combine("theirs"));
        PyramidComparison.AssertSamePixels(_dir.Combine("theirs", "slide.dzi"), _dir.Combine("ours", "slide.dzi"), maxDifference: 0);

        var verify = CliRunner.Run("verify", _dir.Combine("slide.zip"));
        Assert.True(verify.ExitCode == 0, verify.Error);
    }

    [Fact]
    public void More_than_65535_tiles_make_a_zip64_that_readers_open()
    {
        SampleGrid.Write(_dir.Combine("tiles"), Support.Samples.Small(TileFormat.Jpeg) with { Across = 8, Down = 6 });
        var build = CliRunner.Run("build", _dir.Combine("tiles"), _dir.Combine("many.zip"), "--overlap", "16,12",
            "--tile-size", "3", "--tile-overlap", "0", "--container", "zip");
        Assert.True(build.ExitCode == 0, build.Error);

        using (ZipArchive zip = ZipFile.OpenRead(_dir.Combine("many.zip")))
        {
            Assert.True(zip.Entries.Count > 65_535, $"only {zip.Entries.Count} entries");
        }

        var unzip = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("unzip", ["-tqq", _dir.Combine("many.zip")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        string errors = unzip.StandardError.ReadToEnd() + unzip.StandardOutput.ReadToEnd();
        unzip.WaitForExit();
        Assert.True(unzip.ExitCode == 0, errors);
    }

    public void Dispose() => _dir.Dispose();
}
