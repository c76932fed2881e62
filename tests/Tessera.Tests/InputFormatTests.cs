using NetVips;
using Tessera.Build;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Samples;
using Tessera.Tests.Support;
using Xunit;
using PixelFormat = Tessera.Imaging.PixelFormat;

namespace Tessera.Tests;

/// <summary>TIFF (multi-page, tiled), WebP, 16-bit and RGBA input: what they decode to and the pyramids they make.</summary>
public sealed class InputFormatTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static TileInputCodec Reader(InputOptions? options = null, Rgb background = default) =>
        new(new SkiaTileCodec(), options, background);

    /// <summary>Writes the 8-bit sample grid as PNG, then the same tiles as 16-bit v16 = min + v8·step in <paramref name="suffix"/> files.</summary>
    private (string Eight, string Sixteen, SampleOptions Sample) EightAndSixteen(bool grey, int min, int step, string suffix)
    {
        SampleOptions sample = Support.Samples.Small(TileFormat.Png, grey ? PixelFormat.Gray8 : PixelFormat.Rgbx8888);
        string eight = _dir.Combine("eight"), sixteen = _dir.Combine("sixteen");
        SampleGrid.Write(eight, sample);
        Directory.CreateDirectory(sixteen);
        int n = 0;
        foreach (string png in Directory.GetFiles(eight, "*.png").Order(StringComparer.Ordinal))
        {
            using Image source = Image.NewFromFile(png);
            Image colour = source.Bands is 2 or 4 ? source.ExtractBand(0, source.Bands - 1) : source;
            using Image wide = ((colour * step) + min).Cast(Enums.BandFormat.Ushort)
                .Copy(interpretation: colour.Bands == 1 ? Enums.Interpretation.Grey16 : Enums.Interpretation.Rgb16);
            string target = Path.Combine(sixteen, Path.ChangeExtension(Path.GetFileName(png), suffix));
            if (suffix == ".png")
            {
                wide.Pngsave(target, bitdepth: 16);
            }
            else
            {
                // Every other tile tiled (64×64 tiles), the rest in strips; compressed both ways.
                bool tiled = n++ % 2 == 0;
                wide.Tiffsave(target, compression: tiled ? Enums.ForeignTiffCompression.Deflate : Enums.ForeignTiffCompression.Lzw,
                    tile: tiled, tileWidth: 64, tileHeight: 64);
            }
        }

        return (eight, sixteen, sample);
    }

    private BuildRequest PngRequest(string input, string output, SampleOptions sample, string pattern)
    {
        BuildRequest request = Support.Samples.Request(input, _dir.Combine(output), sample, pattern);
        return request with { Pyramid = request.Pyramid with { Encode = new EncodeSettings(TileFormat.Png) } };
    }

    [Theory]
    [InlineData(false, 0, 257, ".tif")]
    [InlineData(true, 0, 257, ".tif")]
    [InlineData(false, 1000, 100, ".tif")]
    [InlineData(true, 1000, 100, ".tif")]
    [InlineData(false, 1000, 100, ".png")]
    [InlineData(true, 0, 257, ".png")]
    public void Sixteen_bit_tiles_make_the_same_pyramid_as_their_8_bit_equivalents(bool grey, int min, int step, string suffix)
    {
        var (eight, sixteen, sample) = EightAndSixteen(grey, min, step, suffix);
        PyramidBuild.Run(PngRequest(eight, "eight.dzi", sample, "{x}_{y}.png"));
        BuildResult result = PyramidBuild.Run(PngRequest(sixteen, "sixteen.dzi", sample, "{x}_{y}" + suffix) with
        {
            Input = new InputOptions(new IntensityRange(min, min + (255 * step))),
        });

        Assert.Equal(new IntensityRange(min, min + (255 * step)), result.InputRange);
        PyramidComparison.AssertIdenticalFiles(_dir.Combine("eight.dzi"), _dir.Combine("sixteen.dzi"));
    }

    [Fact]
    public void Range_maps_linearly_rounds_half_up_and_clamps()
    {
        var range = new IntensityRange(1000, 1000 + (255 * 100));
        Assert.Equal(0, range.Map(0));
        Assert.Equal(0, range.Map(1000));
        Assert.Equal(0, range.Map(1049));
        Assert.Equal(1, range.Map(1050));
        Assert.Equal(128, range.Map(1000 + (128 * 100)));
        Assert.Equal(255, range.Map(26500));
        Assert.Equal(255, range.Map(65535));
        Assert.Equal(200, IntensityRange.Full.Map(200 * 257));
        byte[] table = range.Table();
        Assert.Equal(range.Map(12345), table[12345]);
        Assert.Equal(new IntensityRange(100, 4000), IntensityRange.Parse("100,4000"));
        foreach (string bad in new[] { "5,3", "3,3", "-1,10", "0,70000", "1", "a,b", "1.5,9" })
        {
            Assert.Throws<TesseraException>(() => IntensityRange.Parse(bad));
        }
    }

    [Fact]
    public void Auto_range_is_the_nearest_rank_0_1_and_99_9_percentiles()
    {
        // 10,000 samples: 10 dark outliers at 3, 4,990 at 1000, 4,990 at 2000, 10 bright outliers at 65000.
        var histogram = new long[65536];
        histogram[3] = 10;
        histogram[1000] = 4990;
        histogram[2000] = 4990;
        histogram[65000] = 10;

        // Rank ⌈0.001·10000⌉ = 10 is the last dark outlier; rank 9,990 the last of the 2000s.
        Assert.Equal(new IntensityRange(3, 2000), AutoRange.FromHistogram(histogram));
        histogram[3] = 9;
        histogram[1000] = 4991;
        histogram[2000] = 4989;
        histogram[65000] = 11;
        Assert.Equal(new IntensityRange(1000, 65000), AutoRange.FromHistogram(histogram));

        var flat = new long[65536];
        flat[500] = 7;
        Assert.Equal(new IntensityRange(500, 501), AutoRange.FromHistogram(flat));
    }

    [Fact]
    public void Auto_range_samples_32_tiles_spread_over_the_grid()
    {
        var cells = Enumerable.Range(0, 100).Select(i => (string?)$"t{i}").ToArray();
        List<string> sample = AutoRange.Sample(new TileGrid(10, 10, cells).Files());
        Assert.Equal(32, sample.Count);
        Assert.Equal(["t0", "t3", "t6", "t9", "t12"], sample.Take(5));
        Assert.Equal("t25", sample[8]);
        Assert.Equal("t96", sample[31]);
        Assert.Equal(["a", "b", "c"], AutoRange.Sample(new TileGrid(2, 2, ["a", null, "b", "c"]).Files()));
    }

    [Fact]
    public void Auto_range_of_a_build_is_the_percentiles_of_all_its_tiles()
    {
        var (_, sixteen, sample) = EightAndSixteen(grey: false, 300, 37, ".tif");

        // The grid has 12 tiles, under 32: all are sampled. Percentiles worked out here by sorting every colour sample.
        var values = new List<ushort>();
        foreach (string path in Directory.GetFiles(sixteen))
        {
            using Image image = Image.NewFromFile(path);
            values.AddRange(image.WriteToMemory<ushort>());
        }

        values.Sort();
        int low = values[(int)Math.Ceiling(values.Count * 0.001) - 1], high = values[(int)Math.Ceiling(values.Count * 0.999) - 1];
        BuildResult result = PyramidBuild.Run(PngRequest(sixteen, "auto.dzi", sample, "{x}_{y}.tif"));
        Assert.Equal(new IntensityRange(low, high), result.InputRange);
        Assert.True(high - low > 1000, $"range {low},{high} is too narrow for this test to mean much");
    }

    [Fact]
    public void Shards_with_different_ranges_are_refused()
    {
        var (_, sixteen, sample) = EightAndSixteen(grey: true, 0, 257, ".tif");
        BuildRequest request = PngRequest(sixteen, "s.dzi", sample, "{x}_{y}.tif") with { Pyramid = Support.Samples.Request(sixteen, "x", sample).Pyramid with { TileSize = 16, Encode = new EncodeSettings(TileFormat.Png) } };
        PyramidBuild.Run(request with { Shard = new ShardSpec(0, 2), Input = new InputOptions(new IntensityRange(0, 65535)) });
        var e = Assert.Throws<TesseraException>(() => PyramidBuild.Run(request with { Shard = new ShardSpec(1, 2), Input = new InputOptions(new IntensityRange(0, 30000)) }));
        Assert.Contains("range=0,30000", e.Message);
        Assert.Contains("range=0,65535", e.Message);
    }

    [Fact]
    public void Multi_page_tiff_reads_the_first_page_or_the_page_asked()
    {
        string path = _dir.Combine("pages.tif");
        using (Image pages = Image.Black(20, 10).NewFromImage(50).Cast(Enums.BandFormat.Uchar)
            .Join(Image.Black(20, 10).NewFromImage(200).Cast(Enums.BandFormat.Uchar), Enums.Direction.Vertical))
        {
            using Image tagged = pages.Mutate(m => m.Set(GValue.GIntType, "page-height", 10));
            tagged.Tiffsave(path);
        }

        using (PixelBuffer first = Reader().Decode(path, PixelFormat.Gray8))
        {
            Assert.Equal((20, 10, 50), (first.Width, first.Height, (int)first.Data[0]));
        }

        using (PixelBuffer second = Reader(new InputOptions(Page: 1)).Decode(path, PixelFormat.Gray8))
        {
            Assert.Equal((20, 10, 200), (second.Width, second.Height, (int)second.Data[(20 * 10) - 1]));
        }

        Assert.Equal(new ImageHeader(20, 10, PixelFormat.Gray8), Reader().ReadHeader(path));
        var e = Assert.Throws<TileReadException>(() => Reader(new InputOptions(Page: 2)).Decode(path, PixelFormat.Gray8));
        Assert.Contains("2 page", e.Message);
        Assert.Contains("pages.tif", e.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Tiled_and_striped_tiff_decode_to_the_pixels_written(bool tiled)
    {
        string path = _dir.Combine("t.tif");
        using Image source = (Image.Xyz(150, 90) * 3).Cast(Enums.BandFormat.Uchar).Bandjoin(Image.Black(150, 90).NewFromImage(77).Cast(Enums.BandFormat.Uchar));
        source.Tiffsave(path, tile: tiled, tileWidth: 32, tileHeight: 32, compression: Enums.ForeignTiffCompression.Lzw);
        byte[] rgb = source.WriteToMemory<byte>();
        using PixelBuffer pixels = Reader().Decode(path, PixelFormat.Rgbx8888);
        Assert.Equal((150, 90), (pixels.Width, pixels.Height));
        for (int i = 0; i < 150 * 90; i++)
        {
            Assert.True(pixels.Data[i * 4] == rgb[i * 3] && pixels.Data[(i * 4) + 1] == rgb[(i * 3) + 1] && pixels.Data[(i * 4) + 2] == rgb[(i * 3) + 2] && pixels.Data[(i * 4) + 3] == 255,
                $"pixel {i % 150},{i / 150}");
        }
    }

    [Theory]
    [InlineData(".png", 8)]
    [InlineData(".tif", 8)]
    [InlineData(".webp", 8)]
    [InlineData(".tif", 16)]
    [InlineData(".png", 16)]
    public void Rgba_is_flattened_over_the_background(string suffix, int bits)
    {
        // Four pixels: opaque, half transparent, transparent, nearly opaque.
        byte[] rgba = [200, 100, 0, 255, 200, 100, 0, 128, 200, 100, 0, 0, 40, 250, 90, 254];
        using Image eight = Image.NewFromMemory(rgba, 4, 1, 4, Enums.BandFormat.Uchar);
        using Image image = bits == 16 ? (eight * 257).Cast(Enums.BandFormat.Ushort).Copy(interpretation: Enums.Interpretation.Rgb16) : eight.Copy(interpretation: Enums.Interpretation.Srgb);
        string path = _dir.Combine("a" + suffix);
        if (suffix == ".webp")
        {
            image.Webpsave(path, lossless: true, exact: true);
        }
        else
        {
            image.WriteToFile(path);
        }

        var background = new Rgb(10, 20, 30);
        TileInputCodec reader = Reader(new InputOptions(IntensityRange.Full), background);
        Assert.Equal(new ImageHeader(4, 1, PixelFormat.Rgbx8888, bits), reader.ReadHeader(path));
        using PixelBuffer pixels = reader.Decode(path, PixelFormat.Rgbx8888);

        // c' = round((c·a + bg·(255 − a)) / 255): (200·128 + 10·127) / 255 = 105.4, (100·128 + 20·127) / 255 = 60.2, (30·127) / 255 = 14.9.
        byte[] expected = [200, 100, 0, 255, 105, 60, 15, 255, 10, 20, 30, 255, 40, 249, 90, 255];
        Assert.Equal(expected, pixels.Data.AsSpan(0, 16).ToArray());

        using PixelBuffer grey = reader.Decode(path, PixelFormat.Gray8);
        Assert.Equal(new Rgb(105, 60, 15).Gray, grey.Data[1]);
        Assert.Equal(background.Gray, grey.Data[2]);
    }

    [Fact]
    public void Grey_with_alpha_flattens_to_grey_over_the_grey_of_the_background()
    {
        string path = _dir.Combine("ga.png");
        using (Image image = Image.NewFromMemory(new byte[] { 100, 255, 100, 0, 100, 51 }, 3, 1, 2, Enums.BandFormat.Uchar).Copy(interpretation: Enums.Interpretation.Bw))
        {
            image.Pngsave(path);
        }

        TileInputCodec reader = Reader(background: Rgb.White);
        Assert.Equal(PixelFormat.Gray8, reader.ReadHeader(path).Format);
        using PixelBuffer grey = reader.Decode(path, PixelFormat.Gray8);

        // (100·51 + 255·204) / 255 = 224.
        Assert.Equal(new byte[] { 100, 255, 224 }, grey.Data.AsSpan(0, 3).ToArray());
    }

    [Fact]
    public void Sixteen_bit_tile_among_8_bit_ones_needs_a_range()
    {
        string path = _dir.Combine("w.tif");
        using (Image image = (Image.Black(4, 4) + 1000).Cast(Enums.BandFormat.Ushort))
        {
            image.Tiffsave(path);
        }

        var e = Assert.Throws<TileReadException>(() => Reader().Decode(path, PixelFormat.Gray8));
        Assert.Contains("Input.Range", e.Message);
        Assert.Contains("Input.Range", e.Properties);
        using PixelBuffer mapped = Reader(new InputOptions(new IntensityRange(0, 2000))).Decode(path, PixelFormat.Gray8);
        Assert.Equal(128, mapped.Data[0]);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("garbage")]
    public void Corrupt_tiff_is_a_one_line_error_naming_the_file(string damage)
    {
        string tiles = _dir.Combine("tiles");
        Directory.CreateDirectory(tiles);
        for (int x = 0; x < 2; x++)
        {
            using Image tile = (Image.Xyz(64, 48) + x).Cast(Enums.BandFormat.Uchar).ExtractBand(0);
            tile.Tiffsave(Path.Combine(tiles, $"{x}_0.tif"));
        }

        string bad = Path.Combine(tiles, "1_0.tif");
        byte[] bytes = File.ReadAllBytes(bad);
        if (damage == "truncated")
        {
            File.WriteAllBytes(bad, bytes[..(bytes.Length / 2)]);
        }
        else
        {
            var random = new Random(3);
            random.NextBytes(bytes.AsSpan(8));
            File.WriteAllBytes(bad, bytes);
        }

        var r = CliRunner.Run("build", tiles, _dir.Combine("c.dzi"), "--pattern", "{x}_{y}.tif");
        Assert.Equal(1, r.ExitCode);
        string error = r.Error.Trim();
        Assert.DoesNotContain('\n', error);
        Assert.Contains("1_0.tif", error);
        Assert.False(File.Exists(_dir.Combine("c.dzi")));
    }

    [Fact]
    public void Cli_takes_range_and_reports_it_and_refuses_a_bad_one()
    {
        var (_, sixteen, _) = EightAndSixteen(grey: true, 0, 257, ".tif");
        var ok = CliRunner.Run("build", sixteen, _dir.Combine("r.dzi"), "--pattern", "{x}_{y}.tif", "--overlap", "16,12", "--range", "0,65535");
        Assert.True(ok.ExitCode == 0, ok.Error);
        Assert.Contains("--range 0,65535", ok.Output);

        var bad = CliRunner.Run("build", sixteen, _dir.Combine("b.dzi"), "--pattern", "{x}_{y}.tif", "--range", "9,2");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("9,2", bad.Error);
        Assert.False(File.Exists(_dir.Combine("b.dzi")));
    }
}
