using Tessera.Build;
using Tessera.Codecs;
using Tessera.Illumination;
using Tessera.Layout;
using Tessera.Samples;
using Tessera.Tests.Support;
using Xunit;
using VipsImage = NetVips.Image;

namespace Tessera.Tests;

/// <summary>
/// A tile's size comes from its header, checked against the grid and a pixel limit before any of
/// its pixels are decoded: a wrong or lying header costs no memory and ends in one clear line.
/// </summary>
public sealed class TileHeaderTests : IDisposable
{
    /// <summary>Far above what these small builds allocate, far below a decode of any size refused here (1 GB and up).</summary>
    private const long MemoryBound = 300L << 20;

    private readonly TempDirectory _dir = new();
    private readonly SampleOptions _jpeg = Support.Samples.Small(TileFormat.Jpeg);

    private string Tiles => _dir.Combine("tiles");
    private string Output => _dir.Combine("out", "p.dzi");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_jpeg_whose_header_lies_about_its_size_is_refused_without_memory_for_that_size()
    {
        SampleGrid.Write(Tiles, _jpeg);
        TestImages.LieAboutJpegSize(Path.Combine(Tiles, "1_1.jpg"), 16000, 16000);

        var (e, allocated) = FailsOnOneThread(Support.Samples.Request(Tiles, Output, _jpeg));
        Assert.Contains("1_1.jpg", e.Message);
        Assert.Contains("16000×16000", e.Message);
        Assert.Contains("160×120", e.Message);
        Assert.True(allocated < MemoryBound, $"the refused build allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_lying_jpeg_header_among_explicit_positions_is_refused_as_too_large_for_its_file()
    {
        SampleGrid.Write(Tiles, _jpeg);
        TestImages.LieAboutJpegSize(Path.Combine(Tiles, "0_0.jpg"), 16000, 16000);
        TilePlacement[] placements =
        [
            new(Path.Combine(Tiles, "0_0.jpg"), 0, 0),
            new(Path.Combine(Tiles, "1_0.jpg"), 144, 0),
        ];

        var (e, allocated) = FailsOnOneThread(Support.Samples.Request(Tiles, Output, _jpeg) with { Placements = placements });
        Assert.Contains("0_0.jpg", e.Message);
        Assert.Contains("its header gives 16000×16000 px", e.Message);
        Assert.Contains("the header is wrong or the file is truncated", e.Message);
        Assert.True(allocated < MemoryBound, $"the refused build allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_valid_big_png_among_small_tiles_is_refused_before_it_is_decoded()
    {
        SampleOptions png = Support.Samples.Small(TileFormat.Png);
        SampleGrid.Write(Tiles, png);
        using (VipsImage big = VipsImage.Black(14000, 14000))
        {
            big.Pngsave(Path.Combine(Tiles, "2_1.png"), compression: 1);
        }

        var (e, allocated) = FailsOnOneThread(Support.Samples.Request(Tiles, Output, png, "{x}_{y}.png"));
        Assert.Contains("2_1.png", e.Message);
        Assert.Contains("14000×14000", e.Message);
        Assert.Contains("160×120", e.Message);
        Assert.True(allocated < MemoryBound, $"the refused build allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_16_bit_tile_whose_8_byte_pixels_would_not_fit_one_buffer_is_refused_before_it_is_decoded()
    {
        // 20,000 × 16,000 px is under the largest pixel limit (sized for 4-byte pixels), but a
        // 16-bit colour pyramid's pixels take 8 bytes: 2.56 GB, more than one array holds.
        Directory.CreateDirectory(Tiles);
        string path = Path.Combine(Tiles, "wide.png");
        TestImages.WritePngHeader(path, 20_000, 16_000, bitDepth: 16, colourType: 2);
        var codec = new TileInputCodec(new SkiaTileCodec(), new InputOptions(MaxTilePixels: InputOptions.LargestMaxTilePixels));

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<TileReadException>(() => codec.Decode(path, Tessera.Imaging.PixelFormat.Rgbx16));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("wide.png", e.Message);
        Assert.Contains("20000×16000", e.Message);
        Assert.Contains("8 bytes a pixel", e.Message);
        Assert.True(allocated < MemoryBound, $"the refused decode allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_tiff_of_another_size_is_refused_from_the_header_libvips_reads_first()
    {
        SampleOptions png = Support.Samples.Small(TileFormat.Png);
        SampleGrid.Write(_dir.Combine("png"), png);
        Directory.CreateDirectory(Tiles);
        foreach (string file in Directory.GetFiles(_dir.Combine("png")))
        {
            using VipsImage tile = VipsImage.NewFromFile(file);
            tile.Tiffsave(Path.Combine(Tiles, Path.ChangeExtension(Path.GetFileName(file), ".tif")));
        }

        using (VipsImage other = VipsImage.Black(1000, 900, bands: 3))
        {
            other.Tiffsave(Path.Combine(Tiles, "1_1.tif"));
        }

        // "(as ... is)" comes from the check on the header; a check of decoded pixels would not say it.
        var (e, _) = FailsOnOneThread(Support.Samples.Request(Tiles, Output, png, "{x}_{y}.tif"));
        Assert.Contains("1_1.tif\": it is 1000×900 px but the tiles of this grid are 160×120 px (as \"0_0.tif\" is)", e.Message);
    }

    [Theory]
    [InlineData("png", "0_0", "more than the 268,435,456 px Tessera reads in one tile")]
    [InlineData("png", "2_1", "but the tiles of this grid are 160×120 px")]
    [InlineData("jpg", "0_0", "more than the 268,435,456 px Tessera reads in one tile")]
    [InlineData("jpg", "2_1", "but the tiles of this grid are 160×120 px")]
    public void Headers_beyond_any_tile_size_end_in_one_line_and_exit_1(string format, string tile, string expected)
    {
        SampleOptions sample = Support.Samples.Small(format == "png" ? TileFormat.Png : TileFormat.Jpeg);
        SampleGrid.Write(Tiles, sample);
        string path = Path.Combine(Tiles, $"{tile}.{format}");
        string size = format == "png" ? "100000×100000" : "65500×65500";
        if (format == "png")
        {
            TestImages.WritePngHeader(path, 100_000, 100_000);
        }
        else
        {
            TestImages.LieAboutJpegSize(path, 65500, 65500);
        }

        var run = CliRunner.Run("build", Tiles, Output, "--overlap", "16,12", "--pattern", $"{{x}}_{{y}}.{format}");
        Assert.Equal(1, run.ExitCode);
        Assert.DoesNotContain("internal error", run.Error);
        Assert.Contains($"{tile}.{format}", run.Error);
        Assert.Contains(size, run.Error);
        Assert.Contains(expected, run.Error);
        Assert.Single(run.Error.Trim().Split('\n'));
        Assert.False(File.Exists(Output));
    }

    [Fact]
    public void Register_and_the_flat_field_estimate_refuse_a_lying_tile_from_its_header()
    {
        SampleGrid.Write(Tiles, _jpeg);
        TestImages.LieAboutJpegSize(Path.Combine(Tiles, "1_2.jpg"), 16000, 16000);

        var register = CliRunner.Run("register", Tiles, "--overlap", "16,12");
        Assert.Equal(1, register.ExitCode);
        Assert.Contains("1_2.jpg\": it is 16000×16000 px but the tiles of this grid are 160×120 px", register.Error);

        TileGrid grid = GridScanner.Scan(Tiles, new LayoutOptions());
        var codec = new TileInputCodec(new SkiaTileCodec(), files: grid.Files());
        TileInputCodec forGrid = codec.ForGrid(grid.FirstTile, codec.ReadHeader(grid.FirstTile));
        var e = Assert.Throws<TileReadException>(() => FlatField.Estimate(grid.Files(), forGrid, Imaging.PixelFormat.Rgbx8888));
        Assert.Contains("1_2.jpg", e.Message);
        Assert.Contains("16000×16000", e.Message);
    }

    [Fact]
    public void Flat_field_errors_name_the_flat_field_image_not_a_tile()
    {
        SampleGrid.Write(Tiles, _jpeg);
        string wrongSize = _dir.Combine("gain.png");
        using (VipsImage small = VipsImage.Black(50, 40) + 128)
        {
            small.Cast(NetVips.Enums.BandFormat.Uchar).Pngsave(wrongSize);
        }

        string corrupt = _dir.Combine("broken.png");
        File.WriteAllBytes(corrupt, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3, 4, 5, 6, 7, 8]);

        var sized = CliRunner.Run("build", Tiles, Output, "--overlap", "16,12", "--flatfield", wrongSize);
        Assert.Equal(1, sized.ExitCode);
        Assert.Contains($"The flat-field image \"{wrongSize}\" is 50×40 px but the tiles are 160×120 px", sized.Error);

        var broken = CliRunner.Run("build", Tiles, Output, "--overlap", "16,12", "--flatfield", corrupt);
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains($"Cannot read the flat-field image \"{corrupt}\"", broken.Error);
        Assert.DoesNotContain("Cannot read tile", broken.Error);
        Assert.False(File.Exists(Output));
    }

    [Fact]
    public void Header_sizes_are_read_past_long_segments_and_only_from_jpeg_and_png()
    {
        SampleGrid.Write(Tiles, _jpeg);
        string jpeg = Path.Combine(Tiles, "0_0.jpg");
        byte[] original = File.ReadAllBytes(jpeg);

        // An APP1 segment of 60 KB (as a big EXIF block) puts the SOF far past the first read.
        var app1 = new byte[60_000];
        app1[0] = 0xFF;
        app1[1] = 0xE1;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(app1.AsSpan(2), (ushort)(app1.Length - 2));
        string withExif = _dir.Combine("exif.jpg");
        File.WriteAllBytes(withExif, [.. original[..2], .. app1, .. original[2..]]);
        Assert.Equal((160L, 120L), Size(withExif));

        string png = _dir.Combine("header.png");
        TestImages.WritePngHeader(png, 3_000_000_000, 7);
        Assert.Equal((3_000_000_000L, 7L), Size(png));

        string tiff = _dir.Combine("t.tif");
        using (VipsImage image = VipsImage.Black(30, 20))
        {
            image.Tiffsave(tiff);
        }

        Assert.Null(HeaderSize.Read(tiff));

        static (long, long)? Size(string path) => HeaderSize.Read(path) is { } s ? (s.Width, s.Height) : null;
    }

    /// <summary>
    /// Runs a build that must fail, on this thread alone (one worker), and returns its error and the
    /// managed memory it allocated: every decode happens on this thread, so no other test's counts.
    /// </summary>
    private (TesseraException Error, long Allocated) FailsOnOneThread(BuildRequest request)
    {
        request = request with { Pyramid = request.Pyramid with { Threads = 1 } };
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.ThrowsAny<TesseraException>(() => PyramidBuild.Run(request, new SkiaTileCodec()));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.False(File.Exists(Output), "a failed build left a .dzi");
        return (e, allocated);
    }
}
