using System.CommandLine;
using System.Globalization;
using Tessera.Codecs;
using Tessera.Verification;

namespace Tessera.Cli;

/// <summary><c>tessera verify OUTPUT.dzi</c>: exit 0 only when every level and tile is there, the right size, and decodes.</summary>
internal static class VerifyCommand
{
    private const int ShownProblems = 50;

    public static Command Create()
    {
        var dzi = new Argument<string>("OUTPUT.dzi|OUTPUT.zip") { Description = "The pyramid to check." };
        var skipBlank = new Option<bool>("--skip-blank") { Description = "The pyramid was built with --skip-blank: missing tiles are blank, not errors." };
        var threads = new Option<int>("--threads") { Description = "Tiles decoded at once (default: all cores).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("verify", "Check that a pyramid is complete and sound: every level and tile present with the right size, every tile decodes, the .dzi agrees with the files.")
        {
            dzi, skipBlank, threads,
        };
        command.SetAction(result => Errors.Guard(() =>
        {
            ITileCodec codec = TileCodecs.Create(CodecChoice.Auto, out _);
            using var disposeCodec = codec as IDisposable;
            string path = result.GetValue(dzi)!;
            VerifyReport report = path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)
                ? PyramidVerifier.VerifyZip(path, codec, result.GetValue(threads), result.GetValue(skipBlank))
                : PyramidVerifier.Verify(path, codec, result.GetValue(threads), result.GetValue(skipBlank));
            var inv = CultureInfo.InvariantCulture;
            if (report.IsSound)
            {
                Console.WriteLine(string.Create(inv,
                    $"{report.DziFile}: sound: {report.Geometry!.Width}×{report.Geometry.Height} px, {report.Geometry.LevelCount} levels, {report.TilesChecked:N0} {report.Format} tiles checked."));
                return 0;
            }

            Console.Error.WriteLine(string.Create(inv, $"{report.DziFile}: {report.Problems.Count:N0} problem(s):"));
            foreach (string problem in report.Problems.Take(ShownProblems))
            {
                Console.Error.WriteLine($"  {problem}");
            }

            if (report.Problems.Count > ShownProblems)
            {
                Console.Error.WriteLine(string.Create(inv, $"  … and {report.Problems.Count - ShownProblems:N0} more."));
            }

            return Errors.InputError;
        }));
        return command;
    }
}
