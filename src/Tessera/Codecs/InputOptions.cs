using System.Globalization;
using Tessera.Imaging;

namespace Tessera.Codecs;

/// <summary>How input tiles are read, beyond what their files say.</summary>
/// <param name="Range">How 16-bit samples map to 8 bits; null takes it from the tiles themselves
/// (<see cref="AutoRange"/>: the 0.1th and 99.9th percentiles of a sample of tiles).</param>
/// <param name="Page">Which page (image file directory) of a multi-page TIFF to read, from 0.</param>
/// <param name="MaxTilePixels">The largest tile read, in pixels: a header that declares more is refused before decoding.</param>
public sealed record InputOptions(IntensityRange? Range = null, int Page = 0, long MaxTilePixels = InputOptions.DefaultMaxTilePixels)
{
    /// <summary>2^28 px (16,384 × 16,384; 1 GiB decoded): above the largest camera frames, far below a lying header's claim.</summary>
    public const long DefaultMaxTilePixels = 1L << 28;

    /// <summary>
    /// A decoded 8-bit colour tile must fit one array of 4-byte pixels. A 16-bit colour pyramid's
    /// pixels take 8 bytes, so there a tile is also refused when it would not fit at that size
    /// (checked per decode, before anything is allocated).
    /// </summary>
    public const long LargestMaxTilePixels = int.MaxValue / 4;

    public void Validate()
    {
        if (Page < 0)
        {
            throw new TesseraException($"Input.Page must be 0 or more (got {Page}); 0 is a TIFF's first page.", "Input.Page");
        }

        if (MaxTilePixels is < 1 or > LargestMaxTilePixels)
        {
            throw new TesseraException(string.Create(CultureInfo.InvariantCulture,
                $"{nameof(MaxTilePixels)} must be between 1 and {LargestMaxTilePixels:N0} (got {MaxTilePixels:N0})."));
        }
    }
}
