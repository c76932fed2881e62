using System.Globalization;
using Tessera.Codecs;
using Tessera.Imaging;

namespace Tessera.Build;

/// <summary>
/// The bits per sample of a build's pixels, chosen once from the first tile's header and the
/// layout: 16-bit input stays 16-bit in the OME layouts, which store uint16, unless a range is given
/// (which asks for 8-bit output); everything else is 8-bit, 16-bit input mapped with the range.
/// </summary>
internal static class SampleDepth
{
    /// <exception cref="RequestException">The request cannot hold 16-bit samples it would keep.</exception>
    public static PixelFormat Of(BuildRequest request, string firstTile, ImageHeader first)
    {
        bool ome = request.PyramidLayout is PyramidLayout.OmeTiff or PyramidLayout.OmeZarr;
        if (first.BitsPerSample != 16 || !ome || request.Input.Range is not null)
        {
            return first.Format;
        }

        if (request.PyramidLayout == PyramidLayout.OmeTiff && request.Compression == RasterCompression.Jpeg)
        {
            throw new RequestException(
                $"Compression jpeg holds 8-bit samples, but \"{firstTile}\" is 16-bit and PyramidLayout ome-tiff keeps its 16 bits: use Compression deflate or lzw, or map it to 8 bits with Input.Range MIN,MAX.",
                nameof(BuildRequest.Compression), nameof(BuildRequest.PyramidLayout), "Input.Range");
        }

        PixelFormat wide = first.Format.ToSixteenBit();
        if ((long)first.Width * first.Height * wide.BytesPerPixel() > int.MaxValue)
        {
            throw new RequestException(string.Create(CultureInfo.InvariantCulture,
                $"\"{firstTile}\" is {first.Width}×{first.Height} px: at 16 bits its decoded pixels would not fit one array; map it to 8 bits with Input.Range MIN,MAX."),
                "Input.Range");
        }

        return wide;
    }
}
