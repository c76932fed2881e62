namespace Tessera.Layout;

/// <summary>Which file sits in which cell of a rectangular grid; a cell may be empty (a missing tile).</summary>
public sealed class TileGrid
{
    private readonly string?[] _cells;

    /// <param name="leftOut">Image files of the folder the layout did not place (their names do not fit it).</param>
    public TileGrid(int columns, int rows, string?[] cells, IReadOnlyList<string>? leftOut = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        if (cells.Length != (long)columns * rows)
        {
            throw new ArgumentException($"Expected {columns}×{rows} cells, got {cells.Length}.", nameof(cells));
        }

        Columns = columns;
        Rows = rows;
        _cells = cells;
        LeftOut = leftOut ?? [];
        PresentCount = cells.Count(c => c is not null);
        if (PresentCount == 0)
        {
            throw new LayoutException("The grid has no tiles.");
        }
    }

    public int Columns { get; }
    public int Rows { get; }
    public int PresentCount { get; }
    public int MissingCount => _cells.Length - PresentCount;

    /// <summary>Image files in the folder that the layout left out, sorted by name: worth a warning, as a name that missed the pattern is a tile lost.</summary>
    public IReadOnlyList<string> LeftOut { get; }

    /// <summary>The file of cell (column, row), or null where the tile is missing.</summary>
    public string? this[int column, int row] => _cells[(row * Columns) + column];

    /// <summary>The first tile in row-major order: the one whose properties stand for all.</summary>
    public string FirstTile => _cells.First(c => c is not null)!;

    /// <summary>The files of the present cells, row by row.</summary>
    public IReadOnlyList<string> Files() => _cells.Where(c => c is not null).ToList()!;

    public IEnumerable<(int Column, int Row)> MissingCells()
    {
        for (int row = 0; row < Rows; row++)
        {
            for (int column = 0; column < Columns; column++)
            {
                if (this[column, row] is null)
                {
                    yield return (column, row);
                }
            }
        }
    }
}
