namespace Tessera.Layout;

/// <summary>Which file sits in which cell of a rectangular grid; a cell may be empty (a missing tile).</summary>
public sealed class TileGrid
{
    private readonly TileNames _cells;

    // The cells of the present tiles in row-major order; null where no cell is empty (tile i is cell i).
    private readonly int[]? _present;

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
        LeftOut = leftOut ?? [];
        PresentCount = cells.Count(c => c is not null);
        if (PresentCount == 0)
        {
            throw new LayoutException("The grid has no tiles.");
        }

        _cells = new TileNames(cells);
        if (PresentCount < cells.Length)
        {
            _present = new int[PresentCount];
            for (int c = 0, i = 0; c < cells.Length; c++)
            {
                if (cells[c] is not null)
                {
                    _present[i++] = c;
                }
            }
        }
    }

    public int Columns { get; }
    public int Rows { get; }
    public int PresentCount { get; }
    public int MissingCount => (Columns * Rows) - PresentCount;

    /// <summary>Image files in the folder that the layout left out, sorted by name: worth a warning, as a name that missed the pattern is a tile lost.</summary>
    public IReadOnlyList<string> LeftOut { get; }

    /// <summary>The file of cell (column, row), or null where the tile is missing.</summary>
    public string? this[int column, int row] => _cells[(row * Columns) + column];

    /// <summary>The file name of the tile at a cell, read into <paramref name="buffer"/> (where it fits) without making a string.</summary>
    internal ReadOnlySpan<char> FileName(int column, int row, Span<char> buffer) => _cells.FileName((row * Columns) + column, buffer);

    /// <summary>The first tile in row-major order: the one whose properties stand for all.</summary>
    public string FirstTile => PathOf(0);

    /// <summary>The files of the present cells, row by row: a view of the grid, each path made when it is read.</summary>
    public IReadOnlyList<string> Files() => new PresentFiles(this);

    /// <summary>The file of the <paramref name="tile"/>-th present cell in row-major order.</summary>
    public string PathOf(int tile) => _cells[CellOf(tile)]!;

    /// <summary>The cell (row × columns + column) of the <paramref name="tile"/>-th present cell in row-major order.</summary>
    public int CellOf(int tile)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tile);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(tile, PresentCount);
        return _present is null ? tile : _present[tile];
    }

    public IEnumerable<(int Column, int Row)> MissingCells()
    {
        for (int row = 0; row < Rows; row++)
        {
            for (int column = 0; column < Columns; column++)
            {
                if (!_cells.IsPresent((row * Columns) + column))
                {
                    yield return (column, row);
                }
            }
        }
    }

    private sealed class PresentFiles(TileGrid grid) : IReadOnlyList<string>
    {
        public int Count => grid.PresentCount;

        public string this[int index] => grid.PathOf(index);

        public IEnumerator<string> GetEnumerator()
        {
            for (int i = 0; i < grid.PresentCount; i++)
            {
                yield return grid.PathOf(i);
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
