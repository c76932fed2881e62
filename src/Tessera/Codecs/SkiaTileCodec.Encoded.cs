using SkiaSharp;
using Tessera.Imaging;

namespace Tessera.Codecs;

/// <summary>Images in memory, through the same Skia codec as files.</summary>
public sealed unsafe partial class SkiaTileCodec : IEncodedImageDecoder
{
    ImageHeader IEncodedImageDecoder.ReadHeader(string name, FileBytes encoded)
    {
        fixed (byte* p = encoded.Bytes)
        {
            using SKCodec codec = OpenCodec(name, p, encoded.Length);
            SKImageInfo info = codec.Info;
            return new ImageHeader(info.Width, info.Height, NativeFormat(info));
        }
    }

    PixelBuffer IEncodedImageDecoder.Decode(string name, FileBytes encoded, PixelFormat format, PixelMemoryPool? pool)
    {
        fixed (byte* p = encoded.Bytes)
        {
            using SKCodec codec = OpenCodec(name, p, encoded.Length);
            return DecodePixels(name, codec, format, pool);
        }
    }
}
