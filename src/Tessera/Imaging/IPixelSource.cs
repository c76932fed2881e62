namespace Tessera.Imaging;

/// <summary>
/// An image that can render any rectangle of itself on demand, without ever being held whole:
/// the stitched mosaic, or an intermediate pyramid level kept on disk.
/// A pixel's value depends only on its position, never on the rectangle asked for, so
/// neighbouring renders made by different threads (or machines) agree exactly.
/// Implementations are thread-safe.
/// </summary>
public interface IPixelSource
{
    int Width { get; }
    int Height { get; }
    PixelFormat Format { get; }

    /// <summary>
    /// Tells the source which rectangles will be rendered and in what order, so it can keep what a
    /// render up to <paramref name="lookahead"/> places later will need again, and drop the rest.
    /// With <paramref name="bands"/> (one number per render, never decreasing), what is needed
    /// again only in a later band is dropped too, however soon that band starts.
    /// Optional; renders are correct without it, and in any order.
    /// </summary>
    void Plan(IReadOnlyList<PixelRect> renders, int lookahead, IReadOnlyList<int>? bands = null)
    {
    }

    /// <summary>Fills <paramref name="target"/> with the pixels of its <see cref="PixelBuffer.Bounds"/>, which lie inside the image.</summary>
    void Render(PixelBuffer target);
}
