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
            string positions = result.GetValue(output) ?? Path.Combine(inputDir, DefaultFileName);
            FlatFieldSpec? flatField = illumination.FlatField(result);
            IReadOnlyList<TilePlacement> placements = Register(grid, tiles.Overlap(result), options, input, inputDir, positions, cancellationToken);
            if (illumination.Balances(result))
            {
                WriteGains(placements, input, flatField, options.Threads, inputDir, GainsFile.SidecarOf(positions), cancellationToken);
            }

            return 0;
        })));
        return command;
    }

    /// <summary>Registers <paramref name="grid"/>, writes the positions file and its report, prints the report; returns the placements.</summary>
    public static IReadOnlyList<TilePlacement> Register(TileGrid grid, OverlapSpec overlap, RegistrationOptions options, ITileCodec codec,
        string inputDirectory, string positionsFile, CancellationToken cancellationToken)
    {
        RegistrationResult registered = GridRegistration.Run(grid, overlap, options, codec, cancellationToken);
        string report = registered.Report.Format();
        Console.Write(report);
        RefuseIfNothingMeasured(registered.Report, overlap);
        PositionsFile.WriteFiji(positionsFile, registered.Placements, inputDirectory);
        using (var writer = new StreamWriter(ReportOf(positionsFile)))
        {
            writer.Write(report);
            writer.WriteLine();
            registered.Report.WritePairs(writer);
        }

        Console.WriteLine($"wrote             {positionsFile}");
        return registered.Placements;
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
            return PairTable.Read(report);
        }
        catch (TesseraException e)
        {
            Console.Error.WriteLine($"tessera: warning: {e.Message} The viewer's tile outlines show no registration quality.");
            return null;
        }
    }

    /// <summary>
    /// Positions placed by the stage model alone, with no pair measured, are the nominal grid
    /// dressed up as a measurement: refused, with the likely reason, and no positions file written.
    /// </summary>
    private static void RefuseIfNothingMeasured(RegistrationReport report, OverlapSpec overlap)
    {
        if (report.Tiles < 2 || report.Count(PairOutcome.Measured) > 0)
        {
            return;
        }

        var inv = CultureInfo.InvariantCulture;
        string pairs = report.Pairs == 0
            ? "no two tiles are neighbours on the grid"
            : string.Create(inv, $"none of the {report.Pairs} neighbour pairs could be measured (the report above says why each failed)");
        string why = report.Pairs == 0 ? "" : overlap is { X: 0, Y: 0 }
            ? "; no overlap was given (--overlap 0): give the tiles' nominal overlap, e.g. --overlap 10%"
            : "; check --overlap against the tiles, and that their overlaps have texture";
        throw new TesseraException($"Registration measured nothing: {pairs}{why}. No positions were written.");
    }

    /// <summary>
    /// Measures every tile's gain at its registered place, after the flat-field a build will divide
    /// out first, and writes the gains beside the positions, where <c>build --positions</c> finds them.
    /// </summary>
    private static void WriteGains(IReadOnlyList<TilePlacement> placements, ITileCodec codec, FlatFieldSpec? flatField, int threads,
        string inputDirectory, string gainsFile, CancellationToken cancellationToken)
    {
        ImageHeader first = codec.ReadHeader(placements[0].Path);
        FlatField? field = flatField?.Create([.. placements.Select(p => p.Path)], codec, first);
        var mosaic = PlacedMosaic.FromPlacements(placements, _ => (first.Width, first.Height));
        GainMeasurement measured = GainBalance.Measure(mosaic, codec, field, new GainBalanceOptions { Threads = threads }, cancellationToken);
        GainsFile.Write(gainsFile, measured.Gains, inputDirectory, measured.Notes());
        Console.WriteLine($"gains             {measured.Summary()}");
        Console.WriteLine($"wrote             {gainsFile}");
    }
}
