using System.Numerics;

namespace Tessera.Bench;

/// <summary>One pyramid level: pixel size and tile grid.</summary>
internal readonly record struct DziLevel(int Width, int Height, int Columns, int Rows)
{
    public long TileCount => (long)Columns * Rows;
}

/// <summary>
/// Deep Zoom geometry: the top level L = ceil(log2(max(W, H))) is the full image, level l is
/// ceil(W / 2^(L-l)) x ceil(H / 2^(L-l)), down to 1x1 at level 0. Tile (c, r) covers
/// [c*size - overlap, (c+1)*size + overlap) clipped to the level, likewise in y.
/// </summary>
internal sealed class DziPyramid
{
    private readonly int _tileSize;
    private readonly int _overlap;

    public DziPyramid(int width, int height, int tileSize, int overlap)
    {
        _tileSize = tileSize;
        _overlap = overlap;
        var top = TopLevel(Math.Max(width, height));
        var levels = new DziLevel[top + 1];
        for (var level = 0; level <= top; level++)
        {
            var shift = top - level;
            int levelWidth = CeilShift(width, shift), levelHeight = CeilShift(height, shift);
            levels[level] = new DziLevel(
                levelWidth, levelHeight, CeilDiv(levelWidth, tileSize), CeilDiv(levelHeight, tileSize));
        }

        Levels = levels;
        TileCount = levels.Sum(l => l.TileCount);
    }

    public IReadOnlyList<DziLevel> Levels { get; }

    public long TileCount { get; }

    /// <summary>Pixel size of the tile with index <paramref name="index"/>, counting level 0 first, rows in order.</summary>
    public (int Width, int Height) TileSize(long index)
    {
        foreach (var level in Levels)
        {
            if (index < level.TileCount)
            {
                var column = (int)(index % level.Columns);
                var row = (int)(index / level.Columns);
                return (Extent(column, level.Width), Extent(row, level.Height));
            }

            index -= level.TileCount;
        }

        throw new ArgumentOutOfRangeException(nameof(index));
    }

    private int Extent(int tile, int levelSize) =>
        Math.Min(levelSize, ((tile + 1) * _tileSize) + _overlap) - Math.Max(0, (tile * _tileSize) - _overlap);

    private static int TopLevel(int size) => size <= 1 ? 0 : 32 - BitOperations.LeadingZeroCount((uint)(size - 1));

    private static int CeilShift(int value, int shift) => (int)((value + (1L << shift) - 1) >> shift);

    private static int CeilDiv(int value, int divisor) => (value + divisor - 1) / divisor;
}
