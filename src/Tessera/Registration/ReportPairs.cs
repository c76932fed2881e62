using System.Globalization;

namespace Tessera.Registration;

/// <summary>
/// Reads back the pair table that <see cref="RegistrationReport.WritePairs"/> puts at the end of a
/// registration report (<c>NAME.report.txt</c>): one tab-separated line per pair under the header
/// <c>first second direction dx dy sigma_x sigma_y score outcome</c>. What comes before the header
/// (the summary a person reads) is skipped.
/// </summary>
public static class ReportPairs
{
    private const string Header = "first\tsecond\tdirection\tdx\tdy\tsigma_x\tsigma_y\tscore\toutcome";

    /// <exception cref="TesseraException">The file cannot be read, has no pair table, or a line of it is malformed (named by its number).</exception>
    public static IReadOnlyList<PairRecord> Read(string reportFile)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(reportFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TesseraException($"Cannot read the registration report \"{reportFile}\": {e.Message}", e);
        }

        int header = Array.IndexOf(lines, Header);
        if (header < 0)
        {
            throw new TesseraException($"\"{reportFile}\" is not a registration report: it has no pair table (a line \"{Header.Replace('\t', ' ')}\").");
        }

        var pairs = new List<PairRecord>(lines.Length - header - 1);
        for (int i = header + 1; i < lines.Length; i++)
        {
            if (lines[i].Length > 0)
            {
                pairs.Add(Parse(lines[i]) ?? throw new TesseraException(string.Create(CultureInfo.InvariantCulture,
                    $"\"{reportFile}\", line {i + 1}: not a pair (first, second, direction, dx, dy, sigma_x, sigma_y, score, outcome, tab-separated).")));
            }
        }

        return pairs;
    }

    private static PairRecord? Parse(string line)
    {
        string[] f = line.Split('\t');
        if (f.Length != 9 || f[0].Length == 0 || f[1].Length == 0 || Direction(f[2]) is not { } direction || Outcome(f[8]) is not { } outcome
            || !TryNumber(f[3], out double dx) || !TryNumber(f[4], out double dy) || !TrySigma(f[5], out double sx) || !TrySigma(f[6], out double sy)
            || !TryNumber(f[7], out double score))
        {
            return null;
        }

        return new PairRecord(f[0], f[1], direction, dx, dy, sx, sy, score, outcome);
    }

    private static PairDirection? Direction(string text) => text switch
    {
        "horizontal" => PairDirection.West,
        "vertical" => PairDirection.North,
        _ => null,
    };

    /// <summary>The names <see cref="RegistrationReport.WritePairs"/> gives the outcomes.</summary>
    public static PairOutcome? Outcome(string text) => text switch
    {
        "measured" => PairOutcome.Measured,
        "bridged" => PairOutcome.Bridged,
        "blank" => PairOutcome.Blank,
        "not-significant" => PairOutcome.LowCorrelation,
        "outside-stage-model" => PairOutcome.OutsideStageModel,
        "removed-by-solve" => PairOutcome.RemovedBySolve,
        "ambiguous" => PairOutcome.Ambiguous,
        "confirmed" => PairOutcome.Confirmed,
        _ => null,
    };

    /// <summary>An outcome's name in the report, as <see cref="RegistrationReport.WritePairs"/> writes it (the inverse of <see cref="Outcome"/>).</summary>
    public static string OutcomeName(PairOutcome outcome) => outcome switch
    {
        PairOutcome.Measured => "measured",
        PairOutcome.Bridged => "bridged",
        PairOutcome.Blank => "blank",
        PairOutcome.LowCorrelation => "not-significant",
        PairOutcome.OutsideStageModel => "outside-stage-model",
        PairOutcome.RemovedBySolve => "removed-by-solve",
        PairOutcome.Confirmed => "confirmed",
        _ => "ambiguous",
    };

    private static bool TryNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>"-" is an axis that was not measured: no uncertainty bound, as the report holds it.</summary>
    private static bool TrySigma(string text, out double value)
    {
        if (text == "-")
        {
            value = double.PositiveInfinity;
            return true;
        }

        return TryNumber(text, out value) && value >= 0;
    }
}
