using System.Globalization;
using Tessera.Codecs;
using Tessera.Compositing;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Samples;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>The compositor for tiles at explicit positions, in each blend mode.</summary>
public sealed class BlendTests : IDisposable
{
    private static readonly SkiaTileCodec Codec = new();
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(160, 120, 16, 12, PixelFormat.Rgbx8888)]
    [InlineData(161, 121, 17, 13, PixelFormat.Rgbx8888)]
    [InlineData(97, 83, 30, 21, PixelFormat.Gray8)]
    [InlineData(100, 90, 0, 0, PixelFormat.Rgbx8888)]
    public void Seam_on_the_nominal_grid_is_the_grid_fast_path_pixel_for_pixel(int width, int height, int overlapX, int overlapY, PixelFormat format)
    {
        // JPEG: each tile's copy of an overlap differs a little, so a pixel taken from the wrong tile shows.
        var sample = Support.Samples.Small(TileFormat.Jpeg, format) with { TileWidth = width, TileHeight = height, OverlapX = overlapX, OverlapY = overlapY };
        string tiles = _dir.Combine("grid");
        SampleGrid.Write(tiles, sample);
        TileGrid grid = GridScanner.Scan(tiles, new LayoutOptions("{x}_{y}.jpg"));
        var mosaic = new GridMosaic(grid, width, height, overlapX, overlapY);

        using var fast = new MosaicSource(mosaic, format, Codec, Rgb.Black, 64 << 20);
        using var placed = new PlacedMosaicSource(PlacedMosaic.FromGrid(mosaic), BlendMode.Seam, format, Codec, Rgb.Black, 64 << 20);
        Assert.Equal(RenderAll(fast), RenderAll(placed));
    }

    [Theory]
    [InlineData(BlendMode.Seam)]
    [InlineData(BlendMode.Overlay)]
    [InlineData(BlendMode.Linear)]
    public void A_pixel_is_the_same_whatever_rectangle_it_is_rendered_in(BlendMode mode)
    {
        var (placed, _, _, _) = JitteredTiles(seed: 3);
        using var source = new PlacedMosaicSource(placed, mode, PixelFormat.Rgbx8888, Codec, Rgb.Black, 64 << 20);
        byte[] whole = RenderAll(source);
        var random = new Random(11);
        for (int i = 0; i < 25; i++)
        {
            int x = random.Next(source.Width), y = random.Next(source.Height);
            var rect = new PixelRect(x, y, 1 + random.Next(source.Width - x), 1 + random.Next(source.Height - y));
            using var part = new PixelBuffer(rect, PixelFormat.Rgbx8888);
            source.Render(part);
            for (int row = rect.Y; row < rect.Bottom; row++)
            {
                Assert.True(whole.AsSpan((((row * source.Width) + rect.X) * 4), rect.Width * 4).SequenceEqual(part.RowAt(rect.X, row, rect.Width)),
                    $"{mode}: row {row} of {rect} differs from the whole render");
            }
        }
    }

    [Fact]
    public void Overlay_takes_every_pixel_from_the_last_tile_covering_it()
    {
        var (placed, pixels, _, _) = JitteredTiles(seed: 5);
        using var source = new PlacedMosaicSource(placed, BlendMode.Overlay, PixelFormat.Rgbx8888, Codec, Rgb.White, 64 << 20);
        byte[] rendered = RenderAll(source);
        AssertEachPixelFrom(placed, pixels, rendered, (x, y) =>
        {
            int last = -1;
            for (int t = 0; t < placed.Count; t++)
            {
                if (Covers(placed.RectOf(t), x, y))
                {
                    last = t;
                }
            }

            return last;
        });
    }

    [Fact]
    public void Seam_takes_every_pixel_from_the_tile_whose_centre_is_nearest()
    {
        var (placed, pixels, _, _) = JitteredTiles(seed: 7);
        using var source = new PlacedMosaicSource(placed, BlendMode.Seam, PixelFormat.Rgbx8888, Codec, Rgb.White, 64 << 20);
        byte[] rendered = RenderAll(source);
        AssertEachPixelFrom(placed, pixels, rendered, (x, y) =>
        {
            int nearest = -1;
            double best = double.MaxValue;
            for (int t = 0; t < placed.Count; t++)
            {
                PixelRect r = placed.RectOf(t);
                if (Covers(r, x, y))
                {
                    double dx = x + 0.5 - (r.X + (r.Width / 2.0)), dy = y + 0.5 - (r.Y + (r.Height / 2.0));
                    double d = (dx * dx) + (dy * dy);
                    if (d <= best)
                    {
                        best = d;
                        nearest = t;
                    }
                }
            }

            return nearest;
        });
    }

    [Fact]
    public void Linear_fades_a_brightness_step_that_seam_leaves_sharp()
    {
        // Two flat grey tiles, 40 levels apart, with noise (sigma 3), overlapping by 80 px.
        const int width = 200, height = 100, overlap = 80, noise = 3;
        var placements = new List<TilePlacement>();
        foreach (var (name, level, x) in new[] { ("a", 100, 0), ("b", 140, width - overlap) })
        {
            var random = new Random(level);
            using var tile = new PixelBuffer(new PixelRect(0, 0, width, height), PixelFormat.Gray8);
            for (int i = 0; i < width * height; i++)
            {
                tile.Data[i] = (byte)Math.Clamp(level + (int)Math.Round(Gaussian(random) * noise), 0, 255);
            }

            placements.Add(new TilePlacement(WritePng(name, tile), x, 0));
        }

        PlacedMosaic placed = PlacedMosaic.FromPlacements(placements, _ => (width, height));
        double SteepestStep(BlendMode mode)
        {
            using var source = new PlacedMosaicSource(placed, mode, PixelFormat.Gray8, Codec, Rgb.Black, 64 << 20);
            byte[] image = RenderAll(source);
            double[] columns = Enumerable.Range(0, source.Width)
                .Select(x => Enumerable.Range(0, height).Average(y => (double)image[(y * source.Width) + x])).ToArray();
            return columns.Zip(columns.Skip(1), (a, b) => Math.Abs(b - a)).Max();
        }

        double seam = SteepestStep(BlendMode.Seam), linear = SteepestStep(BlendMode.Linear);
        Assert.True(seam > 35, $"seam: steepest column step {seam:F2}, expected the 40-level step");
        Assert.True(linear < noise, $"linear: steepest column step {linear:F2}, expected no step above the noise ({noise})");
    }

    [Fact]
    public void Linear_outside_overlaps_and_between_agreeing_tiles_keeps_the_source_pixels()
    {
        var (placed, _, originX, originY) = JitteredTiles(seed: 9, shade: false);
        using var source = new PlacedMosaicSource(placed, BlendMode.Linear, PixelFormat.Rgbx8888, Codec, Rgb.Black, 64 << 20);
        byte[] rendered = RenderAll(source);
        var specimen = new SyntheticSpecimen(originX + source.Width, originY + source.Height, PixelFormat.Rgbx8888, seed: 9);
        using var truth = new PixelBuffer(new PixelRect(originX, originY, source.Width, source.Height), PixelFormat.Rgbx8888);
        specimen.Render(truth);
        for (int y = 0; y < source.Height; y++)
        {
            for (int x = 0; x < source.Width; x++)
            {
                bool covered = Enumerable.Range(0, placed.Count).Any(t => Covers(placed.RectOf(t), x, y));
                int o = ((y * source.Width) + x) * 4;
                if (covered)
                {
                    Assert.True(rendered.AsSpan(o, 3).SequenceEqual(truth.Data.AsSpan(o, 3)), $"pixel ({x}, {y}) changed");
                }
                else
                {
                    Assert.True(rendered.AsSpan(o, 3).SequenceEqual(new byte[3]), $"uncovered pixel ({x}, {y}) is not the background");
                }
            }
        }
    }

    [Fact]
    public void Subpixel_positions_round_to_the_nearest_pixel_and_shift_to_the_origin()
    {
        var placements = new[]
        {
            new TilePlacement("a", -10.4, 5.5),
            new TilePlacement("b", 70.6, -3.2),
        };
        PlacedMosaic placed = PlacedMosaic.FromPlacements(placements, _ => (100, 80));
        Assert.Equal(new PixelRect(0, 9, 100, 80), placed.RectOf(0));
        Assert.Equal(new PixelRect(81, 0, 100, 80), placed.RectOf(1));
        Assert.Equal((181, 89), (placed.Width, placed.Height));
        Assert.Throws<LayoutException>(() => PlacedMosaic.FromPlacements([new TilePlacement("c", double.NaN, 0)], _ => (10, 10)));
    }

    /// <summary>
    /// Tiles cut from one specimen at jittered places (±20 px) on a 4×3 grid, one cell left out so
    /// part of the plane is uncovered. With <paramref name="shade"/> each tile is made a little
    /// brighter than the one before, so the test can tell which tile a pixel came from.
    /// </summary>
    private (PlacedMosaic Placed, PixelBuffer[] Pixels, int OriginX, int OriginY) JitteredTiles(int seed, bool shade = true)
    {
        const int width = 90, height = 70, step = 70, stepY = 55, across = 4, down = 3;
        var random = new Random(seed);
        var placements = new List<TilePlacement>();
        var pixels = new List<PixelBuffer>();
        var specimen = new SyntheticSpecimen(((across - 1) * step) + width + 50, ((down - 1) * stepY) + height + 50, PixelFormat.Rgbx8888, seed);
        for (int row = 0; row < down; row++)
        {
            for (int column = 0; column < across; column++)
            {
                if (row == 1 && column == 2)
                {
                    continue;
                }

                int x = 20 + (column * step) + random.Next(-20, 21), y = 20 + (row * stepY) + random.Next(-20, 21);
                var tile = new PixelBuffer(new PixelRect(x, y, width, height), PixelFormat.Rgbx8888);
                specimen.Render(tile);
                if (shade)
                {
                    for (int i = 0; i < tile.Data.Length; i++)
                    {
                        tile.Data[i] = (i & 3) == 3 ? (byte)255 : (byte)Math.Min(255, tile.Data[i] + (3 * pixels.Count));
                    }
                }

                using var atOrigin = new PixelBuffer(new PixelRect(0, 0, width, height), PixelFormat.Rgbx8888);
                tile.Data.AsSpan(0, width * height * 4).CopyTo(atOrigin.Data);
                placements.Add(new TilePlacement(WritePng(string.Create(CultureInfo.InvariantCulture, $"t{pixels.Count}"), atOrigin), x, y));
                pixels.Add(tile);
            }
        }

        // The plane starts at the smallest position: move the expected pixels there too.
        PlacedMosaic placed = PlacedMosaic.FromPlacements(placements, _ => (width, height));
        int originX = (int)placements.Min(p => p.X), originY = (int)placements.Min(p => p.Y);
        return (placed, pixels.Select(p => Shift(p, -originX, -originY)).ToArray(), originX, originY);
    }

    private static PixelBuffer Shift(PixelBuffer tile, int dx, int dy)
    {
        var moved = new PixelBuffer(new PixelRect(tile.Bounds.X + dx, tile.Bounds.Y + dy, tile.Width, tile.Height), tile.Format);
        tile.Data.AsSpan(0, tile.Stride * tile.Height).CopyTo(moved.Data);
        tile.Dispose();
        return moved;
    }

    private static void AssertEachPixelFrom(PlacedMosaic placed, PixelBuffer[] pixels, byte[] rendered, Func<int, int, int> expectedTile)
    {
        for (int y = 0; y < placed.Height; y++)
        {
            for (int x = 0; x < placed.Width; x++)
            {
                int t = expectedTile(x, y);
                ReadOnlySpan<byte> actual = rendered.AsSpan(((y * placed.Width) + x) * 4, 4);
                ReadOnlySpan<byte> expected = t < 0 ? new byte[] { 255, 255, 255, 255 } : pixels[t].Data.AsSpan(pixels[t].OffsetOf(x, y), 4);
                Assert.True(actual.SequenceEqual(expected), $"pixel ({x}, {y}) is not from tile {t}");
            }
        }
    }

    private static bool Covers(PixelRect r, int x, int y) => x >= r.X && x < r.Right && y >= r.Y && y < r.Bottom;

    private static byte[] RenderAll(IPixelSource source)
    {
        using var all = new PixelBuffer(new PixelRect(0, 0, source.Width, source.Height), source.Format);
        source.Render(all);
        return all.Data.AsSpan(0, all.Stride * all.Height).ToArray();
    }

    private string WritePng(string name, PixelBuffer pixels)
    {
        string path = _dir.Combine($"{name}.png");
        using IEncodedImage encoded = Codec.Encode(pixels, pixels.Bounds, new EncodeSettings(TileFormat.Png));
        File.WriteAllBytes(path, encoded.Bytes);
        return path;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
