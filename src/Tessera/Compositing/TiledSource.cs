using Tessera.Codecs;
using Tessera.Imaging;

namespace Tessera.Compositing;

/// <summary>
/// What the mosaic sources share: the decoded-tile cache (with its plan and the correction applied
/// on decode), the pixel format and the background of uncovered pixels.
/// </summary>
public abstract class TiledSource : IMosaicSource
{
    /// <param name="cacheBudgetBytes">The most decoded tile memory to keep for later renders.</param>
    /// <param name="pool">Where decoded tiles' memory comes from.</param>
    /// <param name="correction">Applied to each tile once, as it is decoded (flat-field, say); null for none.</param>
    private protected TiledSource(PixelFormat format, ITileCodec codec, Rgb background, long cacheBudgetBytes,
        PixelMemoryPool? pool, ITileCorrection? correction)
    {
        Format = format;
        Background = background;
        Cache = new DecodedTileCache(codec, format, cacheBudgetBytes, pool, correction);
    }

    public abstract int Width { get; }
    public abstract int Height { get; }
    public PixelFormat Format { get; }

    /// <summary>Input tiles decoded so far; above the tile count where tiles had to be decoded again.</summary>
    public long Decodes => Cache.Decodes;

    private protected Rgb Background { get; }

    private protected DecodedTileCache Cache { get; }

    public abstract void Plan(IReadOnlyList<PixelRect> renders, int lookahead, IReadOnlyList<int>? bands = null);

    public abstract void Render(PixelBuffer target);

    public void Dispose()
    {
        Cache.Dispose();
        GC.SuppressFinalize(this);
    }
}
