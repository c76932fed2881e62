using System.CommandLine;
using System.Globalization;
using Tessera.Codecs;
using Tessera.Compositing;
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
            FlatFieldSpec? flatField = illumination.FlatField(result);
            var pairs = new WorkProgress();
            var gains = new WorkProgress();
            RegistrationResult registered;
            GainMeasurement? measured = null;
            using (var reporter = ProgressReporter.Start(ProgressStage.Of("registration", "pairs", pairs), ProgressStage.Of("gains", "tiles", gains)))
            {
                registered = RegistrationRun.Run(grid, tiles.Overlap(result), options, input, inputDir, files, pairs, cancellationToken);
                if (illumination.Balances(result))
                {
                    measured = MeasureGains(registered.Placements, input, flatField, options.Threads, inputDir, files.Gains, gains, cancellationToken);
                }
            }

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

    /// <summary>
    /// Measures every tile's gain at its registered place, after the flat-field a build will divide
    /// out first, and writes the gains beside the positions, where <c>build --positions</c> finds them.
    /// </summary>
    private static GainMeasurement MeasureGains(IReadOnlyList<TilePlacement> placements, ITileCodec codec, FlatFieldSpec? flatField, int threads,
        string inputDirectory, string gainsFile, WorkProgress progress, CancellationToken cancellationToken)
    {
        ImageHeader first = codec.ReadHeader(placements[0].Path);
        FlatField? field = flatField?.Create([.. placements.Select(p => p.Path)], codec, first);
        var mosaic = PlacedMosaic.FromPlacements(placements, _ => (first.Width, first.Height));
        GainMeasurement measured = GainBalance.Measure(mosaic, codec, field, new GainBalanceOptions { Threads = threads }, cancellationToken, progress);
        GainsFile.Write(gainsFile, measured.Gains, inputDirectory, measured.Notes());
        return measured;
    }
}
