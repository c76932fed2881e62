using Tessera.Imaging;

namespace Tessera.Codecs;

/// <summary>
/// The codec a build reads its tiles through: every input format and depth behind the one
/// <see cref="ITileCodec"/> door. Files named .jpg/.jpeg go straight to the wrapped codec
/// (libjpeg-turbo or SkiaSharp) with no extra work, as do plain 8-bit PNGs; TIFF, WebP and 16-bit or
/// transparent PNG are read through libvips, their 16-bit samples mapped to 8 bits with
/// <see cref="Range"/> and their alpha flattened over the background (see <see cref="SampleConverter"/>).
/// Encoding is the wrapped codec's.
/// </summary>
public sealed class TileInputCodec : ITileCodec, IScaledDecoder, IRegionDecoder
{
    private readonly Lazy<IntensityRange?> _range;
    private readonly Lazy<byte[]?> _table;

    /// <param name="inner">Decodes JPEG and 8-bit PNG, and encodes the pyramid's tiles.</param>
    /// <param name="options">The range for 16-bit input (null: from the tiles, see <paramref name="grid"/>) and the TIFF page.</param>
    /// <param name="background">What transparent pixels are flattened over.</param>
    /// <param name="files">The tiles an automatic range samples (in row-major cell order for a grid); without them 16-bit input needs <see cref="InputOptions.Range"/>.</param>
    public TileInputCodec(ITileCodec inner, InputOptions? options = null, Rgb background = default, IReadOnlyList<string>? files = null)
    {
        Inner = inner is TileInputCodec wrapped ? wrapped.Inner : inner;
        Options = options ?? new InputOptions();
        Options.Validate();
        Background = background;
        _range = new Lazy<IntensityRange?>(() => Options.Range ?? (files is null ? null : AutoRange.Estimate(files, this)?.Range));
        _table = new Lazy<byte[]?>(() => _range.Value?.Table());
    }

    public ITileCodec Inner { get; }
    public InputOptions Options { get; }
    public Rgb Background { get; }

    public string Name => Inner.Name;

    /// <summary>
    /// How 16-bit samples map to 8 bits: the range given, or, without one, the automatic range of a
    /// sample of the tiles when one of them is 16-bit (worked out on first use, once);
    /// null for 8-bit input.
    /// </summary>
    public IntensityRange? Range => _range.Value;

    /// <summary>One line for job manifests: everything here that changes pixels.</summary>
    public string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"page={Options.Page} range={Range?.ToString() ?? "none"}");

    public ImageHeader ReadHeader(string path)
    {
        if (InputKinds.HasJpegName(path) || !InputKinds.NeedsVips(path))
        {
            return Inner.ReadHeader(path);
        }

        VipsTileReader.Layout layout = VipsTileReader.ReadLayout(path, Options.Page);
        return new ImageHeader(layout.Width, layout.Height, layout.Format, layout.Bits);
    }

    public PixelBuffer Decode(string path, PixelFormat format, PixelMemoryPool? pool = null)
    {
        if (InputKinds.HasJpegName(path) || !InputKinds.NeedsVips(path))
        {
            return Inner.Decode(path, format, pool);
        }

        return VipsTileReader.Read(path, Options.Page, (layout, samples) =>
        {
            byte[]? table = layout.Bits == 16 ? _table.Value ?? throw NoRange(path) : null;
            var buffer = new PixelBuffer(new PixelRect(0, 0, layout.Width, layout.Height), format, pool);
            try
            {
                SampleConverter.Convert(layout, samples, table, Background, buffer);
                return buffer;
            }
            catch
            {
                buffer.Dispose();
                throw;
            }
        });
    }

    public IEncodedImage Encode(PixelBuffer source, PixelRect region, EncodeSettings settings) => Inner.Encode(source, region, settings);

    /// <summary>JPEG files at reduced scale straight from the wrapped decoder where it can; null otherwise (decode in full and shrink).</summary>
    public PixelBuffer? TryDecodeScaled(string path, PixelFormat format, int denominator, PixelMemoryPool? pool = null) =>
        InputKinds.HasJpegName(path) && Inner is IScaledDecoder scaled ? scaled.TryDecodeScaled(path, format, denominator, pool) : null;

    /// <summary>Parts of JPEG files straight from the wrapped decoder where it can; false otherwise (decode whole).</summary>
    public bool TryDecodeRegion(string path, int width, int height, PixelRect region, PixelBuffer target, int atX, int atY) =>
        InputKinds.HasJpegName(path) && Inner is IRegionDecoder regions && regions.TryDecodeRegion(path, width, height, region, target, atX, atY);

    public IRegionStream? TryOpenRegionStream(string path, int width, int height, PixelRect region, PixelFormat format) =>
        InputKinds.HasJpegName(path) && Inner is IRegionDecoder regions ? regions.TryOpenRegionStream(path, width, height, region, format) : null;

    private static TileReadException NoRange(string path) =>
        new(path, "it has 16-bit samples but none of the tiles sampled for the automatic range had, so there is no range: give --range MIN,MAX");
}
