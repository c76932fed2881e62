using System.CommandLine;
using Tessera.Codecs;
using Tessera.Layout;
using Tessera.Registration;

namespace Tessera.Cli;

/// <summary>
/// <c>tessera register INPUT_DIR</c>: measures where every tile really is and writes Fiji's
/// TileConfiguration.registered.txt, with a report beside it (and on standard output).
/// </summary>
internal static class RegisterCommand
{
    public const string DefaultFileName = "TileConfiguration.registered.txt";

    public static Command Create()
    {
        var input = new Argument<string>("INPUT_DIR") { Description = "Folder of input tiles (JPEG or PNG)." };
        var pattern = new Option<string?>("--pattern") { Description = "File name template, as for build. Default: {x}_{y}.jpg." };
        var order = new Option<string>("--order") { Description = "'pattern' or 'row-major' (needs --across).", DefaultValueFactory = _ => "pattern" };
        order.AcceptOnlyFromAmong("pattern", "row-major");
        var across = new Option<int?>("--across") { Description = "Tiles per row, for --order row-major." };
        var overlap = new Option<string>("--overlap") { Description = "Nominal overlap of neighbouring tiles: 10% or pixels (80,60 or 80).", DefaultValueFactory = _ => "0" };
        var output = new Option<string?>("--output") { Description = $"Positions file to write (Fiji syntax). Default: INPUT_DIR/{DefaultFileName}. The report goes beside it as .report.txt." };
        var search = new Option<int>("--search") { Description = "How far (px) a tile may be from its nominal place relative to a neighbour.", DefaultValueFactory = _ => new RegistrationOptions().SearchMargin };
        var scale = new Option<string>("--scale") { Description = "Decode at 1/N for the correlation: auto, 1, 2, 4 or 8.", DefaultValueFactory = _ => "auto" };
        scale.AcceptOnlyFromAmong("auto", "1", "2", "4", "8");
        var threads = new Option<int>("--threads") { Description = "Worker threads (default: all cores).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var codecOption = new Option<string>("--codec") { Description = "JPEG codec: auto, skia or turbojpeg.", DefaultValueFactory = _ => "auto" };
        codecOption.AcceptOnlyFromAmong("auto", "skia", "turbojpeg");

        var command = new Command("register", "Measure where every tile really is (phase correlation of neighbours, one global solve) and write a Fiji TileConfiguration.registered.txt.");
        command.Arguments.Add(input);
        foreach (Option option in new Option[] { pattern, order, across, overlap, output, search, scale, threads, codecOption })
        {
            command.Options.Add(option);
        }

        command.SetAction((result, cancellationToken) => Task.FromResult(Errors.Guard(() =>
        {
            string inputDir = result.GetValue(input)!;
            var layout = new LayoutOptions(result.GetValue(pattern), result.GetValue(order) == "row-major" ? TileOrder.RowMajor : TileOrder.Pattern, result.GetValue(across));
            OverlapSpec spec = OverlapSpec.Parse(result.GetValue(overlap)!);
            if (result.GetValue(threads) < 1)
            {
                throw new TesseraException("--threads must be at least 1.");
            }

            var options = new RegistrationOptions
            {
                SearchMargin = result.GetValue(search),
                DecodeScale = result.GetValue(scale) is "auto" or null ? null : int.Parse(result.GetValue(scale)!, System.Globalization.CultureInfo.InvariantCulture),
                Threads = result.GetValue(threads),
            };
            string target = result.GetValue(output) ?? Path.Combine(inputDir, DefaultFileName);
            TileGrid grid = GridScanner.Scan(inputDir, layout);
            CodecChoice choice = result.GetValue(codecOption) switch
            {
                "skia" => CodecChoice.Skia,
                "turbojpeg" => CodecChoice.TurboJpeg,
                _ => CodecChoice.Auto,
            };
            ITileCodec codec = TileCodecs.Create(choice, out _);
            using var disposeCodec = codec as IDisposable;
            RegistrationResult registered = GridRegistration.Run(grid, spec, options, codec, cancellationToken);
            PositionsFile.WriteFiji(target, registered.Placements, inputDir);
            string report = registered.Report.Format();
            File.WriteAllText(Path.ChangeExtension(target, ".report.txt"), report);
            Console.Write(report);
            Console.WriteLine($"wrote             {target}");
            return 0;
        })));
        return command;
    }
}
