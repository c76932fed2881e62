using System.Globalization;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Samples;

namespace Tessera.Bench;

/// <summary>
/// <c>periodic-grid DIR --across N --down M [--period 30] [--seed 3]</c>: an N×M grid of 800×600 tiles
/// (overlap 80,60) whose overlaps match exactly, from period² distinct files. The synthetic
/// specimen, repeated every period×step px each way, is cut at every cell's nominal place, so tile
/// (c, r) is the same picture as tile (c mod period, r mod period): those are written once, as
/// JPEG, and every other cell is a hard link. The true positions are the nominal grid. Another
/// seed gives another specimen: the same grid with other pictures, whose pair errors are a sample
/// of their own (a grid of another period, same seed, has the same pictures where both have them).
/// </summary>
/// <remarks>
/// The period is large because registration learns its significance bar from strips of tiles that
/// do not touch: with a period of 3, one such pair in nine is a perfect match (the same picture),
/// the bar rose to 0.98 and half the true pairs were rejected (20×20: median error 1.35 px). With
/// 30, one in 900.
/// </remarks>
internal static class PeriodicGridCommand
{
    private const int Width = 800, Height = 600, OverlapX = 80, OverlapY = 60;

    public static void Run(CommandArguments args)
    {
        string directory = args.Positional(0, "DIR");
        int across = args.RequiredInt("across", 1), down = args.RequiredInt("down", 1), period = args.Int("period", 30, 2), seed = args.Int("seed", 3, 0);
        args.EnsureAllUsed(1);
        string marker = Path.Combine(directory, ".complete");
        string expected = string.Create(CultureInfo.InvariantCulture, $"{across}x{down} period {period} specimen") + (seed == 3 ? "" : string.Create(CultureInfo.InvariantCulture, $" seed {seed}"));
        if (File.Exists(marker) && File.ReadAllText(marker) == expected)
        {
            return;
        }

        Directory.CreateDirectory(directory);
        string distinct = Path.Combine(directory, ".distinct");
        Directory.CreateDirectory(distinct);
        WriteDistinct(distinct, period, Math.Min(period, across), Math.Min(period, down), seed);
        for (int r = 0; r < down; r++)
        {
            for (int c = 0; c < across; c++)
            {
                string link = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{c}_{r}.jpg"));
                string source = Path.Combine(distinct, string.Create(CultureInfo.InvariantCulture, $"{c % period}_{r % period}.jpg"));
                if (!File.Exists(link))
                {
                    HardLink.Create(source, link);
                }
            }
        }

        File.WriteAllText(marker, expected);
        Console.WriteLine($"periodic-grid: {across}x{down} tiles from {Math.Min(period, across) * Math.Min(period, down)} files in {directory}");
    }

    /// <summary>
    /// The distinct tiles (period² of them, or fewer on a smaller grid), cut from the synthetic specimen's plane wrapped at period × step
    /// each way: a tile that crosses the wrap gets the part beyond it from the plane's start (a
    /// seam at the wrap, never inside an overlap, which is what makes the overlaps match exactly).
    /// </summary>
    private static void WriteDistinct(string directory, int period, int columns, int rows, int seed)
    {
        int stepX = Width - OverlapX, stepY = Height - OverlapY;
        int periodX = period * stepX, periodY = period * stepY;
        var specimen = new SyntheticSpecimen(periodX, periodY, PixelFormat.Rgbx8888, seed);
        var codec = new SkiaTileCodec();
        Parallel.For(0, columns * rows, new ParallelOptions { MaxDegreeOfParallelism = 2 }, n =>
        {
            int i = n % columns, j = n / columns;
            using var tile = new PixelBuffer(new PixelRect(0, 0, Width, Height), PixelFormat.Rgbx8888);
            foreach (var (tx, px, w) in Parts(i * stepX, Width, periodX))
            {
                foreach (var (ty, py, h) in Parts(j * stepY, Height, periodY))
                {
                    using var part = new PixelBuffer(new PixelRect(px, py, w, h), PixelFormat.Rgbx8888);
                    specimen.Render(part);
                    for (int y = 0; y < h; y++)
                    {
                        part.RowAt(px, py + y, w).CopyTo(tile.RowAt(tx, ty + y, w));
                    }
                }
            }

            using IEncodedImage encoded = codec.Encode(tile, tile.Bounds, new EncodeSettings(TileFormat.Jpeg, 90));
            File.WriteAllBytes(Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{i}_{j}.jpg")), encoded.Bytes.ToArray());
        });
    }

    /// <summary>The span [start, start + length) of the wrapped plane as (offset in the tile, plane start, length) pieces.</summary>
    private static IEnumerable<(int Offset, int Start, int Length)> Parts(int start, int length, int period)
    {
        int first = Math.Min(length, period - start);
        yield return (0, start, first);
        if (first < length)
        {
            yield return (first, 0, length - first);
        }
    }
}
