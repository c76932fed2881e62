using Tessera.Imaging;

namespace Tessera.Codecs;

/// <summary>Images in memory, through the same checks and Skia codec as files.</summary>
public sealed partial class SkiaTileCodec : IEncodedImageDecoder
{
    ImageHeader IEncodedImageDecoder.ReadHeader(string name, FileBytes encoded) => ReadHeader(name, encoded);

    PixelBuffer IEncodedImageDecoder.Decode(string name, FileBytes encoded, PixelFormat format, PixelMemoryPool? pool) =>
        Decode(name, encoded, format, pool);
}
