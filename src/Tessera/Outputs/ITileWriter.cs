using Tessera.Imaging;

namespace Tessera.Outputs;

/// <summary>
/// Where the pyramid builder hands each finished tile, as pixels: the output decides how a tile is
/// encoded (JPEG, PNG or WebP files, TIFF tiles, zarr chunks). Implementations are thread-safe.
/// </summary>
public interface ITileWriter
{
    /// <summary>Writes tile (<paramref name="column"/>, <paramref name="row"/>) of <paramref name="level"/>: the pixels of <paramref name="tile"/> in <paramref name="source"/>.</summary>
    /// <param name="source">Holds the tile; valid only during the call.</param>
    /// <param name="tile">The tile's pixels, in the level's coordinates (its core and overlap, clipped to the level).</param>
    void Write(int level, int column, int row, PixelBuffer source, PixelRect tile);
}
