using Tessera.Imaging;
using Tessera.Layout;

namespace Tessera.Compositing;

/// <summary>
/// Tiles of one size placed on a regular grid with a nominal overlap. Where tiles overlap, the seam
/// runs through the middle of the overlap: each pixel of the plane comes from exactly one tile, the
/// one whose cell holds it. That keeps every output pixel a copy of an input pixel, ignores the
/// vignetted rims of the tiles, and does not depend on the order tiles are drawn in.
/// </summary>
public sealed class GridMosaic
{
    private readonly int[] _columnCuts;
    private readonly int[] _rowCuts;

    public GridMosaic(TileGrid grid, int tileWidth, int tileHeight, int overlapX, int overlapY)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tileWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tileHeight, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(overlapX);
        ArgumentOutOfRangeException.ThrowIfNegative(overlapY);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(overlapX, tileWidth);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(overlapY, tileHeight);

        Grid = grid;
        TileWidth = tileWidth;
        TileHeight = tileHeight;
        StepX = tileWidth - overlapX;
        StepY = tileHeight - overlapY;
        long width = ((long)(grid.Columns - 1) * StepX) + tileWidth;
        long height = ((long)(grid.Rows - 1) * StepY) + tileHeight;
        if (width > int.MaxValue || height > int.MaxValue)
        {
            throw new LayoutException($"The mosaic would be {width}×{height} px, larger than the {int.MaxValue} px a side Tessera supports.");
        }

        Width = (int)width;
        Height = (int)height;
        _columnCuts = Cuts(grid.Columns, StepX, tileWidth, Width);
        _rowCuts = Cuts(grid.Rows, StepY, tileHeight, Height);
    }

    public TileGrid Grid { get; }
    public int TileWidth { get; }
    public int TileHeight { get; }
    public int StepX { get; }
    public int StepY { get; }
    public int Width { get; }
    public int Height { get; }

    /// <summary>Where tile (column, row) lies on the plane, uncut.</summary>
    public PixelRect TileRect(int column, int row) => new(column * StepX, row * StepY, TileWidth, TileHeight);

    /// <summary>The part of the plane whose pixels come from tile (column, row).</summary>
    public PixelRect CellRect(int column, int row) => PixelRect.FromEdges(
        _columnCuts[column], _rowCuts[row], _columnCuts[column + 1], _rowCuts[row + 1]);

    /// <summary>The columns and rows (half-open ranges) whose cells meet <paramref name="rect"/>.</summary>
    public (int FirstColumn, int EndColumn, int FirstRow, int EndRow) CellsMeeting(PixelRect rect) =>
        (CellIndex(_columnCuts, rect.X), CellIndex(_columnCuts, rect.Right - 1) + 1,
         CellIndex(_rowCuts, rect.Y), CellIndex(_rowCuts, rect.Bottom - 1) + 1);

    private static int CellIndex(int[] cuts, int position)
    {
        int i = Array.BinarySearch(cuts, position);
        int cell = i >= 0 ? i : ~i - 1;
        return Math.Clamp(cell, 0, cuts.Length - 2);
    }

    /// <summary>Cell boundaries along one axis: 0, the middle of each overlap, then the full size.</summary>
    private static int[] Cuts(int count, int step, int tileSize, int total)
    {
        var cuts = new int[count + 1];
        for (int i = 1; i < count; i++)
        {
            cuts[i] = ((i - 1) * step) + ((step + tileSize) / 2);
        }

        cuts[count] = total;
        return cuts;
    }
}
