using Tessera.Codecs;
using Tessera.Compositing;
using Tessera.Illumination;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Pyramid;

namespace Tessera.Build;

/// <summary>How the finished pyramid is stored.</summary>
public enum OutputContainer
{
    /// <summary>NAME.dzi and the folder NAME_files, as libvips writes them.</summary>
    Directory,

    /// <summary>One NAME.zip holding both (built as a folder first, packed at the end).</summary>
    Zip,
}

/// <summary>How pyramid tiles are named and described.</summary>
public enum PyramidLayout
{
    /// <summary>Deep Zoom: NAME.dzi and NAME_files/LEVEL/COLUMN_ROW.SUFFIX.</summary>
    DeepZoom,

    /// <summary>Static IIIF Image API 3: folder NAME with info.json and region/size/rotation/quality tiles.</summary>
    Iiif3,
}

/// <summary>Everything a build needs to know: where the tiles are, how they are laid out, and what to write.</summary>
public sealed record BuildRequest
{
    public required string InputDirectory { get; init; }

    /// <summary>The .dzi to write; its tiles go into NAME_files beside it.</summary>
    public required string OutputPath { get; init; }

    public LayoutOptions Layout { get; init; } = new();
    public OverlapSpec Overlap { get; init; } = OverlapSpec.None;
    public PyramidOptions Pyramid { get; init; } = new();
    public Rgb Background { get; init; } = Rgb.Black;

    /// <summary>How input tiles are read: the 16-bit to 8-bit range (null: automatic) and the TIFF page.</summary>
    public InputOptions Input { get; init; } = new();

    public OutputContainer Container { get; init; } = OutputContainer.Directory;

    public PyramidLayout PyramidLayout { get; init; } = PyramidLayout.DeepZoom;

    /// <summary>Base URL of the IIIF image service; the image's id is this plus its name.</summary>
    public string IiifBaseId { get; init; } = "https://example.com/iiif";

    /// <summary>Leave out tiles that are entirely <see cref="Background"/>.</summary>
    public bool SkipBlank { get; init; }

    /// <summary>Replace an existing pyramid at <see cref="OutputPath"/> instead of refusing.</summary>
    public bool Overwrite { get; init; }

    /// <summary>Build only this part of the first round (its tiles and its share of the level below); null builds everything.</summary>
    public ShardSpec? Shard { get; init; }

    /// <summary>Build only what the shards leave: the levels below the first round, and the .dzi.</summary>
    public bool Finish { get; init; }

    /// <summary>
    /// Where each tile lies, from a positions file or a registration; null places the tiles found
    /// in <see cref="InputDirectory"/> on their nominal grid (<see cref="Layout"/>, <see cref="Overlap"/>).
    /// </summary>
    public IReadOnlyList<TilePlacement>? Placements { get; init; }

    /// <summary>
    /// The registration's pairs behind <see cref="Placements"/> (its report's pair table): the
    /// viewer's tile overlay colours each tile by how sure they were. Null where there is no report.
    /// </summary>
    public IReadOnlyList<Registration.PairRecord>? RegistrationPairs { get; init; }

    /// <summary>How overlapping tiles are combined.</summary>
    public BlendMode Blend { get; init; } = BlendMode.Seam;

    /// <summary>Uneven illumination to divide out of every tile; null for none.</summary>
    public FlatFieldSpec? FlatField { get; init; }

    /// <summary>Each tile's exposure gain to divide out after the flat-field, measured or read (needs <see cref="Placements"/>); null for none.</summary>
    public GainsSpec? Gains { get; init; }

    /// <summary>
    /// The physical size of one full-resolution pixel, recorded with the output (OME metadata,
    /// the viewer's scale bar); null when unknown. It changes no pixel.
    /// </summary>
    public PixelSize? PixelSize { get; init; }

    /// <summary>The most memory decoded input tiles may hold while waiting to be used again.</summary>
    public long TileCacheBytes { get; init; } = 512L << 20;

    /// <summary>
    /// Throws a <see cref="RequestException"/> naming the first thing asked for that the engine
    /// cannot do. A build checks this before it reads a tile or writes anything.
    /// </summary>
    public void Validate()
    {
        Pyramid.Validate(nameof(Pyramid));
        if (Shard is not null && Finish)
        {
            throw new RequestException("A run is either one Shard or the Finish step, not both.", nameof(Shard), nameof(Finish));
        }

        if (Overwrite && (Shard is not null || Finish))
        {
            throw new RequestException("Overwrite cannot be used with Shard or Finish: shards share one output, which must not be replaced under them.",
                nameof(Overwrite), nameof(Shard), nameof(Finish));
        }

        if (PyramidLayout == PyramidLayout.Iiif3 && Container == OutputContainer.Zip)
        {
            throw new RequestException("A zip Container holds a Deep Zoom pyramid; IIIF tiles (PyramidLayout iiif3) are written as a folder.",
                nameof(Container), nameof(PyramidLayout));
        }

        if (PyramidLayout == PyramidLayout.Iiif3 && Pyramid.Overlap != 0)
        {
            throw new RequestException($"IIIF tiles (PyramidLayout iiif3) have no overlap: Pyramid.Overlap must be 0 (got {Pyramid.Overlap}).",
                nameof(PyramidLayout), "Pyramid.Overlap");
        }

        if (TileCacheBytes < 0)
        {
            throw new RequestException($"TileCacheBytes must be 0 or more (got {TileCacheBytes}).", nameof(TileCacheBytes));
        }
    }
}
