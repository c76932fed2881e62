using System.Globalization;
using NetVips;

namespace Tessera.Bench;

/// <summary>
/// <c>photo-grid DIR --across N --down M --period P --images A.png,B.jpg,...</c>: an N×M grid of
/// tiles cut from real photographs, for timing on content that decodes and compresses like a
/// camera's (synthetic tiles are far cheaper for both).
/// </summary>
/// <remarks>
/// The photographs are laid side by side, at their own resolution, into a canvas that repeats
/// every P tile steps in both directions; P×P distinct tiles are cut from it with the grid's
/// overlap and JPEG-encoded, and every other cell is a hard link to the distinct tile at
/// (column mod P, row mod P). Because the canvas wraps, neighbouring tiles overlap exactly
/// everywhere, also across the period's boundary: the true positions are the nominal grid.
/// </remarks>
internal static class PhotoGridCommand
{
    private const string MarkerName = ".tessera-bench-complete";

    public static void Run(CommandArguments args)
    {
        string directory = args.Positional(0, "DIR");
        int across = args.RequiredInt("across", 1), down = args.RequiredInt("down", 1);
        int period = args.Int("period", 8, 1);
        int width = args.Int("width", 800, 64), height = args.Int("height", 600, 64);
        int overlapX = args.Int("overlap-x", 80, 0), overlapY = args.Int("overlap-y", 60, 0);
        int quality = args.Int("quality", 90, 1);
        string[] images = args.String("images", "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        args.EnsureAllUsed(1);
        if (images.Length == 0)
        {
            throw new UsageException("--images must name at least one photograph");
        }

        if (images.FirstOrDefault(i => !File.Exists(i)) is { } absent)
        {
            throw new UsageException($"--images: {absent} does not exist");
        }

        if (overlapX >= width || overlapY >= height || quality > 100)
        {
            throw new UsageException("overlaps must be smaller than the tile and quality at most 100");
        }

        string marker = Path.Combine(directory, MarkerName);
        string expected = string.Create(CultureInfo.InvariantCulture,
            $"photo v2 {across}x{down} period {period} tile {width}x{height} overlap {overlapX},{overlapY} q{quality} {string.Join(',', images.Select(Path.GetFileName))}");
        if (File.Exists(marker) && File.ReadAllText(marker) == expected)
        {
            Console.WriteLine($"photo-grid: reusing complete tile set in {directory}");
            return;
        }

        Directory.CreateDirectory(directory);
        File.Delete(marker);
        int stepX = width - overlapX, stepY = height - overlapY;
        using Image canvas = Canvas(images, period * stepX, period * stepY);
        using Image row = Image.Arrayjoin([canvas, canvas], across: 2);
        using Image wrapped = Image.Arrayjoin([row, row], across: 1);
        string distinct = Path.Combine(directory, ".distinct");
        Directory.CreateDirectory(distinct);
        for (int r = 0; r < Math.Min(period, down); r++)
        {
            for (int c = 0; c < Math.Min(period, across); c++)
            {
                // The canvas twice in each direction: a tile's right and bottom edges wrap to the left and top.
                using Image tile = wrapped.Crop(c * stepX, r * stepY, width, height);
                tile.Jpegsave(Original(distinct, c, r, 0), q: quality, optimizeCoding: true);
            }
        }

        LinkCells(directory, distinct, across, down, period);
        File.WriteAllText(marker, expected);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"photo-grid tiles={across * down} distinct={Math.Min(period, across) * Math.Min(period, down)} canvas={canvas.Width}x{canvas.Height}"));
    }

    /// <summary>
    /// The photographs in rows of one height (each scaled to it, mostly down: the photographs'
    /// own detail is kept), repeated until they fill a canvas of exactly one period, as 8-bit
    /// sRGB in memory. Each row starts one photograph further on, so rows do not line up.
    /// </summary>
    private static Image Canvas(string[] images, int width, int height)
    {
        const int rowHeight = 400;
        Image[] photos = images.Select(p => Image.NewFromFile(p).Colourspace(Enums.Interpretation.Srgb))
            .Select(i => i.HasAlpha() ? i.Flatten() : i).Select(i => i.Bands > 3 ? i.ExtractBand(0, 3) : i)
            .Select(i => i.Resize(rowHeight / (double)i.Height, kernel: Enums.Kernel.Lanczos3)).ToArray();
        Image canvas = Image.Black(width, height, bands: 3);
        for (int y = 0, row = 0; y < height; y += rowHeight, row++)
        {
            for (int x = 0, next = row; x < width; next++)
            {
                Image photo = photos[next % photos.Length];
                canvas = canvas.Insert(photo, x, y);
                x += photo.Width;
            }
        }

        return canvas.Cast(Enums.BandFormat.Uchar).Copy(interpretation: Enums.Interpretation.Srgb).CopyMemory();
    }

    private static string Original(string distinct, int c, int r, int copy) =>
        Path.Combine(distinct, string.Create(CultureInfo.InvariantCulture, $"{c}_{r}.{copy}.jpg"));

    /// <summary>Every cell a hard link to its distinct tile (a fresh copy per <see cref="HardLink.PerFile"/> links).</summary>
    private static void LinkCells(string directory, string distinct, int across, int down, int period)
    {
        var links = new Dictionary<(int, int), int>();
        for (int i = 0; i < across * down; i++)
        {
            int c = i % across, r = i / across, key = 0;
            (int, int) cell = (c % period, r % period);
            links[cell] = key = links.GetValueOrDefault(cell) + 1;
            int copy = (key - 1) / HardLink.PerFile;
            string source = Original(distinct, cell.Item1, cell.Item2, copy);
            if (!File.Exists(source))
            {
                File.Copy(Original(distinct, cell.Item1, cell.Item2, 0), source);
            }

            string link = Path.Combine(directory, TileNames.Format(c, r));
            File.Delete(link);
            HardLink.Create(source, link);
        }
    }
}
