using System.Globalization;

namespace Tessera.Codecs;

/// <summary>
/// What size an input tile may be: at most <see cref="MaxPixels"/>, and on a grid exactly the size
/// of its first tile. Checked on the size a file's header declares, before its pixels are decoded,
/// so that a wrong or lying header costs no memory.
/// </summary>
/// <param name="FirstTile">The grid's first tile, whose size every tile must have; null where tiles may differ (explicit positions).</param>
internal readonly record struct TileSizeRule(long MaxPixels, int Width = 0, int Height = 0, string? FirstTile = null)
{
    /// <exception cref="TileReadException">The size breaks the rule; the message gives it and the size expected.</exception>
    public void Check(string path, long width, long height)
    {
        if (width < 1 || height < 1)
        {
            throw new TileReadException(path, "its header gives no image size");
        }

        if (FirstTile is not null && (width != Width || height != Height))
        {
            throw new TileReadException(path, string.Create(CultureInfo.InvariantCulture,
                $"it is {width}×{height} px but the tiles of this grid are {Width}×{Height} px (as \"{Path.GetFileName(FirstTile)}\" is); tiles of different sizes need explicit positions"));
        }

        // Each side is checked first, so that the product cannot overflow.
        if (width > MaxPixels || height > MaxPixels || width * height > MaxPixels)
        {
            throw new TileReadException(path, string.Create(CultureInfo.InvariantCulture,
                $"its header gives {width}×{height} px, more than the {MaxPixels:N0} px Tessera reads in one tile"));
        }
    }
}
