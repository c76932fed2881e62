using System.Globalization;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Samples;

namespace Tessera.Tests.Support;

/// <summary>What to cut and how badly: grid, tile size, overlap, jitter and the special tiles.</summary>
public sealed record JitteredTileSetOptions
{
    public int Across { get; init; } = 7;
    public int Down { get; init; } = 5;
    public int TileWidth { get; init; } = 320;
    public int TileHeight { get; init; } = 240;
    public int OverlapX { get; init; } = 80;
    public int OverlapY { get; init; } = 64;

    /// <summary>Every tile lies up to this many pixels (uniform, whole pixels) off its nominal place, on each axis.</summary>
    public int Jitter { get; init; } = 20;
    public int Seed { get; init; } = 11;
    public int Quality { get; init; } = 92;

    /// <summary>Standard deviation of the per-pixel sensor noise, grey levels.</summary>
    public double Noise { get; init; } = 2.5;

    /// <summary>What the source image shows.</summary>
    public TileSetContent Content { get; init; } = TileSetContent.Specimen;

    /// <summary>Every tile's gain is drawn uniformly from 1 ± this.</summary>
    public double GainSpread { get; init; } = 0.15;

    /// <summary>How much darker the corners are than the centre (0.3: 30 %).</summary>
    public double Vignetting { get; init; } = 0.3;

    /// <summary>Tiles whose whole area of the source is flat (one colour plus sensor noise).</summary>
    public IReadOnlyList<(int Column, int Row)> Textureless { get; init; } = [];

    /// <summary>Tiles written completely black (a failed exposure).</summary>
    public IReadOnlyList<(int Column, int Row)> Black { get; init; } = [];

    /// <summary>Tiles showing a different specimen: they overlap no neighbour at all.</summary>
    public IReadOnlyList<(int Column, int Row)> Foreign { get; init; } = [];

    /// <summary>Cells left without a file.</summary>
    public IReadOnlyList<(int Column, int Row)> Missing { get; init; } = [];

    /// <summary>Tiles the stage put this far off their jittered place, px (a missed step of a stage that otherwise repeats).</summary>
    public IReadOnlyList<(int Column, int Row, int Dx, int Dy)> Slips { get; init; } = [];

    /// <summary>Room around the grid for the jitter and the slips, px.</summary>
    public int Margin => Jitter + Slips.Select(s => Math.Max(Math.Abs(s.Dx), Math.Abs(s.Dy))).DefaultIfEmpty(0).Max();

    public int StepX => TileWidth - OverlapX;
    public int StepY => TileHeight - OverlapY;
}

/// <summary>
/// Cuts a source image (<see cref="TileSetContent"/>) into overlapping JPEG tiles at known, randomly jittered positions,
/// each with its own vignetting, gain and noise, as a real stage and camera would: the ground
/// truth for registration tests. Tiles are named {x}_{y}.jpg.
/// </summary>
public sealed class JitteredTileSet
{
    private JitteredTileSet(JitteredTileSetOptions options, PixelBuffer source, Dictionary<(int, int), (int X, int Y)> truth,
        IReadOnlyDictionary<(int, int), double> gains)
    {
        Options = options;
        Source = source;
        Truth = truth;
        Gains = gains;
    }

    public JitteredTileSetOptions Options { get; }

    /// <summary>The image the tiles were cut from (RGBX, plane coordinates), before vignetting, gain and noise.</summary>
    public PixelBuffer Source { get; }

    /// <summary>True top-left corner of every cell's tile in <see cref="Source"/> (missing cells too).</summary>
    public IReadOnlyDictionary<(int Column, int Row), (int X, int Y)> Truth { get; }

    /// <summary>The exposure gain each written tile (other than black and foreign ones) was given.</summary>
    public IReadOnlyDictionary<(int Column, int Row), double> Gains { get; }

    public bool IsSpecial((int, int) cell) =>
        Options.Textureless.Contains(cell) || Options.Black.Contains(cell) || Options.Foreign.Contains(cell) || Options.Missing.Contains(cell);

    public static JitteredTileSet Write(string directory, JitteredTileSetOptions o)
    {
        Directory.CreateDirectory(directory);
        var random = new Random(o.Seed);
        var truth = new Dictionary<(int, int), (int X, int Y)>();
        for (int r = 0; r < o.Down; r++)
        {
            for (int c = 0; c < o.Across; c++)
            {
                truth[(c, r)] = ((c * o.StepX) + o.Margin + random.Next(-o.Jitter, o.Jitter + 1),
                    (r * o.StepY) + o.Margin + random.Next(-o.Jitter, o.Jitter + 1));
            }
        }

        foreach (var (c, r, dx, dy) in o.Slips)
        {
            truth[(c, r)] = (truth[(c, r)].X + dx, truth[(c, r)].Y + dy);
        }

        int width = ((o.Across - 1) * o.StepX) + o.TileWidth + (2 * o.Margin);
        int height = ((o.Down - 1) * o.StepY) + o.TileHeight + (2 * o.Margin);
        PixelBuffer source = ContentImages.Render(o.Content, width, height, o.Seed);
        foreach (var cell in o.Textureless)
        {
            var (x, y) = truth[cell];
            Fill(source, new PixelRect(x, y, o.TileWidth, o.TileHeight), new Rgb(214, 168, 196));
        }

        var foreign = new SyntheticSpecimen(width, height, PixelFormat.Rgbx8888, o.Seed + 1000);
        var codec = new SkiaTileCodec();
        var cells = truth.Keys.Where(cell => !o.Missing.Contains(cell)).ToArray();
        var gains = new System.Collections.Concurrent.ConcurrentDictionary<(int, int), double>();
        Parallel.ForEach(cells, new ParallelOptions { MaxDegreeOfParallelism = 2 }, cell =>
        {
            var (x, y) = truth[cell];
            var rect = new PixelRect(x, y, o.TileWidth, o.TileHeight);
            using var tile = new PixelBuffer(rect, PixelFormat.Rgbx8888);
            if (o.Foreign.Contains(cell))
            {
                foreign.Render(tile);
            }
            else
            {
                for (int ty = 0; ty < o.TileHeight; ty++)
                {
                    source.RowAt(x, y + ty, o.TileWidth).CopyTo(tile.RowAt(x, y + ty, o.TileWidth));
                }
            }

            if (o.Black.Contains(cell))
            {
                Fill(tile, rect, Rgb.Black);
            }
            else
            {
                gains[cell] = Camera(tile, o, new Random(o.Seed + (cell.Item1 * 7919) + (cell.Item2 * 104729)));
            }

            using IEncodedImage encoded = codec.Encode(tile, rect, new EncodeSettings(TileFormat.Jpeg, o.Quality));
            File.WriteAllBytes(Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{cell.Item1}_{cell.Item2}.jpg")), encoded.Bytes);
        });

        return new JitteredTileSet(o, source, truth, gains);
    }

    /// <summary>Vignetting (darker towards the corners), a gain around 1 and Gaussian noise; returns the gain.</summary>
    private static double Camera(PixelBuffer tile, JitteredTileSetOptions o, Random random)
    {
        double gain = 1 - o.GainSpread + (2 * o.GainSpread * random.NextDouble());
        double cx = (o.TileWidth - 1) / 2.0, cy = (o.TileHeight - 1) / 2.0;
        PixelRect b = tile.Bounds;
        for (int y = 0; y < b.Height; y++)
        {
            Span<byte> row = tile.RowAt(b.X, b.Y + y, b.Width);
            double ny = (y - cy) / cy;
            for (int x = 0; x < b.Width; x++)
            {
                double nx = (x - cx) / cx;
                double factor = gain * (1 - (0.5 * o.Vignetting * ((nx * nx) + (ny * ny))));
                double noise = o.Noise * Gaussian(random);
                for (int k = 0; k < 3; k++)
                {
                    row[(4 * x) + k] = (byte)Math.Clamp((int)Math.Round((row[(4 * x) + k] * factor) + noise), 0, 255);
                }
            }
        }

        return gain;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static void Fill(PixelBuffer buffer, PixelRect rect, Rgb colour)
    {
        for (int y = rect.Y; y < rect.Bottom; y++)
        {
            Span<byte> row = buffer.RowAt(rect.X, y, rect.Width);
            for (int x = 0; x < rect.Width; x++)
            {
                row[4 * x] = colour.R;
                row[(4 * x) + 1] = colour.G;
                row[(4 * x) + 2] = colour.B;
                row[(4 * x) + 3] = 255;
            }
        }
    }
}
