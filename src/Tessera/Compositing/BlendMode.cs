namespace Tessera.Compositing;

/// <summary>How the pixels of overlapping tiles are combined. In every mode a pixel's value depends only on its position.</summary>
public enum BlendMode
{
    /// <summary>
    /// Each pixel from the covering tile whose centre is nearest (ties: the later tile). Sharp, no
    /// ghosting, each pixel a copy of an input pixel; on a regular grid the seams run through the
    /// middle of each overlap.
    /// </summary>
    Seam,

    /// <summary>Each pixel from the last tile (in input order) that covers it. No blending; the fastest for explicit positions.</summary>
    Overlay,

    /// <summary>
    /// A weighted mean of the covering tiles, each tile's weight falling off linearly towards its
    /// edges (the product of its distances to the nearest vertical and horizontal edge), so
    /// differences of brightness fade across the overlap instead of stepping.
    /// </summary>
    Linear,
}

public static class BlendModes
{
    /// <summary>The mode as <c>--blend</c> names it.</summary>
    public static BlendMode Parse(string name) => name.ToLowerInvariant() switch
    {
        "seam" => BlendMode.Seam,
        "overlay" => BlendMode.Overlay,
        "linear" => BlendMode.Linear,
        _ => throw new TesseraException($"\"{name}\" is not a blend mode: use seam, overlay or linear."),
    };

    public static string Name(this BlendMode mode) => mode.ToString().ToLowerInvariant();
}
