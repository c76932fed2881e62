using System.Globalization;
using System.Text.RegularExpressions;

namespace Tessera.Layout;

/// <summary>How input files are assigned to grid cells.</summary>
public enum TileOrder
{
    /// <summary>Column and row come from the file name, through <c>{x}</c> and <c>{y}</c> in the pattern.</summary>
    Pattern,

    /// <summary>Files are numbered; number k (counted from the smallest) is column k mod across, row k div across.</summary>
    RowMajor,
}

/// <summary>What to look for in the input folder.</summary>
/// <param name="Pattern">File name template; null takes <see cref="DefaultPattern"/> for <see cref="TileOrder.Pattern"/>,
/// and every image file with a number in its name for <see cref="TileOrder.RowMajor"/>.</param>
/// <param name="Order">How files map to cells.</param>
/// <param name="Across">Columns of the grid; required for <see cref="TileOrder.RowMajor"/>.</param>
public sealed record LayoutOptions(string? Pattern = null, TileOrder Order = TileOrder.Pattern, int? Across = null)
{
    public const string DefaultPattern = "{x}_{y}.jpg";
}

/// <summary>Finds the tiles of a folder and arranges them into a <see cref="TileGrid"/>.</summary>
public static partial class GridScanner
{
    /// <summary>More cells than this is taken for a mistake in the names, not a real grid.</summary>
    public const long MaxCells = 100_000_000;

    private static readonly HashSet<string> ImageExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp",
    };

    public static TileGrid Scan(string directory, LayoutOptions options)
    {
        if (!Directory.Exists(directory))
        {
            throw new LayoutException($"Input folder \"{directory}\" does not exist.");
        }

        string[] files = Directory.GetFiles(directory);
        if (files.Length == 0)
        {
            throw new LayoutException($"Input folder \"{directory}\" is empty.");
        }

        return options.Order switch
        {
            TileOrder.Pattern => ByColumnAndRow(directory, files, FilenamePattern.Parse(options.Pattern ?? LayoutOptions.DefaultPattern)),
            TileOrder.RowMajor => RowMajor(directory, files, options),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Order, "Unknown tile order."),
        };
    }

    private static TileGrid ByColumnAndRow(string directory, string[] files, FilenamePattern pattern)
    {
        if (!pattern.HasColumnAndRow)
        {
            throw new LayoutException($"The file name pattern \"{pattern}\" has no {{x}} and {{y}}; for numbered files use --order row-major --across N.");
        }

        var found = new List<(long X, long Y, string Path)>();
        foreach (string path in files)
        {
            if (pattern.TryMatch(Path.GetFileName(path), out long? x, out long? y, out _))
            {
                found.Add((x!.Value, y!.Value, path));
            }
        }

        if (found.Count == 0)
        {
            throw new LayoutException($"No file in \"{directory}\" matches the pattern \"{pattern}\" ({files.Length} files there, e.g. \"{Path.GetFileName(files.Min(StringComparer.Ordinal))}\").");
        }

        // The smallest column and row seen are the grid's origin, so 0-based and 1-based names both work.
        long minX = found.Min(f => f.X), minY = found.Min(f => f.Y);
        long columns = found.Max(f => f.X) - minX + 1, rows = found.Max(f => f.Y) - minY + 1;
        var cells = AllocateCells(columns, rows, directory);
        foreach (var (x, y, path) in found)
        {
            Place(cells, ((y - minY) * columns) + (x - minX), path);
        }

        return new TileGrid((int)columns, (int)rows, cells);
    }

    private static TileGrid RowMajor(string directory, string[] files, LayoutOptions options)
    {
        if (options.Across is not { } across || across < 1)
        {
            throw new LayoutException("--order row-major needs --across N, the number of tiles in a row (N ≥ 1).");
        }

        FilenamePattern? pattern = options.Pattern is null ? null : FilenamePattern.Parse(options.Pattern);
        if (pattern is { HasIndex: false })
        {
            throw new LayoutException($"With --order row-major the pattern needs {{i}}, the file's number (\"{pattern}\" has none).");
        }

        var found = new List<(long Index, string Path)>();
        foreach (string path in files)
        {
            string name = Path.GetFileName(path);
            long? index;
            if (pattern is not null)
            {
                if (!pattern.TryMatch(name, out _, out _, out index))
                {
                    continue;
                }
            }
            else
            {
                if (!ImageExtensions.Contains(Path.GetExtension(name)))
                {
                    continue;
                }

                MatchCollection numbers = Digits().Matches(Path.GetFileNameWithoutExtension(name));
                if (numbers.Count == 0)
                {
                    continue;
                }

                index = long.TryParse(numbers[^1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : long.MaxValue;
            }

            found.Add((index!.Value, path));
        }

        if (found.Count == 0)
        {
            string what = pattern is null ? "numbered image file" : $"file matching \"{pattern}\"";
            throw new LayoutException($"No {what} in \"{directory}\".");
        }

        // Numbers count from the smallest present, so 0- and 1-based numbering both work and a gap
        // in the numbers is a missing cell rather than a shift of every later tile.
        long first = found.Min(f => f.Index);
        long count = found.Max(f => f.Index) - first + 1;
        long rows = (count + across - 1) / across;
        var cells = AllocateCells(across, rows, directory);
        foreach (var (index, path) in found)
        {
            Place(cells, index - first, path);
        }

        return new TileGrid(across, (int)rows, cells);
    }

    private static string?[] AllocateCells(long columns, long rows, string directory)
    {
        if (columns * rows > MaxCells || columns > int.MaxValue || rows > int.MaxValue)
        {
            throw new LayoutException($"The tile names in \"{directory}\" span a {columns}×{rows} grid, more than {MaxCells:N0} cells; check the pattern and the names.");
        }

        return new string?[columns * rows];
    }

    private static void Place(string?[] cells, long cell, string path)
    {
        if (cells[cell] is { } other)
        {
            throw new LayoutException($"\"{Path.GetFileName(other)}\" and \"{Path.GetFileName(path)}\" both name the same grid cell.");
        }

        cells[cell] = path;
    }

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Digits();
}
