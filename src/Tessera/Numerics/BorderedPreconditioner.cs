namespace Tessera.Numerics;

/// <summary>
/// For a Laplacian system bordered by a few extra unknowns (a shared offset per link direction):
/// the Laplacian's own preconditioner on its block, the diagonal on the extra ones. The border's
/// coupling is of low rank (one column per extra unknown), so conjugate gradients needs only a few
/// more iterations than on the Laplacian alone.
/// </summary>
internal sealed class BorderedPreconditioner(IPreconditioner inner, int innerSize, double[] extraDiagonal) : IPreconditioner
{
    public void Apply(ReadOnlySpan<double> r, Span<double> z)
    {
        inner.Apply(r[..innerSize], z[..innerSize]);
        for (int k = 0; k < extraDiagonal.Length; k++)
        {
            z[innerSize + k] = r[innerSize + k] / extraDiagonal[k];
        }
    }
}
