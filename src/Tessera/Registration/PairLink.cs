namespace Tessera.Registration;

/// <summary>
/// One neighbour pair: cell indices (row-major) of the two tiles, the measured offset from the first
/// to the second (full resolution), its standard uncertainty per axis and what became of it.
/// </summary>
/// <param name="Correlation">Score of the best match (normalised cross-correlation of the whitened strips).</param>
/// <param name="SigmaX">Standard uncertainty of <paramref name="Dx"/>, px; infinite where this axis is not measurable (an edge seen along itself).</param>
/// <param name="SigmaY">The same for <paramref name="Dy"/>.</param>
internal readonly record struct PairLink(int First, int Second, PairDirection Direction, double Dx, double Dy, double Correlation, PairOutcome Outcome,
    float SigmaX = float.PositiveInfinity, float SigmaY = float.PositiveInfinity)
{
    public bool Measured => Outcome is PairOutcome.Measured or PairOutcome.Bridged;
}
