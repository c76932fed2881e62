using System.CommandLine;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Layout;

namespace Tessera.Cli;

/// <summary>
/// The arguments and options that say where the tiles are and how to read them: the input
/// folder, layout, nominal overlap, input depth and codec. Shared by <c>build</c>, <c>plan</c>
/// and <c>register</c>, so they read a tile set the same way.
/// </summary>
internal sealed class TileSetOptions
{
    private readonly Argument<string> _input = new("INPUT_DIR") { Description = "Folder of input tiles: JPEG, PNG, TIFF or WebP; 8- or 16-bit; grey, RGB or RGBA." };

    private readonly Option<string?> _pattern = new("--pattern")
    {
        Description = "File name template: {x} (or {c}) is the column and {y} (or {r}) the row, e.g. r{rrr}_c{ccc}.tif; {i} is the sequence number for a sequential --order, e.g. tile_{iii}.tif. Any run of digits matches, so zero-padded and 1-based names work; a repeated letter only shows the padding. Default: {x}_{y}.jpg (pattern order), any image file with a number in its name (sequential orders).",
    };

    private readonly Option<string> _order = new("--order")
    {
        Description = "How files map to grid cells: 'pattern' (column and row in the name), or for numbered files (needs --across or --down; a gap in the numbers is a missing cell): 'row-major' (row by row), 'column-major' (column by column), 'snake-rows' (row by row, every second row reversed), 'snake-columns' (column by column, every second column reversed). Fiji's names row-by-row, column-by-column, snake-by-rows and snake-by-columns are accepted too.",
        DefaultValueFactory = _ => "pattern",
    };

    private readonly Option<int?> _across = new("--across") { Description = "Tiles per row, for a sequential --order (with only --down, the file numbers decide it)." };

    private readonly Option<int?> _down = new("--down") { Description = "Tiles per column, for a sequential --order (with only --across, the file numbers decide it)." };

    private readonly Option<string> _start = new("--start")
    {
        Description = "Corner of the first tile, for a sequential --order: top-left, top-right, bottom-left or bottom-right (Fiji's Right & Down, Left & Down, Right & Up, Left & Up for rows).",
        DefaultValueFactory = _ => "top-left",
    };

    private readonly Option<string> _overlap = new("--overlap")
    {
        Description = "Nominal overlap of neighbouring tiles: a percentage of the tile (10%) or pixels (80,60 for horizontal,vertical; 80 for both). With --blend seam, seams run through the middle of each overlap.",
        DefaultValueFactory = _ => "0",
    };

    private readonly Option<int> _threads = new("--threads") { Description = "Worker threads (default: all cores).", DefaultValueFactory = _ => Environment.ProcessorCount };

    private readonly Option<string> _background = new("--background")
    {
        Description = "Colour of cells without a tile, and what transparent input pixels are flattened over: black, white, #rrggbb, r,g,b or a grey level.",
        DefaultValueFactory = _ => "black",
    };

    private readonly Option<string?> _range = new("--range")
    {
        Description = "MIN,MAX: how 16-bit input maps to 8 bits, the same for every tile: MIN and below to 0, MAX and above to 255, linear between, rounded half up. Default: the 0.1 and 99.9 percentiles of up to 32 tiles spread over the grid. 8-bit input is not remapped.",
    };

    private readonly Option<int> _page = new("--page") { Description = "Page of multi-page TIFF tiles to read, from 0 (the first).", DefaultValueFactory = _ => 0 };

    private readonly Option<string> _codec = new("--codec")
    {
        Description = "JPEG codec: auto (the system's libjpeg-turbo where installed, else SkiaSharp), skia or turbojpeg.",
        DefaultValueFactory = _ => "auto",
    };

    private static readonly Dictionary<string, TileOrder> Orders = new()
    {
        ["pattern"] = TileOrder.Pattern,
        ["row-major"] = TileOrder.RowMajor,
        ["row-by-row"] = TileOrder.RowMajor,
        ["column-major"] = TileOrder.ColumnMajor,
        ["column-by-column"] = TileOrder.ColumnMajor,
        ["snake-rows"] = TileOrder.SnakeRows,
        ["snake-by-rows"] = TileOrder.SnakeRows,
        ["snake-columns"] = TileOrder.SnakeColumns,
        ["snake-by-columns"] = TileOrder.SnakeColumns,
    };

    private static readonly Dictionary<string, StartCorner> Corners = new()
    {
        ["top-left"] = StartCorner.TopLeft,
        ["top-right"] = StartCorner.TopRight,
        ["bottom-left"] = StartCorner.BottomLeft,
        ["bottom-right"] = StartCorner.BottomRight,
    };

    public TileSetOptions()
    {
        _order.AcceptOnlyFromAmong([.. Orders.Keys]);
        _order.HelpName = "pattern|row-major|column-major|snake-rows|snake-columns";
        _start.AcceptOnlyFromAmong([.. Corners.Keys]);
        _codec.AcceptOnlyFromAmong("auto", "skia", "turbojpeg");
    }

    /// <summary>Adds the INPUT_DIR argument (the command adds its own arguments after it, then <see cref="AddOptions"/>).</summary>
    public void AddInput(Command command) => command.Arguments.Add(_input);

    public void AddOptions(Command command)
    {
        foreach (Option option in new Option[] { _pattern, _order, _across, _down, _start, _overlap, _threads, _background, _range, _page, _codec })
        {
            command.Options.Add(option);
        }
    }

    public string InputDirectory(ParseResult result) => result.GetValue(_input)!;

    public LayoutOptions Layout(ParseResult result) => new(
        result.GetValue(_pattern),
        Orders[result.GetValue(_order)!],
        result.GetValue(_across),
        result.GetValue(_down),
        Corners[result.GetValue(_start)!]);

    public OverlapSpec Overlap(ParseResult result) => OverlapSpec.Parse(result.GetValue(_overlap)!);

    public int Threads(ParseResult result) => result.GetValue(_threads);

    public Rgb Background(ParseResult result) => Rgb.Parse(result.GetValue(_background)!);

    public InputOptions Input(ParseResult result) =>
        new(result.GetValue(_range) is { } range ? IntensityRange.Parse(range) : null, result.GetValue(_page));

    /// <summary>The codec asked for (the option accepts only the names <see cref="TileCodecs.ParseChoice"/> knows).</summary>
    public CodecChoice Codec(ParseResult result) => TileCodecs.ParseChoice(result.GetValue(_codec)!)!.Value;
}
