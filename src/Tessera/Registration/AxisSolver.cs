using Tessera.Numerics;

namespace Tessera.Registration;

/// <summary>
/// One axis of the tile positions at a time, for <see cref="GlobalSolver"/>: the links' Laplacian
/// plus a faint pull of every tile towards the model grid, by multigrid-preconditioned conjugate
/// gradients (<see cref="LaplacianSolver"/>), warm-started from the positions given: a diagonal
/// preconditioner needed thousands of iterations on a 600×600 grid, where the error is a slow drift
/// across the whole grid that only a coarse level sees.
/// </summary>
/// <remarks>
/// Both axes and every round of dropped links share one solver, given each solve's weights
/// (<see cref="SetWeights"/>): its matrix, multigrid levels and vectors are made once, where a
/// solver per solve left all of them behind as garbage every round.
/// </remarks>
internal sealed class AxisSolver
{
    /// <summary>The pull of every tile towards its place on the model grid, against link weights of 1/σ².</summary>
    private const double PriorWeight = 1e-6;

    /// <summary>|b − A x| / |b| where an axis's solve stops: far below a thousandth of a pixel.</summary>
    private const double Tolerance = 1e-10;

    /// <summary>The multigrid takes a few dozen iterations at any grid size; this only bounds a pathological case.</summary>
    private const int MaxIterations = 1000;

    private readonly LaplacianSolver _solver;
    private readonly double[] _b;

    /// <param name="weights">One per link (positive): those of the first solve.</param>
    public AxisSolver(List<PairLink> links, double[] weights, int tiles)
    {
        var pulls = new double[tiles];
        Array.Fill(pulls, PriorWeight);
        var laplacian = new LaplacianLink[links.Count];
        for (int l = 0; l < links.Count; l++)
        {
            laplacian[l] = new LaplacianLink(links[l].First, links[l].Second, weights[l]);
        }

        _solver = new LaplacianSolver(pulls, laplacian);
        _b = new double[tiles];
    }

    /// <summary>New weights for the next solve, one per link in the constructor's order, each still positive.</summary>
    public void SetWeights(double[] weights) => _solver.SetWeights(weights);

    /// <summary>
    /// Positions <paramref name="p"/> on one axis from each link's offset and the weights last given,
    /// <paramref name="w"/>, and the model grid's <paramref name="prior"/>.
    /// </summary>
    public void Solve(List<PairLink> links, double[] w, Func<PairLink, double> offset, Func<int, double> prior, double[] p)
    {
        for (int i = 0; i < _b.Length; i++)
        {
            _b[i] = PriorWeight * prior(i);
        }

        for (int l = 0; l < links.Count; l++)
        {
            PairLink link = links[l];
            double d = offset(link);
            _b[link.Second] += w[l] * d;
            _b[link.First] -= w[l] * d;
        }

        _solver.Solve(_b, p, Tolerance, MaxIterations);
    }
}
