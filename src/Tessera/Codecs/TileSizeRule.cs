using System.Globalization;
using Tessera.Imaging;

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

    /// <summary>
    /// Refuses a size whose decoded pixels in <paramref name="format"/> would not fit one array: the
    /// pixel limit is sized for 4-byte pixels, and a 16-bit colour pyramid's take 8.
    /// </summary>
    /// <exception cref="TileReadException">The decoded tile would be too large; the message gives its size in bytes.</exception>
    public static void CheckFits(string path, long width, long height, PixelFormat format)
    {
        int bytesPerPixel = format.BytesPerPixel();
        if (width * bytesPerPixel * height > Array.MaxLength)
        {
            throw new TileReadException(path, string.Create(CultureInfo.InvariantCulture,
                $"its header gives {width}×{height} px, which at {bytesPerPixel} bytes a pixel ({format}) is {width * bytesPerPixel * height:N0} bytes decoded, more than one buffer holds ({Array.MaxLength:N0}): use smaller tiles, or 8-bit samples"));
        }
    }
}
