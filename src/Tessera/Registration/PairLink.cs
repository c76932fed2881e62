using System.Runtime.InteropServices;

namespace Tessera.Registration;

/// <summary>
/// One neighbour pair: cell indices (row-major) of the two tiles, the measured offset from the first
/// to the second (full resolution), its standard uncertainty per axis and what became of it.
/// </summary>
/// <param name="Correlation">Score of the best match (normalised cross-correlation of the whitened strips).</param>
/// <param name="SigmaX">Standard uncertainty of <paramref name="Dx"/>, px; infinite where this axis is not measurable (an edge seen along itself).</param>
/// <param name="SigmaY">The same for <paramref name="Dy"/>.</param>
/// <remarks>
/// Laid out by the runtime, not in the order of its fields: the links of a grid live from the pass
/// to the report, two a tile, and the declared order padded each to 56 bytes instead of 48.
/// </remarks>
[StructLayout(LayoutKind.Auto)]
internal readonly record struct PairLink(int First, int Second, PairDirection Direction, double Dx, double Dy, double Correlation, PairOutcome Outcome,
    float SigmaX = float.PositiveInfinity, float SigmaY = float.PositiveInfinity)
{
    public bool Measured => Outcome is PairOutcome.Measured or PairOutcome.Bridged or PairOutcome.Confirmed;
}
