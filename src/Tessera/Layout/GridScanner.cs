using System.Globalization;

namespace Tessera.Layout;

/// <summary>How input files are assigned to grid cells.</summary>
public enum TileOrder
{
    /// <summary>Column and row come from the file name, through <c>{x}</c> and <c>{y}</c> in the pattern.</summary>
    Pattern,

    /// <summary>Files are numbered; rows are filled one after the other, each in the same direction.</summary>
    RowMajor,

    /// <summary>Files are numbered; columns are filled one after the other, each in the same direction.</summary>
    ColumnMajor,

    /// <summary>Files are numbered; rows are filled one after the other, every second one in the opposite direction (serpentine).</summary>
    SnakeRows,

    /// <summary>Files are numbered; columns are filled one after the other, every second one in the opposite direction (serpentine).</summary>
    SnakeColumns,
}

/// <summary>What to look for in the input folder.</summary>
/// <param name="Pattern">File name template; null takes <see cref="DefaultPattern"/> for <see cref="TileOrder.Pattern"/>,
/// and every image file with a number in its name (its last run of digits) for the sequential orders.</param>
/// <param name="Order">How files map to cells.</param>
/// <param name="Across">Columns of the grid, for the sequential orders (they need this or <paramref name="Down"/>).</param>
/// <param name="Down">Rows of the grid, for the sequential orders; with only one of the two, the other follows
/// from the span of the file numbers.</param>
/// <param name="Start">Corner of the first tile, for the sequential orders.</param>
public sealed record LayoutOptions(string? Pattern = null, TileOrder Order = TileOrder.Pattern, int? Across = null,
    int? Down = null, StartCorner Start = StartCorner.TopLeft)
{
    public const string DefaultPattern = "{x}_{y}.jpg";

    /// <summary>Everything that decides which file lands in which cell, as one line (job manifests compare it).</summary>
    public string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{Order} {Pattern ?? "(default)"} across={Across?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}") +
        (SequentialOrder.IsSequential(Order)
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" down={Down?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} start={Start}")
            : string.Empty);
}

/// <summary>Finds the tiles of a folder and arranges them into a <see cref="TileGrid"/>.</summary>
public static class GridScanner
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

        // Folders too, so that one named like a tile is refused rather than taken for a missing cell.
        string[] files = Directory.GetFileSystemEntries(directory);
        if (files.Length == 0)
        {
            throw new LayoutException($"Input folder \"{directory}\" is empty.");
        }

        return options.Order switch
        {
            TileOrder.Pattern => ByColumnAndRow(directory, files, FilenamePattern.Parse(options.Pattern ?? LayoutOptions.DefaultPattern)),
            TileOrder.RowMajor or TileOrder.ColumnMajor or TileOrder.SnakeRows or TileOrder.SnakeColumns => Sequential(directory, files, options),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Order, "Unknown tile order."),
        };
    }

    private static TileGrid ByColumnAndRow(string directory, string[] files, FilenamePattern pattern)
    {
        if (!pattern.HasColumnAndRow)
        {
            throw new LayoutException($"The file name pattern \"{pattern}\" has no {{x}} and {{y}}; for numbered files use a sequential Layout.Order (row-major, column-major, snake-rows, snake-columns) with Layout.Across N or Layout.Down N.",
                "Layout.Order", "Layout.Across", "Layout.Down");
        }

        var found = new List<(long X, long Y, string Path)>();
        var leftOut = new List<string>();
        foreach (string path in files)
        {
            if (pattern.TryMatch(Path.GetFileName(path.AsSpan()), out long? x, out long? y, out _))
            {
                found.Add((x!.Value, y!.Value, path));
            }
            else if (IsImage(path))
            {
                leftOut.Add(path);
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

        return new TileGrid((int)columns, (int)rows, cells, Sorted(leftOut));
    }

    private static TileGrid Sequential(string directory, string[] files, LayoutOptions options)
    {
        string order = OrderName(options.Order);
        if (options.Across is null && options.Down is null)
        {
            throw new LayoutException($"Layout.Order {order} needs Layout.Across N (tiles in a row) or Layout.Down N (tiles in a column), or both.",
                "Layout.Order", "Layout.Across", "Layout.Down");
        }

        if (options.Across is < 1 || options.Down is < 1)
        {
            throw new LayoutException($"Layout.Across and Layout.Down must be at least 1 (got {options.Across?.ToString(CultureInfo.InvariantCulture) ?? "-"} and {options.Down?.ToString(CultureInfo.InvariantCulture) ?? "-"}).",
                "Layout.Across", "Layout.Down");
        }

        FilenamePattern? pattern = options.Pattern is null ? null : FilenamePattern.Parse(options.Pattern);
        if (pattern is { HasIndex: false })
        {
            throw new LayoutException($"With Layout.Order {order} the pattern needs {{i}}, the file's number (\"{pattern}\" has none).", "Layout.Order");
        }

        var found = new List<(long Index, string Path)>();
        var leftOut = new List<string>();
        foreach (string path in files)
        {
            ReadOnlySpan<char> name = Path.GetFileName(path.AsSpan());
            long? index;
            if (pattern is not null)
            {
                if (!pattern.TryMatch(name, out _, out _, out index))
                {
                    if (IsImage(path))
                    {
                        leftOut.Add(path);
                    }

                    continue;
                }
            }
            else
            {
                if (!IsImage(path))
                {
                    continue;
                }

                ReadOnlySpan<char> number = LastNumber(Path.GetFileNameWithoutExtension(name));
                if (number.IsEmpty)
                {
                    leftOut.Add(path);
                    continue;
                }

                index = long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : long.MaxValue;
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
        // The grid's other side, where not given, is what the numbers need.
        long first = found.Min(f => f.Index);
        long count = found.Max(f => f.Index) - first + 1;
        long columns = options.Across ?? (count + options.Down!.Value - 1) / options.Down!.Value;
        long rows = options.Down ?? (count + columns - 1) / columns;
        var cells = AllocateCells(columns, rows, directory);
        if (count > columns * rows)
        {
            var (last, lastPath) = found.MaxBy(f => f.Index);
            throw new LayoutException(string.Create(CultureInfo.InvariantCulture,
                $"\"{Path.GetFileName(lastPath)}\" is tile number {last - first + 1} (counting from \"{Path.GetFileName(found.MinBy(f => f.Index).Path)}\"), more than the {columns}×{rows} grid of Layout.Across {columns} Layout.Down {rows} holds."),
                "Layout.Across", "Layout.Down");
        }

        var sequence = new SequentialOrder(options.Order, (int)columns, (int)rows, options.Start);
        foreach (var (index, path) in found)
        {
            var (column, row) = sequence.CellOf(index - first);
            Place(cells, ((long)row * columns) + column, path);
        }

        return new TileGrid((int)columns, (int)rows, cells, Sorted(leftOut));
    }

    /// <summary>Whether the file's extension is one of an image format Tessera reads, in any case (a camera may write .JPG).</summary>
    private static bool IsImage(string path) => ImageExtensions.Contains(Path.GetExtension(path));

    private static List<string> Sorted(List<string> paths)
    {
        paths.Sort(StringComparer.Ordinal);
        return paths;
    }

    /// <summary>The order as <c>--order</c> names it.</summary>
    public static string OrderName(TileOrder order) => order switch
    {
        TileOrder.Pattern => "pattern",
        TileOrder.RowMajor => "row-major",
        TileOrder.ColumnMajor => "column-major",
        TileOrder.SnakeRows => "snake-rows",
        TileOrder.SnakeColumns => "snake-columns",
        _ => throw new ArgumentOutOfRangeException(nameof(order), order, null),
    };

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
        // A pipe named like a tile would block its read for ever; a folder or device is no image either.
        if (InputFile.Problem(path) is { } problem)
        {
            throw new Codecs.TileReadException(path, problem);
        }

        if (cells[cell] is { } other)
        {
            throw new LayoutException($"\"{Path.GetFileName(other)}\" and \"{Path.GetFileName(path)}\" both name the same grid cell.");
        }

        cells[cell] = path;
    }

    /// <summary>The last run of digits in <paramref name="name"/>, empty where it has none.</summary>
    private static ReadOnlySpan<char> LastNumber(ReadOnlySpan<char> name)
    {
        int end = name.Length;
        while (end > 0 && !char.IsAsciiDigit(name[end - 1]))
        {
            end--;
        }

        int start = end;
        while (start > 0 && char.IsAsciiDigit(name[start - 1]))
        {
            start--;
        }

        return name[start..end];
    }
}
