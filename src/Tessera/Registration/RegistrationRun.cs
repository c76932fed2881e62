using System.Globalization;
using Tessera.Build;
using Tessera.Codecs;
using Tessera.Illumination;
using Tessera.Layout;

namespace Tessera.Registration;

/// <summary>
/// A registration as <c>tessera register</c> and a registering build both run it: measure, refuse a
/// result that measured nothing, and write the report and the positions.
/// </summary>
public static class RegistrationRun
{
    /// <summary>
    /// Registers <paramref name="grid"/> and writes <paramref name="files"/>' report and positions;
    /// where no pair could be measured the report is still written (it says why each failed), the
    /// positions are not, and a <see cref="RequestException"/> says so.
    /// </summary>
    /// <param name="codec">The codec the tiles are read with (a <see cref="TileInputCodec"/> for the request's input options).</param>
    /// <param name="gains">Also measure the tiles' gains in the same pass, and write them to <see cref="RegistrationFiles.Gains"/>; null measures none.</param>
    public static RegistrationResult Run(TileGrid grid, OverlapSpec overlap, RegistrationOptions options, ITileCodec codec,
        string inputDirectory, RegistrationFiles files, WorkProgress? progress = null, CancellationToken cancellationToken = default,
        GainSampling? gains = null)
    {
        RegistrationResult registered = GridRegistration.Run(grid, overlap, options, codec, cancellationToken, progress, gains);
        WriteReport(registered.Report, files.Report);
        RefuseIfNothingMeasured(registered.Report, overlap, files.Report);
        PositionsFile.WriteFiji(files.Positions, registered.Placements, inputDirectory);
        if (registered.Gains is { } measured)
        {
            GainsFile.Write(files.Gains, measured.Gains, inputDirectory, measured.Notes());
        }

        return registered;
    }

    private static void WriteReport(RegistrationReport report, string file)
    {
        using var writer = new StreamWriter(file);
        writer.Write(report.Format());
        writer.WriteLine();
        report.WritePairs(writer);
    }

    /// <summary>
    /// Positions placed by the stage model alone, with no pair measured, are the nominal grid
    /// dressed up as a measurement: refused, with the likely reason, and no positions file written.
    /// </summary>
    private static void RefuseIfNothingMeasured(RegistrationReport report, OverlapSpec overlap, string reportFile)
    {
        if (report.Tiles < 2 || report.Count(PairOutcome.Measured) + report.Count(PairOutcome.Confirmed) > 0)
        {
            return;
        }

        var inv = CultureInfo.InvariantCulture;
        string pairs = report.Pairs == 0
            ? "no two tiles are neighbours on the grid"
            : string.Create(inv, $"none of the {report.Pairs} neighbour pairs could be measured (\"{reportFile}\" says why each failed)");
        string why = report.Pairs == 0 ? "" : overlap is { X: 0, Y: 0 }
            ? "; Overlap 0 means none was given: give the tiles' nominal overlap, e.g. 10%"
            : "; check the Overlap against the tiles, and that their overlaps have texture";
        throw new RequestException($"Registration measured nothing: {pairs}{why}. No positions were written.", nameof(BuildRequest.Overlap));
    }
}
