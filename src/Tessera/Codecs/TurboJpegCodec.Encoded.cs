using Tessera.Imaging;

namespace Tessera.Codecs;

/// <summary>Images in memory, through the same header read and decompression as files.</summary>
public sealed partial class TurboJpegCodec : IEncodedImageDecoder
{
    ImageHeader IEncodedImageDecoder.ReadHeader(string name, FileBytes encoded)
    {
        if (!encoded.IsJpeg)
        {
            return EncodedFallback(name).ReadHeader(name, encoded);
        }

        var (width, height, colorspace, _) = Header(name, encoded);
        return new ImageHeader(width, height, colorspace == ColorspaceGray ? PixelFormat.Gray8 : PixelFormat.Rgbx8888);
    }

    PixelBuffer IEncodedImageDecoder.Decode(string name, FileBytes encoded, PixelFormat format, PixelMemoryPool? pool)
    {
        if (!encoded.IsJpeg)
        {
            return EncodedFallback(name).Decode(name, encoded, format, pool);
        }

        var (width, height, _, _) = Header(name, encoded);
        return Decompress(name, encoded, width, height, format, pool);
    }

    private IEncodedImageDecoder EncodedFallback(string name) =>
        _fallback as IEncodedImageDecoder ?? throw new TileReadException(name, $"the {_fallback.Name} codec reads only files, not images in memory");
}
