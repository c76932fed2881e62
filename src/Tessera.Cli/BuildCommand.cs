using System.CommandLine;
using System.Globalization;
using Tessera.Build;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Pyramid;

namespace Tessera.Cli;

/// <summary><c>tessera build INPUT_DIR OUTPUT.dzi</c>: parses the options and runs <see cref="PyramidBuild"/>.</summary>
internal static class BuildCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("INPUT_DIR") { Description = "Folder of input tiles (JPEG or PNG, 8-bit RGB or grey)." };
        var output = new Argument<string>("OUTPUT.dzi") { Description = "The pyramid to write: OUTPUT.dzi and the tile folder OUTPUT_files beside it." };
        var pattern = new Option<string?>("--pattern")
        {
            Description = "File name template: {x} is the column and {y} the row (zero-padded and 1-based names work); {i} is a sequence number with --order row-major. Default: {x}_{y}.jpg.",
        };
        var order = new Option<string>("--order")
        {
            Description = "How files map to grid cells: 'pattern' (column and row in the name) or 'row-major' (numbered files, filled row by row; needs --across).",
            DefaultValueFactory = _ => "pattern",
        };
        order.AcceptOnlyFromAmong("pattern", "row-major");
        var across = new Option<int?>("--across") { Description = "Tiles per row, for --order row-major." };
        var overlap = new Option<string>("--overlap")
        {
            Description = "Nominal overlap of neighbouring tiles: a percentage of the tile (10%) or pixels (80,60 for horizontal,vertical; 80 for both). Seams run through the middle of each overlap.",
            DefaultValueFactory = _ => "0",
        };
        var tileSize = new Option<int>("--tile-size") { Description = "Pyramid tile size in pixels, without overlap.", DefaultValueFactory = _ => 254 };
        var tileOverlap = new Option<int>("--tile-overlap") { Description = "Pixels each pyramid tile repeats of its neighbours.", DefaultValueFactory = _ => 1 };
        var format = new Option<string>("--format") { Description = "Tile format: jpeg or png.", DefaultValueFactory = _ => "jpeg" };
        format.AcceptOnlyFromAmong("jpeg", "png");
        var quality = new Option<int>("--quality") { Description = "JPEG quality, 1-100.", DefaultValueFactory = _ => 75 };
        var threads = new Option<int>("--threads") { Description = "Worker threads (default: all cores).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var background = new Option<string>("--background")
        {
            Description = "Colour of cells without a tile: black, white, #rrggbb, r,g,b or a grey level.",
            DefaultValueFactory = _ => "black",
        };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing output pyramid." };
        var codec = new Option<string>("--codec")
        {
            Description = "JPEG codec: auto (the system's libjpeg-turbo where installed, else SkiaSharp), skia or turbojpeg.",
            DefaultValueFactory = _ => "auto",
        };
        codec.AcceptOnlyFromAmong("auto", "skia", "turbojpeg");

        var command = new Command("build", "Build a Deep Zoom pyramid straight from a grid of overlapping tiles.")
        {
            input, output, pattern, order, across, overlap, tileSize, tileOverlap, format, quality, threads, background, overwrite, codec,
        };

        command.SetAction((result, cancellationToken) => Task.FromResult(Errors.Guard(() =>
        {
            var request = new BuildRequest
            {
                InputDirectory = result.GetValue(input)!,
                OutputPath = result.GetValue(output)!,
                Layout = new LayoutOptions(
                    result.GetValue(pattern),
                    result.GetValue(order) == "row-major" ? TileOrder.RowMajor : TileOrder.Pattern,
                    result.GetValue(across)),
                Overlap = OverlapSpec.Parse(result.GetValue(overlap)!),
                Pyramid = new PyramidOptions
                {
                    TileSize = result.GetValue(tileSize),
                    Overlap = result.GetValue(tileOverlap),
                    Encode = new EncodeSettings(result.GetValue(format) == "png" ? TileFormat.Png : TileFormat.Jpeg, result.GetValue(quality)),
                    Threads = result.GetValue(threads),
                },
                Background = Rgb.Parse(result.GetValue(background)!),
                Overwrite = result.GetValue(overwrite),
            };
            CodecChoice choice = result.GetValue(codec) switch
            {
                "skia" => CodecChoice.Skia,
                "turbojpeg" => CodecChoice.TurboJpeg,
                _ => CodecChoice.Auto,
            };
            return Run(request, choice, cancellationToken);
        })));
        return command;
    }

    private static int Run(BuildRequest request, CodecChoice choice, CancellationToken cancellationToken)
    {
        ITileCodec codec = TileCodecs.Create(choice, out string codecName);
        using var disposeCodec = codec as IDisposable;
        var progress = new BuildProgress();
        using var reporter = ProgressReporter.Start(progress);
        BuildResult result;
        try
        {
            result = PyramidBuild.Run(request, codec, progress, cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or TesseraException)
        {
            reporter.Stop();
            if (e is TesseraException)
            {
                throw;
            }

            Console.Error.WriteLine("tessera: cancelled; nothing was kept.");
            return 130;
        }

        reporter.Stop();
        PrintSummary(result, codecName);
        return 0;
    }

    private static void PrintSummary(BuildResult r, string codecName)
    {
        var inv = CultureInfo.InvariantCulture;
        double seconds = r.Elapsed.TotalSeconds;
        Console.WriteLine(string.Format(inv,
            "Wrote {0}: {1}×{2} px, {3} levels, {4:N0} tiles in {5:F1} s ({6:N0} tiles/s).",
            r.Output.DziFile, r.Geometry.Width, r.Geometry.Height, r.Geometry.LevelCount, r.TilesWritten, seconds,
            r.TilesWritten / Math.Max(seconds, 1e-3)));
        Console.WriteLine(string.Format(inv,
            "Input: {0}×{1} grid of {2}×{3} px tiles, overlap {4}×{5} px; {6:N0} tile decodes; codec: {7}.",
            r.Columns, r.Rows, r.TileWidth, r.TileHeight, r.OverlapX, r.OverlapY, r.InputDecodes, codecName));
        if (r.MissingCells.Count > 0)
        {
            const int shown = 20;
            string cells = string.Join(", ", r.MissingCells.Take(shown).Select(c => string.Create(inv, $"({c.Column},{c.Row})")));
            string more = r.MissingCells.Count > shown ? string.Create(inv, $" and {r.MissingCells.Count - shown} more") : string.Empty;
            Console.Error.WriteLine(string.Create(inv,
                $"tessera: warning: {r.MissingCells.Count} grid cell(s) had no tile and were filled with the background: {cells}{more}."));
        }
    }
}
