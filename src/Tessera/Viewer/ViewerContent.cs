using Tessera.Compositing;
using Tessera.Illumination;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Registration;

namespace Tessera.Viewer;

/// <summary>What a build knows about its input tiles that the viewer shows: where each lies, its links and gain, and the pixel size.</summary>
/// <param name="Tiles">Every input tile's rectangle on the plane of the pyramid's full-resolution level.</param>
/// <param name="InputDirectory">Tile names are shown relative to it.</param>
public sealed record ViewerContent(PlacedMosaic Tiles, string InputDirectory)
{
    /// <summary>The subpixel positions the tiles were placed from, in the order of <see cref="Tiles"/>; null on the nominal grid. Residuals are taken from them.</summary>
    public IReadOnlyList<TilePlacement>? Placements { get; init; }

    /// <summary>The registration's pairs (tiles named by file name); null when the positions come with no report.</summary>
    public IReadOnlyList<PairRecord>? Pairs { get; init; }

    /// <summary>The exposure gain divided out of each tile; null when brightness was not balanced.</summary>
    public TileGains? Gains { get; init; }

    public PixelSize? PixelSize { get; init; }
}
