using NetVips;
using Tessera.Build;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Pyramid;
using Tessera.Samples;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>JPEG input and output, grey tiles and missing cells, each against libvips.</summary>
public sealed class LosslessAndLossyReferenceTests
{
    [Fact]
    public void Jpeg_tiles_decode_as_libvips_decodes_them()
    {
        using var dir = new TempDirectory();
        SampleOptions sample = Support.Samples.Small(TileFormat.Jpeg);
        SampleGrid.Write(dir.Combine("tiles"), sample);
        BuildRequest request = Support.Samples.Request(dir.Combine("tiles"), dir.Combine("t.dzi"), sample) with { };
        request = request with { Pyramid = request.Pyramid with { Encode = new EncodeSettings(TileFormat.Png) } };
        PyramidBuild.Run(request);

        string reference = BuildReference(dir, sample, "{x}_{y}.jpg", ".png", Rgb.Black, bands: 3);
        PyramidComparison.AssertSamePixels(reference, dir.Combine("t.dzi"), maxDifference: 1);
    }

    [Fact]
    public void Jpeg_pyramid_has_the_same_tiles_as_libvips_and_close_pixels()
    {
        using var dir = new TempDirectory();
        SampleOptions sample = Support.Samples.Small(TileFormat.Png);
        SampleGrid.Write(dir.Combine("tiles"), sample);
        PyramidBuild.Run(Support.Samples.Request(dir.Combine("tiles"), dir.Combine("t.dzi"), sample, "{x}_{y}.png"));

        string reference = BuildReference(dir, sample, "{x}_{y}.png", ".jpeg", Rgb.Black, bands: 3);

        // Two JPEG encoders at quality 75 on the same pixels (different libjpeg builds and settings):
        // the same tiles, and pixels that differ only by coding noise.
        PyramidComparison.AssertSamePixels(reference, dir.Combine("t.dzi"), maxDifference: 48, maxMeanDifference: 2.0);
    }

    [Fact]
    public void Grey_tiles_give_a_grey_pyramid_matching_libvips()
    {
        using var dir = new TempDirectory();
        SampleOptions sample = Support.Samples.Small(TileFormat.Png, PixelFormat.Gray8);
        SampleGrid.Write(dir.Combine("tiles"), sample);
        BuildRequest request = Support.Samples.Request(dir.Combine("tiles"), dir.Combine("t.dzi"), sample, "{x}_{y}.png");
        PyramidBuild.Run(request with { Pyramid = request.Pyramid with { Encode = new EncodeSettings(TileFormat.Png) } });

        string reference = BuildReference(dir, sample, "{x}_{y}.png", ".png", Rgb.Black, bands: 1);
        PyramidComparison.AssertSamePixels(reference, dir.Combine("t.dzi"), maxDifference: 0);
        using Image top = Image.NewFromFile(Path.Combine(dir.Combine("t_files"), "9", "0_0.png"));
        Assert.Equal(1, top.Bands);
    }

    [Fact]
    public void Missing_cells_are_filled_with_the_background_and_reported()
    {
        using var dir = new TempDirectory();
        SampleOptions sample = Support.Samples.Small(TileFormat.Png);
        SampleGrid.Write(dir.Combine("tiles"), sample);
        File.Delete(dir.Combine("tiles", "1_1.png"));
        File.Delete(dir.Combine("tiles", "3_2.png"));
        var white = new Rgb(255, 255, 255);
        BuildRequest request = Support.Samples.Request(dir.Combine("tiles"), dir.Combine("t.dzi"), sample, "{x}_{y}.png");
        BuildResult result = PyramidBuild.Run(request with
        {
            Background = white,
            Pyramid = request.Pyramid with { Encode = new EncodeSettings(TileFormat.Png) },
        });

        Assert.Equal([(1, 1), (3, 2)], result.MissingCells);
        string reference = BuildReference(dir, sample, "{x}_{y}.png", ".png", white, bands: 3);
        PyramidComparison.AssertSamePixels(reference, dir.Combine("t.dzi"), maxDifference: 0);
    }

    [Fact]
    public void Webp_pyramid_has_the_same_tiles_as_libvips_and_close_pixels()
    {
        using var dir = new TempDirectory();
        SampleOptions sample = Support.Samples.Small(TileFormat.Png);
        SampleGrid.Write(dir.Combine("tiles"), sample);
        BuildRequest request = Support.Samples.Request(dir.Combine("tiles"), dir.Combine("t.dzi"), sample, "{x}_{y}.png");
        PyramidBuild.Run(request with { Pyramid = request.Pyramid with { Encode = new EncodeSettings(TileFormat.Webp) } });

        string reference = BuildReference(dir, sample, "{x}_{y}.png", ".webp", Rgb.Black, bands: 3);
        PyramidComparison.AssertSamePixels(reference, dir.Combine("t.dzi"), maxDifference: 64, maxMeanDifference: 2.5);
    }

    [Fact]
    public void Skip_blank_leaves_out_exactly_the_tiles_that_are_all_background()
    {
        using var dir = new TempDirectory();
        SampleOptions sample = Support.Samples.Small(TileFormat.Png) with { Across = 6, Down = 5 };
        SampleGrid.Write(dir.Combine("tiles"), sample);
        foreach (string name in new[] { "0_0", "1_0", "0_1", "1_1", "4_3" })
        {
            File.Delete(dir.Combine("tiles", $"{name}.png"));
        }

        BuildRequest request = Support.Samples.Request(dir.Combine("tiles"), dir.Combine("all.dzi"), sample, "{x}_{y}.png") with { Background = Rgb.White };
        request = request with { Pyramid = request.Pyramid with { TileSize = 16, Encode = new EncodeSettings(TileFormat.Png) } };
        PyramidBuild.Run(request);
        BuildResult skipped = PyramidBuild.Run(request with { OutputPath = dir.Combine("skip.dzi"), SkipBlankTolerance = 0 });

        var white = new HashSet<string>();
        foreach (string name in PyramidComparison.TileNames(dir.Combine("all.dzi")))
        {
            using Image tile = Image.NewFromFile(Path.Combine(dir.Combine("all_files"), name));
            if (tile.Min() == 255)
            {
                white.Add(name);
            }
        }

        Assert.NotEmpty(white);
        Assert.Equal(white.Count, skipped.BlankTiles);
        Assert.Equal(PyramidComparison.TileNames(dir.Combine("all.dzi")).Where(n => !white.Contains(n)), PyramidComparison.TileNames(dir.Combine("skip.dzi")));
    }

    [Fact]
    public void Output_does_not_depend_on_the_number_of_threads()
    {
        using var dir = new TempDirectory();
        SampleOptions sample = Support.Samples.Small(TileFormat.Jpeg) with { Across = 7, Down = 5 };
        SampleGrid.Write(dir.Combine("tiles"), sample);
        BuildRequest request = Support.Samples.Request(dir.Combine("tiles"), dir.Combine("one.dzi"), sample);
        PyramidBuild.Run(request with { Pyramid = request.Pyramid with { TileSize = 16, Threads = 1 } });
        PyramidBuild.Run(request with { OutputPath = dir.Combine("three.dzi"), Pyramid = request.Pyramid with { TileSize = 16, Threads = 3 } });

        string[] names = PyramidComparison.TileNames(dir.Combine("one.dzi"));
        Assert.Equal(names, PyramidComparison.TileNames(dir.Combine("three.dzi")));
        foreach (string name in names)
        {
            Assert.True(
                File.ReadAllBytes(Path.Combine(dir.Combine("one_files"), name)).AsSpan()
                    .SequenceEqual(File.ReadAllBytes(Path.Combine(dir.Combine("three_files"), name))),
                $"Tile {name} differs between 1 and 3 threads");
        }
    }

    private static string BuildReference(TempDirectory dir, SampleOptions sample, string pattern, string suffix, Rgb background, int bands)
    {
        string reference = dir.Combine("ref", "vips.dzi");
        Directory.CreateDirectory(Path.GetDirectoryName(reference)!);
        TileGrid grid = GridScanner.Scan(dir.Combine("tiles"), new LayoutOptions(pattern));
        using Image composed = VipsReference.Compose(grid, sample.TileWidth, sample.TileHeight, sample.OverlapX, sample.OverlapY, background, bands);
        VipsReference.Dzsave(composed, reference, suffix, tileSize: 64);
        return reference;
    }
}
