namespace Tessera.Numerics;

/// <summary>
/// Solves (diag(pull) + L) x = b for a weighted graph Laplacian L: conjugate gradients preconditioned
/// by <see cref="AggregationMultigrid"/>. Tile positions (<c>GlobalSolver</c>) and tile gains
/// (<c>GainSolver</c>) are both such systems, one unknown per tile and one link per neighbour pair.
/// </summary>
internal static class LaplacianSolver
{
    /// <param name="x">The start value on entry (a good one saves iterations), the solution on return.</param>
    public static SolveStats Solve(ReadOnlySpan<double> pulls, ReadOnlySpan<LaplacianLink> links, ReadOnlySpan<double> b, Span<double> x,
        double tolerance, int maxIterations = 1000)
    {
        var matrix = LaplacianMatrix.FromLinks(pulls, links);
        return ConjugateGradients.Solve(matrix, new AggregationMultigrid(matrix), b, x, tolerance, maxIterations);
    }
}
