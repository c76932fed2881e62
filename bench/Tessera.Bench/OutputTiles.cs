using Tessera.Imaging;
using Tessera.Pyramid;

namespace Tessera.Bench;

/// <summary>Every tile of a DZI pyramid numbered from 0: level 0 first, then row by row within a level.</summary>
internal sealed class OutputTiles(DziGeometry geometry)
{
    public long Count { get; } = geometry.TotalTileCount();

    public (int Level, int Column, int Row, PixelRect Rect) this[long index]
    {
        get
        {
            for (int level = 0; level <= geometry.TopLevel; level++)
            {
                var (columns, rows) = geometry.TileCount(level);
                long count = (long)columns * rows;
                if (index < count)
                {
                    int column = (int)(index % columns), row = (int)(index / columns);
                    return (level, column, row, geometry.TileRect(level, column, row));
                }

                index -= count;
            }

            throw new ArgumentOutOfRangeException(nameof(index));
        }
    }
}
