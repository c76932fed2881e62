using System.CommandLine;
using System.Globalization;
using Tessera.Codecs;
using Tessera.Illumination;
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
        var tiles = new TileSetOptions();
        var registration = new RegistrationCliOptions();
        var illumination = new IlluminationCliOptions();
        var output = new Option<string?>("--output") { Description = $"Positions file to write (Fiji syntax). Default: INPUT_DIR/{DefaultFileName}. The report goes beside it as .report.txt." };

        var command = new Command("register", "Measure where every tile really is (phase correlation of neighbours, one global solve) and write a Fiji TileConfiguration.registered.txt.");
        tiles.AddInput(command);
        tiles.AddOptions(command);
        registration.AddTo(command);
        illumination.AddTo(command);
        command.Options.Add(output);
        command.SetAction((result, cancellationToken) => Task.FromResult(Errors.Guard(() =>
        {
            string inputDir = tiles.InputDirectory(result);
            RegistrationOptions options = registration.ToOptions(result, tiles.Threads(result));
            ITileCodec codec = TileCodecs.Create(tiles.Codec(result), out _);
            using var disposeCodec = codec as IDisposable;
            TileGrid grid = GridScanner.Scan(inputDir, tiles.Layout(result));
            LayoutWarnings.PrintLeftOut(grid.LeftOut, tiles.Layout(result));
            var input = new TileInputCodec(codec, tiles.Input(result), tiles.Background(result), grid.Files());
            var files = new RegistrationFiles(result.GetValue(output) ?? Path.Combine(inputDir, DefaultFileName));
            GainSampling? gains = null;
            if (illumination.Balances(result))
            {
                // The flat-field a build will divide out first, so that the gains measured in the
                // registration's own pass are what is left after it.
                FlatField? field = illumination.FlatField(result)?.Create(grid.Files(), input, input.ReadHeader(grid.FirstTile));
                gains = new GainSampling(field, new GainBalanceOptions { Threads = options.Threads });
            }

            var pairs = new WorkProgress();
            RegistrationResult registered;
            using (var reporter = ProgressReporter.Start(ProgressStage.Of("registration", "pairs", pairs)))
            {
                registered = RegistrationRun.Run(grid, tiles.Overlap(result), options, input, inputDir, files, pairs, cancellationToken, gains);
            }

            GainMeasurement? measured = registered.Gains;
            // The summary once the bars are done; the report file has every pair too.
            Console.Write(registered.Report.Format());
            Console.WriteLine($"wrote             {files.Positions}");
            Console.WriteLine($"report            {files.Report}");
            if (measured is not null)
            {
                Console.WriteLine($"gains             {measured.Summary()}");
                Console.WriteLine($"wrote             {files.Gains}");
            }

            return 0;
        })));
        return command;
    }

    /// <summary>Where the report of positions file NAME.txt goes: NAME.report.txt beside it.</summary>
    public static string ReportOf(string positionsFile) => Path.ChangeExtension(positionsFile, ".report.txt");

    /// <summary>
    /// The pair table of the report beside <paramref name="positionsFile"/>, for the viewer's overlay;
    /// null where there is none. A report that cannot be read (an older format, a file of the user's)
    /// only costs the overlay its colours: a warning, not a failed build.
    /// </summary>
    public static IReadOnlyList<PairRecord>? PairsBeside(string positionsFile)
    {
        string report = ReportOf(positionsFile);
        if (!File.Exists(report))
        {
            return null;
        }

        try
        {
            return ReportPairs.Read(report);
        }
        catch (TesseraException e)
        {
            Console.Error.WriteLine($"tessera: warning: {e.Message} The viewer's tile outlines show no registration quality.");
            return null;
        }
    }
}
