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
    private readonly TileSetOptions _tiles = new();
    private readonly Argument<string> _output = new("OUTPUT.dzi") { Description = "The pyramid to write: OUTPUT.dzi and the tile folder OUTPUT_files beside it." };

    private readonly Option<int> _tileSize = new("--tile-size") { Description = "Pyramid tile size in pixels, without overlap.", DefaultValueFactory = _ => 254 };

    private readonly Option<int> _tileOverlap = new("--tile-overlap") { Description = "Pixels each pyramid tile repeats of its neighbours.", DefaultValueFactory = _ => 1 };

    private readonly Option<string> _format = new("--format")
    {
        Description = "Tile format: jpeg, png or webp; for --layout ome-tiff the tile compression: deflate (the default there, lossless), lzw or jpeg; ome-zarr chunks are always deflate (zlib).",
        DefaultValueFactory = _ => "jpeg",
    };

    private readonly Option<int> _quality = new("--quality") { Description = "JPEG and WebP quality, 1-100.", DefaultValueFactory = _ => 75 };

    private readonly Option<string> _blend = new("--blend")
    {
        Description = "How overlapping tiles are combined: seam (each pixel from the tile whose centre is nearest: sharp, no ghosting), overlay (later tiles on top: no blending, fastest) or linear (weights falling off towards each tile's edges: hides brightness steps).",
        DefaultValueFactory = _ => "seam",
    };

    private readonly Option<string?> _positions = new("--positions")
    {
        Description = "Place each tile where FILE says instead of on the nominal grid: a Fiji TileConfiguration (registered or not) or a MIST global-positions file, names relative to INPUT_DIR. Tiles may differ in size; positions are rounded to whole pixels.",
    };

    private readonly Option<PixelSize?> _pixelSize = new("--pixel-size")
    {
        Description = "Physical size of one input pixel, with its unit (e.g. 0.325um, 650nm, 0.01mm): recorded with the output for scale bars and analysis tools. Changes no pixel.",
        CustomParser = ParsePixelSize,
    };

    private readonly IlluminationCliOptions _illumination = new();

    public BuildOptions()
    {
        _format.AcceptOnlyFromAmong("jpeg", "png", "webp", "deflate", "lzw");
        _blend.AcceptOnlyFromAmong("seam", "overlay", "linear");
    }

    public TileSetOptions Tiles => _tiles;

    public void AddTo(Command command)
    {
        _tiles.AddInput(command);
        command.Arguments.Add(_output);
        _tiles.AddOptions(command);
        foreach (Option option in new Option[] { _positions, _tileSize, _tileOverlap, _format, _quality, _blend, _pixelSize })
        {
            command.Options.Add(option);
        }

        _illumination.AddTo(command);
    }

    /// <summary>The request the options describe, for <paramref name="layout"/> (the layouts' own defaults applied, see <see cref="WithLayoutDefaults"/>).</summary>
    public BuildRequest ToRequest(ParseResult result, PyramidLayout layout = PyramidLayout.DeepZoom) => WithLayoutDefaults(result, layout, new()
    {
        InputDirectory = _tiles.InputDirectory(result),
        OutputPath = result.GetValue(_output)!,
        Layout = _tiles.Layout(result),
        Overlap = _tiles.Overlap(result),
        Pyramid = new PyramidOptions
        {
            TileSize = result.GetValue(_tileSize),
            Overlap = result.GetValue(_tileOverlap),
            Encode = new EncodeSettings(TileFormatOf(result, layout), result.GetValue(_quality)),
            Threads = _tiles.Threads(result),
        },
        Background = _tiles.Background(result),
        Blend = BlendModes.Parse(result.GetValue(_blend)!),
        FlatField = _illumination.FlatField(result),
        Input = _tiles.Input(result),
        Placements = result.GetValue(_positions) is { } positions ? PositionsFile.Read(positions, _tiles.InputDirectory(result)) : null,
        PixelSize = result.GetValue(_pixelSize),
        RegistrationPairs = result.GetValue(_positions) is { } registered ? RegisterCommand.PairsBeside(registered) : null,
        Gains = result.GetValue(_positions) is { } measured && Balances(result) && File.Exists(GainsFile.SidecarOf(measured))
            ? GainsSpec.Read(GainsFile.SidecarOf(measured))
            : null,
    });

    /// <summary>Whether tile gains are divided out where they are known (--balance on, the default).</summary>
    public bool Balances(ParseResult result) => _illumination.Balances(result);

    /// <summary>
    /// IIIF and OME tiles, as libvips writes them, default to 512 px without overlap; sizes given
    /// on the command line are kept. An OME-TIFF reads --format as its compression (deflate unless given).
    /// </summary>
    private BuildRequest WithLayoutDefaults(ParseResult result, PyramidLayout layout, BuildRequest request)
    {
        request = request with { PyramidLayout = layout };
        if (layout == PyramidLayout.DeepZoom)
        {
            return request;
        }

        request = request with
        {
            Pyramid = request.Pyramid with
            {
                TileSize = result.GetResult(_tileSize) is { Implicit: false } ? request.Pyramid.TileSize : 512,
                Overlap = result.GetResult(_tileOverlap) is { Implicit: false } ? request.Pyramid.Overlap : 0,
            },
        };
        string? format = result.GetResult(_format) is { Implicit: false } ? result.GetValue(_format) : null;
        return layout is PyramidLayout.OmeTiff or PyramidLayout.OmeZarr
            ? request with { Compression = format switch { "lzw" => RasterCompression.Lzw, "jpeg" => RasterCompression.Jpeg, _ => RasterCompression.Deflate } }
            : request;
    }

    /// <summary>The Deep Zoom and IIIF tile format; deflate and lzw only name an OME-TIFF's compression, and png and webp are not one.</summary>
    private TileFormat TileFormatOf(ParseResult result, PyramidLayout layout)
    {
        string format = result.GetValue(_format)!;
        bool explicitFormat = result.GetResult(_format) is { Implicit: false };
        if (layout is PyramidLayout.OmeTiff or PyramidLayout.OmeZarr)
        {
            string allowed = layout == PyramidLayout.OmeTiff ? "deflate (the default), lzw or jpeg" : "deflate only (zlib chunks)";
            return !explicitFormat || format is "deflate" || (format is "lzw" or "jpeg" && layout == PyramidLayout.OmeTiff) ? TileFormat.Jpeg
                : throw new TesseraException($"--format {format} is not a compression of --layout {LayoutName(layout)}: it takes {allowed}.");
        }

        return format is "deflate" or "lzw"
            ? throw new TesseraException($"--format {format} is a compression of --layout ome-tiff; {LayoutName(layout)} tiles are jpeg, png or webp.")
            : TileFormatExtensions.Parse(format);
    }

    /// <summary>--layout, as build and plan take it.</summary>
    public static Option<string> CreateLayoutOption()
    {
        var layout = new Option<string>("--layout")
        {
            Description = "dz (Deep Zoom: OUTPUT.dzi and OUTPUT_files), iiif3 (static IIIF Image API 3 tiles and info.json in folder OUTPUT), " +
                "ome-tiff (OUTPUT.ome.tif: pyramidal BigTIFF with OME-XML, levels as SubIFDs) or ome-zarr (OUTPUT.ome.zarr: OME-NGFF 0.4); " +
                "all but dz: 512 px tiles, no overlap unless given.",
            DefaultValueFactory = _ => "dz",
        };
        layout.AcceptOnlyFromAmong("dz", "iiif3", "ome-tiff", "ome-zarr");
        return layout;
    }

    /// <summary>The --layout value of <paramref name="layout"/>.</summary>
    public static string LayoutName(PyramidLayout layout) => layout switch
    {
        PyramidLayout.Iiif3 => "iiif3",
        PyramidLayout.OmeTiff => "ome-tiff",
        PyramidLayout.OmeZarr => "ome-zarr",
        _ => "dz",
    };

    /// <summary>The layout a --layout value names.</summary>
    public static PyramidLayout ParseLayout(string name) => name switch
    {
        "iiif3" => PyramidLayout.Iiif3,
        "ome-tiff" => PyramidLayout.OmeTiff,
        "ome-zarr" => PyramidLayout.OmeZarr,
        _ => PyramidLayout.DeepZoom,
    };

    public CodecChoice Codec(ParseResult result) => _tiles.Codec(result);

    private static PixelSize? ParsePixelSize(System.CommandLine.Parsing.ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (PixelSize.TryParse(text, out PixelSize size))
        {
            return size;
        }

        result.AddError($"--pixel-size: \"{text}\" is not a length with a unit; give e.g. 0.325um, 650nm or 0.01mm.");
        return null;
    }
}
