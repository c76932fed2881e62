using System.CommandLine;
using System.Globalization;
using Tessera.Codecs;
using Tessera.Outputs;
using Tessera.Verification;

namespace Tessera.Cli;

/// <summary><c>tessera verify OUTPUT</c>: exit 0 only when every level and tile is there, the right size, and decodes.</summary>
internal static class VerifyCommand
{
    private const int ShownProblems = 50;

    public static Command Create()
    {
        var output = new Argument<string>("OUTPUT") { Description = "The output to check: OUTPUT.dzi, OUTPUT.zip, OUTPUT.ome.tif or OUTPUT.ome.zarr." };
        var skipBlank = new Option<bool>("--skip-blank") { Description = "The pyramid was built with --skip-blank: missing tiles are blank, not errors." };
        var threads = new Option<int>("--threads") { Description = "Tiles decoded at once (default: all cores).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("verify", "Check that an output is complete and sound: every level and tile present with the right size, every tile decodes, "
            + "the .dzi (or the OME-XML, or the OME-NGFF metadata) agrees with the files.")
        {
            output, skipBlank, threads,
        };
        command.SetAction(result => Errors.Guard(() =>
        {
            ITileCodec codec = TileCodecs.Create(CodecChoice.Auto, out _);
            using var disposeCodec = codec as IDisposable;
            string path = result.GetValue(output)!;
            int workers = result.GetValue(threads);
            return IsOmeTiff(path) ? Report(OmeTiffVerifier.Verify(path, codec, workers))
                : IsOmeZarr(path) ? Report(OmeZarrVerifier.Verify(path, workers))
                : Report(path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)
                    ? PyramidVerifier.VerifyZip(path, codec, workers, result.GetValue(skipBlank))
                    : PyramidVerifier.Verify(path, codec, workers, result.GetValue(skipBlank)));
        }));
        return command;
    }

    private static bool IsOmeTiff(string path) =>
        path.EndsWith(".ome.tif", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".ome.tiff", StringComparison.OrdinalIgnoreCase);

    /// <summary>NAME.ome.zarr, or any folder holding zarr metadata.</summary>
    private static bool IsOmeZarr(string path) =>
        path.TrimEnd('/', Path.DirectorySeparatorChar).EndsWith(".ome.zarr", StringComparison.OrdinalIgnoreCase)
        || File.Exists(Path.Combine(path, ".zgroup")) || File.Exists(Path.Combine(path, ".zattrs"));

    private static int Report(VerifyReport report) => report.IsSound
        ? Sound(string.Create(CultureInfo.InvariantCulture,
            $"{report.DziFile}: sound: {report.Geometry!.Width}×{report.Geometry.Height} px, {report.Geometry.LevelCount} levels, {report.TilesChecked:N0} {report.Format} tiles checked."))
        : Damaged(report.DziFile, report.Problems);

    private static int Report(RasterVerifyReport report)
    {
        if (!report.IsSound)
        {
            return Damaged(report.Path, report.Problems);
        }

        RasterPyramid raster = report.Raster!;
        string samples = raster.Channels == 1 ? "grey" : "RGB";
        return Sound(string.Create(CultureInfo.InvariantCulture,
            $"{report.Path}: sound: {raster.Width}×{raster.Height} px, {raster.LevelCount} levels, {raster.SampleType.OmeName()} {samples}, {report.TilesChecked:N0} {report.Compression} tiles checked."));
    }

    private static int Sound(string line)
    {
        Console.WriteLine(line);
        return 0;
    }

    private static int Damaged(string path, IReadOnlyList<string> problems)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.Error.WriteLine(string.Create(inv, $"{path}: {problems.Count:N0} problem(s):"));
        foreach (string problem in problems.Take(ShownProblems))
        {
            Console.Error.WriteLine($"  {problem}");
        }

        if (problems.Count > ShownProblems)
        {
            Console.Error.WriteLine(string.Create(inv, $"  … and {problems.Count - ShownProblems:N0} more."));
        }

        return Errors.InputError;
    }
}
