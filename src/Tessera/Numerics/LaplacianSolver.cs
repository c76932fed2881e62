namespace Tessera.Numerics;

/// <summary>
/// Solves (diag(pull) + L) x = b for a weighted graph Laplacian L: conjugate gradients preconditioned
/// by <see cref="AggregationMultigrid"/>. Tile positions (<c>GlobalSolver</c>) and tile gains
/// (<c>GainSolver</c>) are both such systems, one unknown per tile and one link per neighbour pair.
/// </summary>
/// <remarks>
/// One solver serves a graph for as many solves as its caller has: the registration's solve drops
/// links and solves again, round after round, on the same 720,000 links of a 600×600 grid. The
/// matrix, the multigrid's levels and the iteration's vectors are made once and rewritten in place
/// (<see cref="SetWeights"/>), so that a round allocates nothing instead of tens of megabytes that
/// only a full collection gives back.
/// </remarks>
internal sealed class LaplacianSolver
{
    private readonly LaplacianMatrix _matrix;
    private readonly AggregationMultigrid _multigrid;
    private readonly double[] _work;

    /// <param name="pulls">One per unknown, ≥ 0.</param>
    /// <param name="links">Weights ≥ 0; a link of a tile to itself counts nothing.</param>
    public LaplacianSolver(ReadOnlySpan<double> pulls, ReadOnlySpan<LaplacianLink> links)
        : this(LaplacianMatrix.FromLinks(pulls, links))
    {
    }

    /// <param name="matrix">The system's matrix, e.g. one on a grid (<see cref="LaplacianMatrix.OnGrid"/>), whose weights its caller rewrites before <see cref="WeightsChanged"/>.</param>
    public LaplacianSolver(LaplacianMatrix matrix)
    {
        _matrix = matrix;
        _multigrid = new AggregationMultigrid(_matrix);
        _work = new double[ConjugateGradients.WorkLength(_matrix.Size)];
    }

    /// <summary>
    /// The iteration's vectors seen as floats (ten an unknown). Every solve writes them before it reads
    /// them, so between solves they are free: room a caller may borrow rather than add arrays of its own.
    /// </summary>
    public Span<float> Scratch => System.Runtime.InteropServices.MemoryMarshal.Cast<double, float>(_work.AsSpan());

    /// <summary>After a grid matrix's caller rewrote its weights (<see cref="LaplacianMatrix.OnGrid"/>): its diagonal, and the multigrid built again in its storage.</summary>
    public void WeightsChanged()
    {
        _matrix.WeightsChanged();
        _multigrid.Rebuild();
    }

    /// <summary>
    /// New weights for the links given to the constructor, in their order (each still positive
    /// where it was): the multigrid is built again for them, in the storage it had.
    /// </summary>
    public void SetWeights(ReadOnlySpan<double> weights)
    {
        _matrix.SetWeights(weights);
        _multigrid.Rebuild();
    }

    /// <param name="x">The start value on entry (a good one saves iterations), the solution on return.</param>
    public SolveStats Solve(ReadOnlySpan<double> b, Span<double> x, double tolerance, int maxIterations = 1000) =>
        ConjugateGradients.Solve(_matrix, _multigrid, b, x, tolerance, maxIterations, _work);

    /// <summary>One solve of the system of <paramref name="pulls"/> and <paramref name="links"/>.</summary>
    /// <param name="x">The start value on entry (a good one saves iterations), the solution on return.</param>
    public static SolveStats Solve(ReadOnlySpan<double> pulls, ReadOnlySpan<LaplacianLink> links, ReadOnlySpan<double> b, Span<double> x,
        double tolerance, int maxIterations = 1000) =>
        new LaplacianSolver(pulls, links).Solve(b, x, tolerance, maxIterations);
}
