using Tessera.Imaging;

namespace Tessera.Pyramid;

/// <summary>
/// The geometry of a Deep Zoom pyramid as libvips <c>dzsave</c> lays it out: the top level has the
/// full size, each level below halves the one above (rounding up), level 0 is 1×1. Tile (c, r) of a
/// level covers its core [c·T, (c+1)·T) widened by the overlap on every side, clipped to the level.
/// </summary>
public sealed record DziGeometry
{
    public const int MaxTileSize = 8192;

    public DziGeometry(int width, int height, int tileSize, int overlap)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tileSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tileSize, MaxTileSize);
        ArgumentOutOfRangeException.ThrowIfNegative(overlap);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(overlap, tileSize);

        Width = width;
        Height = height;
        TileSize = tileSize;
        Overlap = overlap;
        TopLevel = LevelsAbove(Math.Max(width, height));
    }

    public int Width { get; }
    public int Height { get; }
    public int TileSize { get; }
    public int Overlap { get; }

    /// <summary>The index of the full-resolution level; levels run from 0 (1×1) to this.</summary>
    public int TopLevel { get; }

    public int LevelCount => TopLevel + 1;

    /// <summary>Size of <paramref name="level"/>: the full size halved (rounding up) once per level below the top.</summary>
    public (int Width, int Height) LevelSize(int level)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, TopLevel);
        int shift = TopLevel - level;
        return (CeilShift(Width, shift), CeilShift(Height, shift));
    }

    public PixelRect LevelBounds(int level)
    {
        var (w, h) = LevelSize(level);
        return new PixelRect(0, 0, w, h);
    }

    /// <summary>Number of tile columns and rows of <paramref name="level"/>.</summary>
    public (int Columns, int Rows) TileCount(int level)
    {
        var (w, h) = LevelSize(level);
        return (CeilDiv(w, TileSize), CeilDiv(h, TileSize));
    }

    /// <summary>The core of tile (c, r): its T×T area without overlap, clipped to the level.</summary>
    public PixelRect CoreRect(int level, int column, int row) =>
        new PixelRect(column * TileSize, row * TileSize, TileSize, TileSize).Intersect(LevelBounds(level));

    /// <summary>The pixels tile (c, r) holds: its core widened by the overlap, clipped to the level.</summary>
    public PixelRect TileRect(int level, int column, int row) =>
        new PixelRect(column * TileSize, row * TileSize, TileSize, TileSize).Inflate(Overlap).Intersect(LevelBounds(level));

    /// <summary>The tiles (columns and rows, half-open) whose cores lie in <paramref name="core"/>, a rect on tile boundaries.</summary>
    public (int FirstColumn, int EndColumn, int FirstRow, int EndRow) TilesIn(PixelRect core) =>
        (core.X / TileSize, CeilDiv(core.Right, TileSize), core.Y / TileSize, CeilDiv(core.Bottom, TileSize));

    /// <summary>Tiles of the levels from <paramref name="lowestLevel"/> to the top.</summary>
    public long TotalTileCount(int lowestLevel = 0)
    {
        long total = 0;
        for (int level = lowestLevel; level <= TopLevel; level++)
        {
            var (c, r) = TileCount(level);
            total += (long)c * r;
        }

        return total;
    }

    /// <summary>How many times a size must be halved (rounding up) to reach 1.</summary>
    public static int LevelsAbove(int size)
    {
        int levels = 0;
        while (size > 1)
        {
            size = (size + 1) >> 1;
            levels++;
        }

        return levels;
    }

    public static int CeilShift(int value, int shift)
    {
        for (int i = 0; i < shift; i++)
        {
            value = (value + 1) >> 1;
        }

        return value;
    }

    public static int CeilDiv(int value, int divisor) => (value + divisor - 1) / divisor;
}
