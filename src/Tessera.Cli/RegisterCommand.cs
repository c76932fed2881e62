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
        var tiles = new TileSetOptions();
        var registration = new RegistrationCliOptions();
        var output = new Option<string?>("--output") { Description = $"Positions file to write (Fiji syntax). Default: INPUT_DIR/{DefaultFileName}. The report goes beside it as .report.txt." };

        var command = new Command("register", "Measure where every tile really is (phase correlation of neighbours, one global solve) and write a Fiji TileConfiguration.registered.txt.");
        tiles.AddInput(command);
        tiles.AddOptions(command);
        registration.AddTo(command);
        command.Options.Add(output);
        command.SetAction((result, cancellationToken) => Task.FromResult(Errors.Guard(() =>
        {
            string inputDir = tiles.InputDirectory(result);
            RegistrationOptions options = registration.ToOptions(result, tiles.Threads(result));
            ITileCodec codec = TileCodecs.Create(tiles.Codec(result), out _);
            using var disposeCodec = codec as IDisposable;
            TileGrid grid = GridScanner.Scan(inputDir, tiles.Layout(result));
            var input = new TileInputCodec(codec, tiles.Input(result), tiles.Background(result), grid.Files());
            Register(grid, tiles.Overlap(result), options, input, inputDir, result.GetValue(output) ?? Path.Combine(inputDir, DefaultFileName), cancellationToken);
            return 0;
        })));
        return command;
    }

    /// <summary>Registers <paramref name="grid"/>, writes the positions file and its report, prints the report; returns the placements.</summary>
    public static IReadOnlyList<TilePlacement> Register(TileGrid grid, OverlapSpec overlap, RegistrationOptions options, ITileCodec codec,
        string inputDirectory, string positionsFile, CancellationToken cancellationToken)
    {
        RegistrationResult registered = GridRegistration.Run(grid, overlap, options, codec, cancellationToken);
        PositionsFile.WriteFiji(positionsFile, registered.Placements, inputDirectory);
        string report = registered.Report.Format();
        using (var writer = new StreamWriter(Path.ChangeExtension(positionsFile, ".report.txt")))
        {
            writer.Write(report);
            writer.WriteLine();
            registered.Report.WritePairs(writer);
        }

        Console.Write(report);
        Console.WriteLine($"wrote             {positionsFile}");
        return registered.Placements;
    }
}
