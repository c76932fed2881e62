using NetVips;

namespace Tessera.Bench;

/// <summary>
/// The stitched mosaic as a lazy libvips pipeline. Arrayjoin gives every cell the size of the
/// largest input, so the cropped tiles are joined as four blocks of equally sized cells
/// (interior, last column, last row, corner) which are then joined edge to edge.
/// </summary>
internal sealed class VipsMosaic : IDisposable
{
    private readonly InputGrid _grid;
    private readonly int _overlapX;
    private readonly int _overlapY;
    private readonly List<Image> _parts = [];

    public VipsMosaic(InputGrid grid, int overlapX, int overlapY)
    {
        _grid = grid;
        _overlapX = overlapX;
        _overlapY = overlapY;
        int lastColumn = grid.Across - 1, lastRow = grid.Down - 1;
        var top = JoinBlocks(Block(0, lastColumn, 0, lastRow), Block(lastColumn, grid.Across, 0, lastRow), Enums.Direction.Horizontal);
        var bottom = JoinBlocks(Block(0, lastColumn, lastRow, grid.Down), Block(lastColumn, grid.Across, lastRow, grid.Down), Enums.Direction.Horizontal);
        Image = JoinBlocks(top, bottom, Enums.Direction.Vertical)!;
    }

    public Image Image { get; }

    public void Dispose() => _parts.ForEach(part => part.Dispose());

    /// <summary>Tiles in columns [x0, x1) and rows [y0, y1), cropped and arrayjoined; null when empty.</summary>
    private Image? Block(int x0, int x1, int y0, int y1)
    {
        if (x0 == x1 || y0 == y1)
        {
            return null;
        }

        var cells = new Image[(x1 - x0) * (y1 - y0)];
        for (var y = y0; y < y1; y++)
        {
            for (var x = x0; x < x1; x++)
            {
                using var tile = Image.NewFromFile(_grid.PathOf(x, y), access: Enums.Access.Sequential);
                var keepWidth = x == _grid.Across - 1 ? tile.Width : tile.Width - _overlapX;
                var keepHeight = y == _grid.Down - 1 ? tile.Height : tile.Height - _overlapY;
                cells[((y - y0) * (x1 - x0)) + (x - x0)] = Keep(tile.Crop(0, 0, keepWidth, keepHeight));
            }
        }

        return Keep(Image.Arrayjoin(cells, across: x1 - x0));
    }

    private Image? JoinBlocks(Image? first, Image? second, Enums.Direction direction) =>
        first is null ? second
        : second is null ? first
        : Keep(first.Join(second, direction));

    private Image Keep(Image image)
    {
        _parts.Add(image);
        return image;
    }
}
