using Tessera.Pyramid;

namespace Tessera.Outputs;

/// <summary>
/// The shape of an OME pyramid: the full-resolution size, the samples of a pixel, square tiles
/// (TIFF tiles, zarr chunks) without overlap, and levels each half the one before (rounding up)
/// until one fits in a single tile. Tiles arrive as <see cref="TileBytes"/> bytes: every pixel of
/// the tile, row by row, samples interleaved, little-endian; what lies past a level's edge is padding.
/// </summary>
public sealed record RasterPyramid
{
    public RasterPyramid(int width, int height, int channels, SampleType sampleType, int tileSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tileSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tileSize, DziGeometry.MaxTileSize);
        if (channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Grey (1) or RGB (3).");
        }

        Width = width;
        Height = height;
        Channels = channels;
        SampleType = sampleType;
        TileSize = tileSize;
        int levels = 1;
        while (LevelSizeAt(levels - 1) is var (w, h) && (w > tileSize || h > tileSize))
        {
            levels++;
        }

        LevelCount = levels;
    }

    public int Width { get; }
    public int Height { get; }
    public int Channels { get; }
    public SampleType SampleType { get; }
    public int TileSize { get; }

    /// <summary>Levels, 0 the full resolution; the last is the first that fits in one tile.</summary>
    public int LevelCount { get; }

    public int PixelBytes => Channels * SampleType.Bytes();

    public int TileBytes => TileSize * TileSize * PixelBytes;

    public (int Width, int Height) LevelSize(int level)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(level, LevelCount);
        return LevelSizeAt(level);
    }

    public (int Columns, int Rows) TileCount(int level)
    {
        var (w, h) = LevelSize(level);
        return (DziGeometry.CeilDiv(w, TileSize), DziGeometry.CeilDiv(h, TileSize));
    }

    /// <summary>The OME pyramid of a Deep Zoom geometry without overlap: OME level k is Deep Zoom level top − k.</summary>
    public static RasterPyramid Of(DziGeometry geometry, int channels, SampleType sampleType) =>
        geometry.Overlap != 0
            ? throw new ArgumentException($"OME tiles have no overlap (got {geometry.Overlap}).", nameof(geometry))
            : new RasterPyramid(geometry.Width, geometry.Height, channels, sampleType, geometry.TileSize);

    private (int Width, int Height) LevelSizeAt(int level) => (DziGeometry.CeilShift(Width, level), DziGeometry.CeilShift(Height, level));
}
