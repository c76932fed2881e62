using SkiaSharp;
using Tessera.Imaging;

namespace Tessera.Codecs;

/// <summary>
/// Reads and writes tiles through SkiaSharp: JPEG, PNG and WebP from one NuGet package with its
/// native library inside, so it works everywhere .NET does. Its JPEG path is a portable (non-SIMD)
/// build of libjpeg-turbo; <see cref="TurboJpegCodec"/> is faster where the system library exists.
/// Skia reports a JPEG that ends early, but not damaged data in its middle (libjpeg's warnings go
/// no further than Skia), so each JPEG's entropy data is first checked as the other paths check it:
/// through Tessera's native libjpeg layer where it loads (<see cref="JpegRegionDecoder.Check"/>),
/// else by <see cref="JpegEntropyCheck"/>, which reads sequential JPEGs only. CMYK JPEGs are
/// refused, as by every codec.
/// </summary>
public sealed unsafe partial class SkiaTileCodec : ITileCodec, IDisposable
{
    private readonly JpegRegionDecoder? _native;

    /// <summary>A codec whose JPEG data checks are Tessera's own (sequential JPEGs only; see <see cref="WithNativeChecks"/>).</summary>
    public SkiaTileCodec()
    {
    }

    private SkiaTileCodec(JpegRegionDecoder? native) => _native = native;

    public string Name => "skia";

    /// <summary>What damage in JPEG data is not found, and why; null where libjpeg itself judges every JPEG.</summary>
    public string? CheckLimit { get; private init; } = "progressive JPEGs are not checked for damaged data";

    /// <summary>The codec with JPEG data checked by libjpeg itself, through Tessera's native layer, where that loads.</summary>
    public static SkiaTileCodec WithNativeChecks()
    {
        JpegRegionDecoder? native = JpegRegionDecoder.TryLoad(out string? problem);
        return native is not null
            ? new SkiaTileCodec(native) { CheckLimit = null }
            : new SkiaTileCodec() { CheckLimit = $"progressive JPEGs are not checked for damaged data ({problem})" };
    }

    public ImageHeader ReadHeader(string path)
    {
        using FileBytes file = FileBytes.Read(path);
        return ReadHeader(path, file);
    }

    public PixelBuffer Decode(string path, PixelFormat format, PixelMemoryPool? pool = null)
    {
        using FileBytes file = FileBytes.Read(path);
        return Decode(path, file, format, pool);
    }

    // Files and images in memory (zip entries) take the same checks and decode.
    private ImageHeader ReadHeader(string name, FileBytes file)
    {
        RefuseCmyk(name, file);
        fixed (byte* p = file.Bytes)
        {
            using SKCodec codec = OpenCodec(name, p, file.Length);
            SKImageInfo info = codec.Info;
            return new ImageHeader(info.Width, info.Height, NativeFormat(info));
        }
    }

    private PixelBuffer Decode(string name, FileBytes file, PixelFormat format, PixelMemoryPool? pool)
    {
        RefuseCmyk(name, file);
        if (file.IsJpeg)
        {
            CheckJpeg(name, file.Bytes.AsSpan(0, file.Length));
        }

        fixed (byte* p = file.Bytes)
        {
            using SKCodec codec = OpenCodec(name, p, file.Length);
            return DecodePixels(name, codec, format, pool);
        }
    }

    public IEncodedImage Encode(PixelBuffer source, PixelRect region, EncodeSettings settings)
    {
        if (!source.Bounds.Contains(region) || region.IsEmpty)
        {
            throw new ArgumentOutOfRangeException(nameof(region), $"{region} is not inside the buffer's {source.Bounds}.");
        }

        var info = new SKImageInfo(region.Width, region.Height, ColorType(source.Format), SKAlphaType.Opaque);
        fixed (byte* p = source.Data)
        {
            using var pixmap = new SKPixmap(info, (nint)(p + source.OffsetOf(region.X, region.Y)), source.Stride);
            SKData? data = settings.Format switch
            {
                TileFormat.Jpeg => pixmap.Encode(new SKJpegEncoderOptions(
                    settings.Quality, SKJpegEncoderDownsample.Downsample420, SKJpegEncoderAlphaOption.Ignore)),
                TileFormat.Png => pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, 6)),
                TileFormat.Webp => pixmap.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossy, settings.Quality)),
                _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Format, null),
            };
            return new SkiaEncodedImage(data ?? throw new InvalidOperationException($"Skia could not encode a {region.Width}×{region.Height} {settings.Format} tile."));
        }
    }

    public void Dispose() => _native?.Dispose();

    private void CheckJpeg(string path, ReadOnlySpan<byte> jpeg)
    {
        if (_native is not null)
        {
            _native.Check(path, jpeg);
        }
        else if (JpegEntropyCheck.FindDamage(jpeg) is { } damage)
        {
            throw JpegProblems.Damaged(path, damage);
        }
    }

    private static void RefuseCmyk(string path, FileBytes file)
    {
        if (file.IsJpeg && JpegProblems.IsCmyk(file.Bytes.AsSpan(0, file.Length)))
        {
            throw JpegProblems.Cmyk(path);
        }
    }

    private static SKCodec OpenCodec(string path, byte* bytes, int length)
    {
        // The SKData borrows the pinned bytes; the codec is disposed before they are unpinned.
        using SKData data = SKData.Create((nint)bytes, length);
        return SKCodec.Create(data) ?? throw new TileReadException(path, "not a JPEG or PNG image, or its header is corrupt");
    }

    private static PixelBuffer DecodePixels(string path, SKCodec codec, PixelFormat format, PixelMemoryPool? pool)
    {
        SKImageInfo source = codec.Info;
        PixelFormat native = NativeFormat(source);

        // Colour decoded into grey goes through RGBX, since Skia will not drop colour itself.
        PixelFormat decodeAs = format == PixelFormat.Gray8 && native != PixelFormat.Gray8 ? PixelFormat.Rgbx8888 : format;
        var buffer = new PixelBuffer(new PixelRect(0, 0, source.Width, source.Height), decodeAs, pool);
        try
        {
            var target = new SKImageInfo(source.Width, source.Height, ColorType(decodeAs),
                source.AlphaType == SKAlphaType.Opaque || decodeAs == PixelFormat.Gray8 ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
            SKCodecResult result;
            fixed (byte* p = buffer.Data)
            {
                result = codec.GetPixels(target, (nint)p, buffer.Stride, new SKCodecOptions());
            }

            if (result != SKCodecResult.Success)
            {
                throw new TileReadException(path, result == SKCodecResult.IncompleteInput
                    ? "the file is truncated"
                    : $"the image data is corrupt ({result})");
            }

            if (decodeAs == PixelFormat.Rgbx8888 && target.AlphaType != SKAlphaType.Opaque)
            {
                PixelConversions.MakeOpaque(buffer);
            }

            if (decodeAs != format)
            {
                PixelBuffer grey = PixelConversions.ToGray(buffer, pool);
                buffer.Dispose();
                return grey;
            }

            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    private static PixelFormat NativeFormat(SKImageInfo info) =>
        info.ColorType == SKColorType.Gray8 ? PixelFormat.Gray8 : PixelFormat.Rgbx8888;

    private static SKColorType ColorType(PixelFormat format) => format switch
    {
        PixelFormat.Gray8 => SKColorType.Gray8,
        PixelFormat.Rgbx8888 => SKColorType.Rgba8888,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    private sealed class SkiaEncodedImage(SKData data) : IEncodedImage
    {
        public ReadOnlySpan<byte> Bytes => data.AsSpan();

        public void Dispose() => data.Dispose();
    }
}
