using Tessera.Imaging;

namespace Tessera.Codecs;

/// <summary>Reduced-size JPEG decoding through libjpeg-turbo's scaled inverse DCT.</summary>
public sealed unsafe partial class TurboJpegCodec : IScaledDecoder
{
    public PixelBuffer? TryDecodeScaled(string path, PixelFormat format, int denominator, PixelMemoryPool? pool = null)
    {
        if (denominator is not (1 or 2 or 4 or 8))
        {
            throw new ArgumentOutOfRangeException(nameof(denominator), denominator, "The scale must be 1/1, 1/2, 1/4 or 1/8.");
        }

        using FileBytes file = FileBytes.Read(path);
        if (!file.IsJpeg)
        {
            return null;
        }

        var (fullWidth, fullHeight, _, _) = Header(path, file);

        // TurboJPEG picks the largest scaling factor whose output fits the size asked for; for
        // 1/denominator that is exactly ⌈size / denominator⌉ (its TJSCALED rounding).
        int width = (fullWidth + denominator - 1) / denominator;
        int height = (fullHeight + denominator - 1) / denominator;
        return Decompress(path, file, width, height, format, pool);
    }
}
