using System.CommandLine;
using Tessera.Build;
using Tessera.Codecs;
using Tessera.Compositing;
using Tessera.Illumination;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Pyramid;

namespace Tessera.Cli;

/// <summary>The arguments and options that describe a build, shared by <c>build</c> and <c>plan</c>.</summary>
internal sealed class BuildOptions
{
    private readonly Argument<string> _input = new("INPUT_DIR") { Description = "Folder of input tiles (JPEG or PNG, 8-bit RGB or grey)." };
    private readonly Argument<string> _output = new("OUTPUT.dzi") { Description = "The pyramid to write: OUTPUT.dzi and the tile folder OUTPUT_files beside it." };
    private readonly Option<string?> _pattern = new("--pattern")
    {
        Description = "File name template: {x} is the column and {y} the row (zero-padded and 1-based names work); {i} is a sequence number with --order row-major. Default: {x}_{y}.jpg.",
    };

    private readonly Option<string> _order = new("--order")
    {
        Description = "How files map to grid cells: 'pattern' (column and row in the name) or 'row-major' (numbered files, filled row by row; needs --across).",
        DefaultValueFactory = _ => "pattern",
    };

    private readonly Option<int?> _across = new("--across") { Description = "Tiles per row, for --order row-major." };
    private readonly Option<string> _overlap = new("--overlap")
    {
        Description = "Nominal overlap of neighbouring tiles: a percentage of the tile (10%) or pixels (80,60 for horizontal,vertical; 80 for both). With --blend seam, seams run through the middle of each overlap.",
        DefaultValueFactory = _ => "0",
    };

    private readonly Option<int> _tileSize = new("--tile-size") { Description = "Pyramid tile size in pixels, without overlap.", DefaultValueFactory = _ => 254 };
    private readonly Option<int> _tileOverlap = new("--tile-overlap") { Description = "Pixels each pyramid tile repeats of its neighbours.", DefaultValueFactory = _ => 1 };
    private readonly Option<string> _format = new("--format") { Description = "Tile format: jpeg, png or webp.", DefaultValueFactory = _ => "jpeg" };
    private readonly Option<int> _quality = new("--quality") { Description = "JPEG and WebP quality, 1-100.", DefaultValueFactory = _ => 75 };
    private readonly Option<int> _threads = new("--threads") { Description = "Worker threads (default: all cores).", DefaultValueFactory = _ => Environment.ProcessorCount };
    private readonly Option<string> _background = new("--background")
    {
        Description = "Colour of cells without a tile: black, white, #rrggbb, r,g,b or a grey level.",
        DefaultValueFactory = _ => "black",
    };

    private readonly Option<string> _blend = new("--blend")
    {
        Description = "How overlapping tiles are combined: seam (each pixel from the tile whose centre is nearest: sharp, no ghosting), overlay (later tiles on top: no blending, fastest) or linear (weights falling off towards each tile's edges: hides brightness steps).",
        DefaultValueFactory = _ => "seam",
    };

    private readonly Option<string?> _flatField = new("--flatfield")
    {
        Description = "Divide uneven illumination (darker corners) out of every tile: 'auto' estimates one smooth gain field from the tiles themselves; a FILE is a measured one (an image of an empty field, tile-sized, any brightness).",
    };

    private readonly Option<string?> _darkField = new("--darkfield") { Description = "With --flatfield: an image taken with no light (tile-sized), subtracted from every tile first." };

    private readonly Option<string> _codec = new("--codec")
    {
        Description = "JPEG codec: auto (the system's libjpeg-turbo where installed, else SkiaSharp), skia or turbojpeg.",
        DefaultValueFactory = _ => "auto",
    };

    public BuildOptions()
    {
        _order.AcceptOnlyFromAmong("pattern", "row-major");
        _format.AcceptOnlyFromAmong("jpeg", "png", "webp");
        _codec.AcceptOnlyFromAmong("auto", "skia", "turbojpeg");
        _blend.AcceptOnlyFromAmong("seam", "overlay", "linear");
    }

    public void AddTo(Command command)
    {
        command.Arguments.Add(_input);
        command.Arguments.Add(_output);
        foreach (Option option in new Option[] { _pattern, _order, _across, _overlap, _tileSize, _tileOverlap, _format, _quality, _threads, _background, _blend, _flatField, _darkField, _codec })
        {
            command.Options.Add(option);
        }
    }

    public BuildRequest ToRequest(ParseResult result) => new()
    {
        InputDirectory = result.GetValue(_input)!,
        OutputPath = result.GetValue(_output)!,
        Layout = new LayoutOptions(
            result.GetValue(_pattern),
            result.GetValue(_order) == "row-major" ? TileOrder.RowMajor : TileOrder.Pattern,
            result.GetValue(_across)),
        Overlap = OverlapSpec.Parse(result.GetValue(_overlap)!),
        Pyramid = new PyramidOptions
        {
            TileSize = result.GetValue(_tileSize),
            Overlap = result.GetValue(_tileOverlap),
            Encode = new EncodeSettings(TileFormatExtensions.Parse(result.GetValue(_format)!), result.GetValue(_quality)),
            Threads = result.GetValue(_threads),
        },
        Background = Rgb.Parse(result.GetValue(_background)!),
        Blend = BlendModes.Parse(result.GetValue(_blend)!),
        FlatField = result.GetValue(_flatField) is { } flat ? FlatFieldSpec.Parse(flat, result.GetValue(_darkField))
            : result.GetValue(_darkField) is not null ? throw new TesseraException("--darkfield goes with --flatfield (auto or a file).")
            : null,
    };

    /// <summary>
    /// IIIF tiles, as libvips writes them, default to 512 px without overlap; sizes given on the
    /// command line are kept.
    /// </summary>
    public BuildRequest WithIiifDefaults(ParseResult result, BuildRequest request) => request with
    {
        Pyramid = request.Pyramid with
        {
            TileSize = result.GetResult(_tileSize) is { Implicit: false } ? request.Pyramid.TileSize : 512,
            Overlap = result.GetResult(_tileOverlap) is { Implicit: false } ? request.Pyramid.Overlap : 0,
        },
    };

    public CodecChoice Codec(ParseResult result) => result.GetValue(_codec) switch
    {
        "skia" => CodecChoice.Skia,
        "turbojpeg" => CodecChoice.TurboJpeg,
        _ => CodecChoice.Auto,
    };
}
