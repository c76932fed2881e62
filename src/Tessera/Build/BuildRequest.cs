using Tessera.Codecs;
using Tessera.Compositing;
using Tessera.Illumination;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Pyramid;
using Tessera.Registration;

namespace Tessera.Build;

/// <summary>How the finished pyramid is stored.</summary>
public enum OutputContainer
{
    /// <summary>NAME.dzi and the folder NAME_files, as libvips writes them.</summary>
    Directory,

    /// <summary>One NAME.zip holding both, written directly (entries stored), by one whole build: not by shards.</summary>
    Zip,
}

/// <summary>How pyramid tiles are named and described.</summary>
public enum PyramidLayout
{
    /// <summary>Deep Zoom: NAME.dzi and NAME_files/LEVEL/COLUMN_ROW.SUFFIX.</summary>
    DeepZoom,

    /// <summary>Static IIIF Image API 3: folder NAME with info.json and region/size/rotation/quality tiles.</summary>
    Iiif3,

    /// <summary>NAME.ome.tif: one tiled pyramidal BigTIFF, OME-XML in the first page, reduced levels as SubIFDs.</summary>
    OmeTiff,

    /// <summary>NAME.ome.zarr: OME-NGFF 0.4 multiscales, one zarr v2 array per level, zlib chunks.</summary>
    OmeZarr,
}

/// <summary>How the tiles of an OME-TIFF are compressed (OME-Zarr chunks are always zlib).</summary>
public enum RasterCompression
{
    /// <summary>Lossless: zlib (TIFF "Adobe deflate", compression 8).</summary>
    Deflate,

    /// <summary>Lossless: LZW (TIFF compression 5).</summary>
    Lzw,

    /// <summary>Lossy: each tile a JPEG (TIFF compression 7), at <see cref="Codecs.EncodeSettings.Quality"/>.</summary>
    Jpeg,
}

/// <summary>Everything a build needs to know: where the tiles are, how they are laid out, and what to write.</summary>
public sealed record BuildRequest
{
    public required string InputDirectory { get; init; }

    /// <summary>
    /// What to write: NAME.dzi (its tiles in NAME_files beside it; NAME.zip with the zip container),
    /// the IIIF folder NAME, NAME.ome.tif or NAME.ome.zarr. A name without the layout's suffix gets it.
    /// </summary>
    public required string OutputPath { get; init; }

    public LayoutOptions Layout { get; init; } = new();
    public OverlapSpec Overlap { get; init; } = OverlapSpec.None;
    public PyramidOptions Pyramid { get; init; } = new();
    public Rgb Background { get; init; } = Rgb.Black;

    /// <summary>How input tiles are read: the 16-bit to 8-bit range (null: automatic) and the TIFF page.</summary>
    public InputOptions Input { get; init; } = new();

    public OutputContainer Container { get; init; } = OutputContainer.Directory;

    public PyramidLayout PyramidLayout { get; init; } = PyramidLayout.DeepZoom;

    /// <summary>How OME-TIFF tiles are compressed; the other layouts take <see cref="PyramidOptions.Encode"/>'s format.</summary>
    public RasterCompression Compression { get; init; } = RasterCompression.Deflate;

    /// <summary>Base URL of the IIIF image service; the image's id is this plus its name.</summary>
    public string IiifBaseId { get; init; } = "https://example.com/iiif";

    /// <summary>
    /// Leave out tiles whose every pixel is within this many levels (per channel, 0–255) of
    /// <see cref="Background"/>: glass, where camera noise and JPEG are never exactly the
    /// background; 0 leaves out only tiles exactly the background; null writes every tile.
    /// </summary>
    public int? SkipBlankTolerance { get; init; }

    /// <summary>A tolerance of a few levels, as <c>dzsave --skip-blanks</c> is typically given: above JPEG's error on flat areas, below faint stain.</summary>
    public const int DefaultSkipBlankTolerance = 5;

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
    /// Measure where every tile of the grid really is before building (<see cref="GridRegistration"/>),
    /// and build with those positions; null builds on the nominal grid or at <see cref="Placements"/>.
    /// The positions, the report and (where <see cref="Gains"/> are measured) the gains are written
    /// beside the output (<see cref="RegistrationFiles.BesideOutput"/>). Registration runs once, in
    /// a whole build: shards and the finishing step are given its positions file instead.
    /// </summary>
    public RegistrationOptions? Registration { get; init; }

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

        if (Container == OutputContainer.Zip && (Shard is not null || Finish))
        {
            // One file has one writer: shards would each need a zip of their own, and the finish a copy of them all.
            throw new RequestException("A zip Container is written by one whole build, not by Shard or Finish: build the shards into a folder (Container directory).",
                nameof(Container), nameof(Shard), nameof(Finish));
        }

        if (PyramidLayout != PyramidLayout.DeepZoom && Container == OutputContainer.Zip)
        {
            throw new RequestException($"A zip Container holds a Deep Zoom pyramid; PyramidLayout {LayoutName} is written as {WrittenAs}.",
                nameof(Container), nameof(PyramidLayout));
        }

        if (PyramidLayout != PyramidLayout.DeepZoom && Pyramid.Overlap != 0)
        {
            throw new RequestException($"PyramidLayout {LayoutName} tiles have no overlap: Pyramid.Overlap must be 0 (got {Pyramid.Overlap}).",
                nameof(PyramidLayout), "Pyramid.Overlap");
        }

        if (Registration is not null && Placements is not null)
        {
            throw new RequestException("Registration measures the positions and Placements gives them: set one of the two.", nameof(Registration), nameof(Placements));
        }

        if (Registration is not null && (Shard is not null || Finish))
        {
            throw new RequestException("Shards must share one set of positions: register once (a whole build with Registration, or the registration alone), then give every Shard and the Finish step its positions as Placements.",
                nameof(Registration), nameof(Shard), nameof(Finish));
        }

        ValidateOme();

        if (SkipBlankTolerance is < 0 or > 255)
        {
            throw new RequestException($"SkipBlankTolerance must be between 0 and 255 levels (got {SkipBlankTolerance}).", nameof(SkipBlankTolerance));
        }

        if (TileCacheBytes < 0)
        {
            throw new RequestException($"TileCacheBytes must be 0 or more (got {TileCacheBytes}).", nameof(TileCacheBytes));
        }
    }

    /// <summary>The layout as the refusals name it.</summary>
    private string LayoutName => PyramidLayout switch
    {
        PyramidLayout.Iiif3 => "iiif3",
        PyramidLayout.OmeTiff => "ome-tiff",
        PyramidLayout.OmeZarr => "ome-zarr",
        _ => "dz",
    };

    private string WrittenAs => PyramidLayout switch
    {
        PyramidLayout.OmeTiff => "one NAME.ome.tif",
        PyramidLayout.OmeZarr => "a NAME.ome.zarr folder",
        _ => "a folder",
    };

    private void ValidateOme()
    {
        bool ome = PyramidLayout is PyramidLayout.OmeTiff or PyramidLayout.OmeZarr;
        if (Compression != RasterCompression.Deflate && PyramidLayout != PyramidLayout.OmeTiff)
        {
            throw new RequestException($"Compression {Compression} is for PyramidLayout ome-tiff; {LayoutName} tiles are {(ome ? "zlib chunks" : "image files")}.",
                nameof(Compression), nameof(PyramidLayout));
        }

        if (ome && SkipBlankTolerance is not null)
        {
            throw new RequestException($"PyramidLayout {LayoutName} has a value for every pixel: SkipBlankTolerance cannot leave tiles out of it.",
                nameof(SkipBlankTolerance), nameof(PyramidLayout));
        }

        if (PyramidLayout == PyramidLayout.OmeTiff && Pyramid.TileSize % 16 != 0)
        {
            throw new RequestException($"TIFF tiles are a multiple of 16 pixels: Pyramid.TileSize {Pyramid.TileSize} cannot be used for PyramidLayout ome-tiff.",
                "Pyramid.TileSize", nameof(PyramidLayout));
        }

        // One file, indexed when it is complete: processes cannot share it.
        if (PyramidLayout == PyramidLayout.OmeTiff && (Shard is not null || Finish))
        {
            string step = Shard is not null ? nameof(Shard) : nameof(Finish);
            throw new RequestException($"PyramidLayout ome-tiff is one file written by one process: build it whole, without {step}.", nameof(PyramidLayout), step);
        }
    }
}
