using System.Globalization;
using System.Numerics;
using Tessera.Codecs;
using Tessera.Compositing;
using Tessera.Illumination;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Samples;
using Tessera.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Tessera.Tests;

/// <summary>Flat-field correction: tiles darker at the corners leave no grid of stripes once it is divided out.</summary>
public sealed class FlatFieldTests(ITestOutputHelper output) : IDisposable
{
    private const int Across = 8, Down = 6, Width = 160, Height = 120, OverlapX = 16, OverlapY = 12;
    private static readonly SkiaTileCodec Codec = new();
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A lens-like falloff: 1 in the middle, about half in the corners.</summary>
    private static double Vignette(int x, int y)
    {
        double u = (x + 0.5 - (Width / 2.0)) / (Width / 2.0), v = (y + 0.5 - (Height / 2.0)) / (Height / 2.0);
        double r2 = (u * u) + (v * v);
        return 1 / ((1 + (0.2 * r2)) * (1 + (0.2 * r2)));
    }

    [Fact]
    public void Auto_estimate_cuts_the_grid_period_stripes_at_least_tenfold()
    {
        var (grid, truth) = VignettedTiles();
        FlatField field = FlatField.Estimate(grid.Files(), Codec, PixelFormat.Rgbx8888);

        var (beforeX, beforeY) = Stripes(grid, truth, null);
        var (afterX, afterY) = Stripes(grid, truth, field);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"stripe amplitude across {beforeX:F4} -> {afterX:F4} ({beforeX / afterX:F1}x), down {beforeY:F4} -> {afterY:F4} ({beforeY / afterY:F1}x)"));
        Assert.True(beforeX > 0.02 && beforeY > 0.02, "the vignette should leave visible stripes");
        Assert.True(afterX * 10 <= beforeX, $"across: {beforeX:F4} -> {afterX:F4}, less than 10x");
        Assert.True(afterY * 10 <= beforeY, $"down: {beforeY:F4} -> {afterY:F4}, less than 10x");

        // The estimate itself follows the true falloff.
        double meanTrue = Enumerable.Range(0, Width * Height).Average(i => Vignette(i % Width, i / Width));
        double worst = Enumerable.Range(0, Width * Height).Max(i => Math.Abs(field.Gain[i] - (Vignette(i % Width, i / Width) / meanTrue)));
        Assert.True(worst < 0.03, $"estimated gain is off by up to {worst:F3}");
    }

    [Fact]
    public void A_measured_gain_image_removes_the_stripes_and_a_dark_image_is_subtracted_first()
    {
        var (grid, truth) = VignettedTiles();
        using var gainImage = new PixelBuffer(new PixelRect(0, 0, Width, Height), PixelFormat.Gray8);
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                gainImage.Data[(y * Width) + x] = (byte)Math.Round(Vignette(x, y) * 250);
            }
        }

        string gainFile = WritePng("gain", gainImage);
        FlatField field = FlatField.Load(gainFile, null, Codec, Width, Height);
        var (beforeX, _) = Stripes(grid, truth, null);
        var (afterX, _) = Stripes(grid, truth, field);
        Assert.True(afterX * 10 <= beforeX, $"across: {beforeX:F4} -> {afterX:F4}");

        // (value − dark) / gain, per pixel: a uniform dark of 20 and gain image of 100 everywhere leave value − 20.
        using var flat = new PixelBuffer(new PixelRect(0, 0, Width, Height), PixelFormat.Gray8);
        flat.Data.AsSpan(0, Width * Height).Fill(120);
        string flatFile = WritePng("flat", flat);
        flat.Data.AsSpan(0, Width * Height).Fill(20);
        string darkFile = WritePng("dark", flat);
        FlatField withDark = FlatField.Load(flatFile, darkFile, Codec, Width, Height);
        using var tile = new PixelBuffer(new PixelRect(0, 0, Width, Height), PixelFormat.Rgbx8888);
        tile.Data.AsSpan(0, tile.Stride * Height).Fill(90);
        withDark.Apply(tile);
        Assert.All(Enumerable.Range(0, Width * Height), p =>
            Assert.Equal(new byte[] { 70, 70, 70, 90 }, tile.Data.AsSpan(p * 4, 4).ToArray()));
    }

    [Theory]
    [InlineData(PixelFormat.Gray8)]
    [InlineData(PixelFormat.Rgbx8888)]
    public void Apply_is_the_documented_fixed_point_formula_on_every_pixel(PixelFormat format)
    {
        // 161 px rows: the vectorised body and the scalar tail both run in every row.
        const int w = 161, h = 7;
        var random = new Random(5);
        using var gainImage = new PixelBuffer(new PixelRect(0, 0, w, h), PixelFormat.Gray8);
        using var darkImage = new PixelBuffer(new PixelRect(0, 0, w, h), PixelFormat.Gray8);
        random.NextBytes(gainImage.Data.AsSpan(0, w * h));
        for (int i = 0; i < w * h; i++)
        {
            gainImage.Data[i] = (byte)(60 + (gainImage.Data[i] % 190));
            darkImage.Data[i] = (byte)random.Next(0, 30);
        }

        FlatField field = FlatField.Load(WritePng("g", gainImage), WritePng("d", darkImage), Codec, w, h);
        using var tile = new PixelBuffer(new PixelRect(0, 0, w, h), format);
        random.NextBytes(tile.Data.AsSpan(0, tile.Stride * h));
        byte[] before = tile.Data.AsSpan(0, tile.Stride * h).ToArray();
        field.Apply(tile);
        int bpp = tile.BytesPerPixel;
        for (int p = 0; p < w * h; p++)
        {
            int g = (int)Math.Round(1024.0 * (1f / field.Gain[p]));
            int d = (int)Math.Round(field.Dark![p]);
            for (int c = 0; c < bpp; c++)
            {
                int i = (p * bpp) + c;
                int expected = bpp == 4 && c == 3 ? before[i] : Math.Min(((Math.Max(before[i] - d, 0) << 5) * g + 0x4000) >> 15, 255);
                Assert.True(expected == tile.Data[i], $"pixel {p} channel {c}: {before[i]} became {tile.Data[i]}, expected {expected}");
            }
        }
    }

    [Fact]
    public void The_cli_applies_it_records_it_and_refuses_a_missing_file()
    {
        var (grid, _) = VignettedTiles();
        string tiles = Path.GetDirectoryName(grid.FirstTile)!;
        string[] common = ["--overlap", $"{OverlapX},{OverlapY}", "--tile-size", "64", "--format", "png", "--pattern", "{x}_{y}.png"];
        var built = CliRunner.Run(["build", tiles, _dir.Combine("out.dzi"), .. common, "--flatfield", "auto"]);
        Assert.True(built.ExitCode == 0, built.Error);
        Assert.Contains("Illumination: flat-field estimated from 48 of 48 sampled tiles", built.Output);

        var missing = CliRunner.Run(["build", tiles, _dir.Combine("missing.dzi"), .. common, "--flatfield", _dir.Combine("nope.png")]);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("nope.png\" does not exist", missing.Error);
        Assert.False(File.Exists(_dir.Combine("missing.dzi")));

        var darkOnly = CliRunner.Run(["build", tiles, _dir.Combine("dark.dzi"), .. common, "--darkfield", _dir.Combine("nope.png")]);
        Assert.Equal(1, darkOnly.ExitCode);
        Assert.Contains("--darkfield goes with --flatfield", darkOnly.Error);
    }

    /// <summary>
    /// The grid-period stripe amplitude across and down: the stitched image divided by the true
    /// one, averaged along columns (rows), and the Fourier amplitude of that profile at the grid's
    /// step. The specimen divides out, the illumination left over does not.
    /// </summary>
    private static (double Across, double Down) Stripes(TileGrid grid, PixelBuffer truth, ITileCorrection? correction)
    {
        var mosaic = new GridMosaic(grid, Width, Height, OverlapX, OverlapY);
        using var source = new MosaicSource(mosaic, PixelFormat.Rgbx8888, Codec, Rgb.Black, 64 << 20, correction: correction);
        using var stitched = new PixelBuffer(new PixelRect(0, 0, source.Width, source.Height), PixelFormat.Rgbx8888);
        source.Render(stitched);
        var columns = new double[source.Width];
        var columnTruth = new double[source.Width];
        var rows = new double[source.Height];
        var rowTruth = new double[source.Height];
        for (int y = 0; y < source.Height; y++)
        {
            for (int x = 0; x < source.Width; x++)
            {
                double s = Luminance(stitched, x, y), t = Luminance(truth, x, y);
                columns[x] += s;
                columnTruth[x] += t;
                rows[y] += s;
                rowTruth[y] += t;
            }
        }

        return (Amplitude(columns.Zip(columnTruth, (s, t) => s / t).ToArray(), Width - OverlapX),
                Amplitude(rows.Zip(rowTruth, (s, t) => s / t).ToArray(), Height - OverlapY));
    }

    private static double Amplitude(double[] profile, int period)
    {
        double mean = profile.Average();
        Complex sum = Complex.Zero;
        for (int i = 0; i < profile.Length; i++)
        {
            sum += (profile[i] - mean) * Complex.FromPolarCoordinates(1, -2 * Math.PI * i / period);
        }

        return 2 * sum.Magnitude / profile.Length;
    }

    private static double Luminance(PixelBuffer image, int x, int y)
    {
        int o = image.OffsetOf(x, y);
        return (0.299 * image.Data[o]) + (0.587 * image.Data[o + 1]) + (0.114 * image.Data[o + 2]);
    }

    /// <summary>PNG tiles of a specimen, each darkened towards its corners by <see cref="Vignette"/>; and the specimen itself.</summary>
    private (TileGrid Grid, PixelBuffer Truth) VignettedTiles()
    {
        string directory = _dir.Combine("tiles");
        var sample = new SampleOptions
        {
            Across = Across, Down = Down, TileWidth = Width, TileHeight = Height, OverlapX = OverlapX, OverlapY = OverlapY,
            Encode = new EncodeSettings(TileFormat.Png),
        };
        SyntheticSpecimen specimen = SampleGrid.Specimen(sample);
        var truth = new PixelBuffer(new PixelRect(0, 0, sample.PlaneWidth, sample.PlaneHeight), PixelFormat.Rgbx8888);
        specimen.Render(truth);
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory);
            for (int row = 0; row < Down; row++)
            {
                for (int column = 0; column < Across; column++)
                {
                    using var tile = new PixelBuffer(new PixelRect(column * sample.StepX, row * sample.StepY, Width, Height), PixelFormat.Rgbx8888);
                    specimen.Render(tile);
                    for (int y = 0; y < Height; y++)
                    {
                        for (int x = 0; x < Width; x++)
                        {
                            double g = Vignette(x, y);
                            int o = (y * tile.Stride) + (x * 4);
                            for (int c = 0; c < 3; c++)
                            {
                                tile.Data[o + c] = (byte)Math.Round(tile.Data[o + c] * g);
                            }
                        }
                    }

                    using IEncodedImage png = Codec.Encode(tile, tile.Bounds, sample.Encode);
                    File.WriteAllBytes(Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{column}_{row}.png")), png.Bytes);
                }
            }
        }

        return (GridScanner.Scan(directory, new LayoutOptions("{x}_{y}.png")), truth);
    }

    private string WritePng(string name, PixelBuffer pixels)
    {
        string path = _dir.Combine($"{name}.png");
        using IEncodedImage encoded = Codec.Encode(pixels, pixels.Bounds, new EncodeSettings(TileFormat.Png));
        File.WriteAllBytes(path, encoded.Bytes);
        return path;
    }
}
