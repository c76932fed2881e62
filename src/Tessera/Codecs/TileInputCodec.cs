using Tessera.Imaging;

namespace Tessera.Codecs;

/// <summary>
/// The codec a build reads its tiles through: every input format and depth behind the one
/// <see cref="ITileCodec"/> door. Files named .jpg/.jpeg go straight to the wrapped codec
/// (libjpeg-turbo or SkiaSharp) with no extra work, as do plain 8-bit PNGs; TIFF, WebP and 16-bit or
/// transparent PNG are read through libvips, their alpha flattened over the background (see
/// <see cref="SampleConverter"/>). Decoded into an 8-bit format, 16-bit samples are mapped with
/// <see cref="Range"/>; into a 16-bit format they are kept, and 8-bit files widened (v·257).
/// Encoding is the wrapped codec's.
/// </summary>
public sealed class TileInputCodec : ITileCodec, IScaledDecoder, IRegionDecoder
{
    private readonly Lazy<IntensityRange?> _range;
    private readonly Lazy<byte[]?> _table;
    private readonly IReadOnlyList<string>? _files;
    private readonly TileSizeRule _sizes;
    private readonly TileSizeRule _limit;

    /// <param name="inner">Decodes JPEG and 8-bit PNG, and encodes the pyramid's tiles.</param>
    /// <param name="options">The range for 16-bit input (null: from the tiles, see <paramref name="files"/>), the TIFF page and the largest tile.</param>
    /// <param name="background">What transparent pixels are flattened over.</param>
    /// <param name="files">The tiles an automatic range samples (in row-major cell order for a grid); without them 16-bit input needs <see cref="InputOptions.Range"/>.</param>
    public TileInputCodec(ITileCodec inner, InputOptions? options = null, Rgb background = default, IReadOnlyList<string>? files = null)
        : this(inner, options ?? new InputOptions(), background, files, firstTile: null, tileSize: default)
    {
    }

    private TileInputCodec(ITileCodec inner, InputOptions options, Rgb background, IReadOnlyList<string>? files, string? firstTile, (int Width, int Height) tileSize)
    {
        Inner = inner is TileInputCodec wrapped ? wrapped.Inner : inner;
        Options = options;
        Options.Validate();
        Background = background;
        _files = files;
        _sizes = new TileSizeRule(Options.MaxTilePixels, tileSize.Width, tileSize.Height, firstTile);
        _limit = new TileSizeRule(Options.MaxTilePixels);
        _range = new Lazy<IntensityRange?>(() => Options.Range ?? (files is null ? null : AutoRange.Estimate(files, this)?.Range));
        _table = new Lazy<byte[]?>(() => _range.Value?.Table());
    }

    /// <summary>
    /// The same reading for the tiles of a grid, which must all be as large as its first tile
    /// (<paramref name="firstTile"/>, <paramref name="header"/>): a file whose header gives another
    /// size is refused before any of its pixels are decoded.
    /// </summary>
    public TileInputCodec ForGrid(string firstTile, ImageHeader header) =>
        new(Inner, Options, Background, _files, firstTile, (header.Width, header.Height));

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

    /// <summary>The line of <see cref="Describe"/> for a 16-bit pyramid, whose samples are kept or widened, never mapped by the range.</summary>
    public string DescribeKept() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"page={Options.Page} samples=16-bit kept");

    /// <summary>The file's header, refused where it declares more than <see cref="InputOptions.MaxTilePixels"/> (or a JPEG too large for its file).</summary>
    public ImageHeader ReadHeader(string path)
    {
        if (InputKinds.HasJpegName(path) || !InputKinds.NeedsVips(path))
        {
            if (HeaderSize.Read(path) is { } declared)
            {
                _limit.Check(path, declared.Width, declared.Height);
                declared.CheckFileHoldsIt(path);
            }

            ImageHeader header = Inner.ReadHeader(path);
            _limit.Check(path, header.Width, header.Height);
            return header;
        }

        VipsTileReader.Layout layout = VipsTileReader.ReadLayout(path, Options.Page);
        _limit.Check(path, layout.Width, layout.Height);
        return new ImageHeader(layout.Width, layout.Height, layout.Format, layout.Bits);
    }

    public PixelBuffer Decode(string path, PixelFormat format, PixelMemoryPool? pool = null)
    {
        if (InputKinds.HasJpegName(path) || !InputKinds.NeedsVips(path))
        {
            (long width, long height) = CheckHeader(path);
            TileSizeRule.CheckFits(path, width, height, format);
            if (!format.IsSixteenBit())
            {
                return Inner.Decode(path, format, pool);
            }

            // An 8-bit file in a 16-bit pyramid: decoded as the 8-bit codecs can, then widened.
            using PixelBuffer eight = Inner.Decode(path, format.ToEightBit(), pool);
            return PixelConversions.Widen(eight, pool);
        }

        return VipsTileReader.Read(path, Options.Page, layout =>
        {
            CheckSize(path, layout.Width, layout.Height);
            TileSizeRule.CheckFits(path, layout.Width, layout.Height, format);
        }, (layout, samples) =>
        {
            byte[]? table = layout.Bits == 16 && !format.IsSixteenBit() ? _table.Value ?? throw NoRange(path) : null;
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

    /// <summary>
    /// Refuses a tile of a size this reading does not take (see <see cref="ForGrid"/> and
    /// <see cref="InputOptions.MaxTilePixels"/>); the check every decode makes before it starts.
    /// </summary>
    /// <exception cref="TileReadException">The size is refused; the message gives it and the size expected.</exception>
    internal void CheckSize(string path, long width, long height) => _sizes.Check(path, width, height);

    /// <summary>
    /// The size a JPEG or PNG file declares, checked before it is decoded; for another format, or a
    /// header this reader cannot follow, the wrapped codec's header (which decodes nothing either).
    /// </summary>
    /// <returns>The size checked.</returns>
    private (long Width, long Height) CheckHeader(string path)
    {
        if (HeaderSize.Read(path) is { } declared)
        {
            CheckSize(path, declared.Width, declared.Height);
            declared.CheckFileHoldsIt(path);
            return (declared.Width, declared.Height);
        }

        ImageHeader header = Inner.ReadHeader(path);
        CheckSize(path, header.Width, header.Height);
        return (header.Width, header.Height);
    }

    public IEncodedImage Encode(PixelBuffer source, PixelRect region, EncodeSettings settings) => Inner.Encode(source, region, settings);

    /// <summary>JPEG files at reduced scale straight from the wrapped decoder where it can; null otherwise (decode in full and shrink).</summary>
    public PixelBuffer? TryDecodeScaled(string path, PixelFormat format, int denominator, PixelMemoryPool? pool = null)
    {
        if (!InputKinds.HasJpegName(path) || format.IsSixteenBit() || Inner is not IScaledDecoder scaled)
        {
            return null;
        }

        CheckHeader(path);
        return scaled.TryDecodeScaled(path, format, denominator, pool);
    }

    /// <summary>
    /// Parts of JPEG files straight from the wrapped decoder where it can; false otherwise (decode
    /// whole). The region decoder itself refuses a file that is not <paramref name="width"/>×<paramref name="height"/>
    /// from its header, before decoding.
    /// </summary>
    public bool TryDecodeRegion(string path, int width, int height, PixelRect region, PixelBuffer target, int atX, int atY) =>
        InputKinds.HasJpegName(path) && !target.Format.IsSixteenBit() && Inner is IRegionDecoder regions
        && regions.TryDecodeRegion(path, width, height, region, target, atX, atY);

    public IRegionStream? TryOpenRegionStream(string path, int width, int height, PixelRect region, PixelFormat format) =>
        InputKinds.HasJpegName(path) && !format.IsSixteenBit() && Inner is IRegionDecoder regions ? regions.TryOpenRegionStream(path, width, height, region, format) : null;

    private static TileReadException NoRange(string path) =>
        new(path, "it has 16-bit samples but none of the tiles sampled for the automatic range had, so there is no range: give Input.Range MIN,MAX", null, "Input.Range");
}
