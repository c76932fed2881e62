using Tessera.Imaging;

namespace Tessera.Codecs;

/// <summary>How input tiles are read, beyond what their files say.</summary>
/// <param name="Range">How 16-bit samples map to 8 bits; null takes it from the tiles themselves
/// (<see cref="AutoRange"/>: the 0.1th and 99.9th percentiles of a sample of tiles).</param>
/// <param name="Page">Which page (image file directory) of a multi-page TIFF to read, from 0.</param>
public sealed record InputOptions(IntensityRange? Range = null, int Page = 0)
{
    public void Validate()
    {
        if (Page < 0)
        {
            throw new TesseraException($"--page must be 0 or more (got {Page}); 0 is a TIFF's first page.");
        }
    }
}
