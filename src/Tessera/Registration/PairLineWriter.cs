using System.Globalization;

namespace Tessera.Registration;

/// <summary>
/// Writes the lines of the report's pair table (<see cref="RegistrationReport.WritePairs"/>) into a
/// text writer field by field, formatting each number into one buffer: nothing is allocated per line.
/// </summary>
internal sealed class PairLineWriter(TextWriter writer)
{
    /// <summary>Room for any double in fixed-point notation with three decimals (up to 309 digits, a sign, the point).</summary>
    private readonly char[] _number = new char[320];

    /// <summary>One line: the two tiles' names, the direction, the offset, its σ per axis ("-" where not finite), the score and the outcome.</summary>
    public void Write(ReadOnlySpan<char> first, ReadOnlySpan<char> second, PairDirection direction, double dx, double dy, double sigmaX, double sigmaY,
        double score, PairOutcome outcome)
    {
        writer.Write(first);
        writer.Write('\t');
        writer.Write(second);
        writer.Write('\t');
        writer.Write(direction == PairDirection.West ? "horizontal" : "vertical");
        writer.Write('\t');
        Number(dx);
        writer.Write('\t');
        Number(dy);
        writer.Write('\t');
        Sigma(sigmaX);
        writer.Write('\t');
        Sigma(sigmaY);
        writer.Write('\t');
        Number(score);
        writer.Write('\t');
        writer.WriteLine(ReportPairs.OutcomeName(outcome));
    }

    private void Sigma(double sigma)
    {
        if (double.IsFinite(sigma))
        {
            Number(sigma);
        }
        else
        {
            writer.Write('-');
        }
    }

    private void Number(double value)
    {
        if (!value.TryFormat(_number, out int written, "F3", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"A number of the pair table does not fit {_number.Length} characters.");
        }

        writer.Write(_number, 0, written);
    }
}
