using System.Globalization;
using NetVips;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Samples;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>
/// --layout ome-tiff and ome-zarr of a grid cut exactly from a known image: read back by the
/// reference readers (tifffile, zarr, libvips), the full resolution is the image, every level
/// halves the one before, samples stay 8-bit, and the pixel size is in the metadata.
/// </summary>
public sealed class OmeOutputTests : IDisposable
{
    private const int TileSize = 64;
    private readonly TempDirectory _dir = new();

    [Theory]
    [InlineData(PixelFormat.Rgbx8888)]
    [InlineData(PixelFormat.Gray8)]
    public void Ome_tiff_of_an_exact_cut_grid_is_the_image_at_every_level(PixelFormat format)
    {
        SampleOptions sample = Cut(format);
        var build = Build(sample, "slide", ["--layout", "ome-tiff"]);
        Assert.True(build.ExitCode == 0, build.Error);
        string tiff = _dir.Combine("out", "slide.ome.tif");
        Assert.True(File.Exists(tiff), build.Output);
        Assert.False(File.Exists(tiff + ".partial"));
        Assert.False(Directory.Exists(_dir.Combine("out", "slide.tessera")), "the work folder was left");

        OmeReaders.Check(Expect("tiff", tiff, sample));
    }

    /// <summary>Debian's tifffile has no LZW decoder (that is in imagecodecs): libtiff, through libvips, reads the LZW tiles.</summary>
    [Fact]
    public void Lzw_ome_tiff_holds_the_same_pixels_as_the_deflate_one_at_every_level()
    {
        SampleOptions sample = Cut(PixelFormat.Rgbx8888);
        Assert.Equal(0, Build(sample, "deflate", ["--layout", "ome-tiff"]).ExitCode);
        var lzw = Build(sample, "lzw", ["--layout", "ome-tiff", "--format", "lzw"]);
        Assert.True(lzw.ExitCode == 0, lzw.Error);
        OmeReaders.Check(Expect("tiff", _dir.Combine("out", "deflate.ome.tif"), sample));
        for (int level = 0; level < Shapes(sample).Count; level++)
        {
            using Image a = OpenLevel(_dir.Combine("out", "deflate.ome.tif"), level);
            using Image b = OpenLevel(_dir.Combine("out", "lzw.ome.tif"), level);
            Assert.Equal((a.Width, a.Height), (b.Width, b.Height));
            Assert.True((a - b).Abs().Max() == 0, $"level {level}: the LZW tiles decode to other pixels");
        }
    }

    private static Image OpenLevel(string tiff, int level) => level == 0
        ? Image.NewFromFile(tiff, access: Enums.Access.Random)
        : Image.NewFromFile(tiff, access: Enums.Access.Random, kwargs: new VOption { { "subifd", level - 1 } });

    [Theory]
    [InlineData(PixelFormat.Rgbx8888)]
    [InlineData(PixelFormat.Gray8)]
    public void Ome_zarr_of_an_exact_cut_grid_is_the_image_at_every_level(PixelFormat format)
    {
        SampleOptions sample = Cut(format);
        var build = Build(sample, "slide.ome.zarr", ["--layout", "ome-zarr"]);
        Assert.True(build.ExitCode == 0, build.Error);
        string zarr = _dir.Combine("out", "slide.ome.zarr");
        Assert.True(File.Exists(Path.Combine(zarr, ".zgroup")), build.Output);
        Assert.False(Directory.Exists(_dir.Combine("out", "slide.tessera")), "the work folder was left");

        OmeReaders.Check(Expect("zarr", zarr, sample));
    }

    [Fact]
    public void Libvips_opens_the_ome_tiff_and_each_of_its_subifd_levels()
    {
        SampleOptions sample = Cut(PixelFormat.Rgbx8888);
        Assert.True(Build(sample, "slide", ["--layout", "ome-tiff"]).ExitCode == 0);
        string tiff = _dir.Combine("out", "slide.ome.tif");
        using Image source = SourceImage(sample);
        IReadOnlyList<int[]> shapes = Shapes(sample);
        using (Image full = Image.NewFromFile(tiff, access: Enums.Access.Random))
        {
            Assert.Equal((sample.PlaneWidth, sample.PlaneHeight, 3, Enums.BandFormat.Uchar), (full.Width, full.Height, full.Bands, full.Format));
            Assert.Equal(0.0, (full - source).Abs().Max());
        }

        for (int level = 1; level < shapes.Count; level++)
        {
            using Image reduced = Image.NewFromFile(tiff, access: Enums.Access.Random, kwargs: new VOption { { "subifd", level - 1 } });
            Assert.True((shapes[level][1], shapes[level][0]) == (reduced.Width, reduced.Height),
                $"SubIFD {level - 1}: {reduced.Width}×{reduced.Height}, expected {shapes[level][1]}×{shapes[level][0]}");
        }
    }

    [Fact]
    public void Jpeg_ome_tiff_opens_in_libvips_close_to_the_image()
    {
        SampleOptions sample = Cut(PixelFormat.Rgbx8888);
        var build = Build(sample, "slide.ome.tif", ["--layout", "ome-tiff", "--format", "jpeg", "--quality", "95"]);
        Assert.True(build.ExitCode == 0, build.Error);
        string tiff = _dir.Combine("out", "slide.ome.tif");
        using Image source = SourceImage(sample);
        using Image full = Image.NewFromFile(tiff, access: Enums.Access.Random);
        Assert.Equal((sample.PlaneWidth, sample.PlaneHeight, 3), (full.Width, full.Height, full.Bands));
        double mean = (full.Cast(Enums.BandFormat.Float) - source.Cast(Enums.BandFormat.Float)).Abs().Avg();
        Assert.True(mean < 3, $"mean difference {mean.ToString(CultureInfo.InvariantCulture)} from the image (JPEG at quality 95)");
        using Image last = Image.NewFromFile(tiff, access: Enums.Access.Random, kwargs: new VOption { { "subifd", Shapes(sample).Count - 2 } });
        Assert.True(last.Width <= TileSize && last.Height <= TileSize, $"{last.Width}×{last.Height}");
    }

    private static SampleOptions Cut(PixelFormat format) => Support.Samples.Small(TileFormat.Png, format);

    private CliRunner.Result Build(SampleOptions sample, string output, string[] options)
    {
        string tiles = _dir.Combine("tiles");
        if (!Directory.Exists(tiles))
        {
            SampleGrid.Write(tiles, sample);
        }

        return CliRunner.Run(["build", tiles, _dir.Combine("out", output), "--pattern", "{x}_{y}.png",
            "--overlap", string.Create(CultureInfo.InvariantCulture, $"{sample.OverlapX},{sample.OverlapY}"),
            "--tile-size", TileSize.ToString(CultureInfo.InvariantCulture), "--pixel-size", "0.325um", .. options]);
    }

    private OmeReaders.Expectation Expect(string kind, string path, SampleOptions sample) =>
        ExactCut.Expect(kind, path, sample, TileSize, _dir.Combine("source.raw"));

    private static Image SourceImage(SampleOptions sample) => ExactCut.SourceImage(sample);

    private static IReadOnlyList<int[]> Shapes(SampleOptions sample) => ExactCut.Shapes(sample, TileSize);

    public void Dispose() => _dir.Dispose();
}
