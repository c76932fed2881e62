namespace Tessera.Layout;

/// <summary>The corner of the grid where the first (lowest-numbered) tile of a sequential order lies.</summary>
public enum StartCorner
{
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
}

/// <summary>
/// Where tile number k of a sequential acquisition lies. Rows (or columns) are filled one after the
/// other from <see cref="StartCorner"/>: row orders fill a row across, then step to the next row;
/// column orders fill a column, then step to the next column; snake orders reverse the direction on
/// every second row (column), as a serpentine stage path does. These are Fiji Grid/Collection
/// stitching's "row-by-row", "column-by-column", "snake by rows" and "snake by columns"; its
/// "Right &amp; Down", "Left &amp; Down", "Right &amp; Up" and "Left &amp; Up" are the start corners
/// top-left, top-right, bottom-left and bottom-right.
/// </summary>
public readonly record struct SequentialOrder(TileOrder Order, int Columns, int Rows, StartCorner Start)
{
    public bool IsByColumns => Order is TileOrder.ColumnMajor or TileOrder.SnakeColumns;

    public bool IsSnake => Order is TileOrder.SnakeRows or TileOrder.SnakeColumns;

    public long CellCount => (long)Columns * Rows;

    /// <summary>True for the orders that number files instead of naming their cells.</summary>
    public static bool IsSequential(TileOrder order) => order is not TileOrder.Pattern;

    /// <summary>The cell (column, row) of the tile with 0-based sequence number <paramref name="k"/> (below <see cref="CellCount"/>).</summary>
    public (int Column, int Row) CellOf(long k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(k, CellCount);
        int lineLength = IsByColumns ? Rows : Columns;
        int line = (int)(k / lineLength), along = (int)(k % lineLength);
        if (IsSnake && line % 2 == 1)
        {
            along = lineLength - 1 - along;
        }

        int column = IsByColumns ? line : along;
        int row = IsByColumns ? along : line;
        if (Start is StartCorner.TopRight or StartCorner.BottomRight)
        {
            column = Columns - 1 - column;
        }

        if (Start is StartCorner.BottomLeft or StartCorner.BottomRight)
        {
            row = Rows - 1 - row;
        }

        return (column, row);
    }
}
