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
/// Both axes and every round of dropped links share one solver, given each solve's weights: its
/// matrix, multigrid levels and vectors are made once, where a solver per solve left all of them
/// behind as garbage every round.
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

    /// <summary>The weights the solver was made with, until its first solve; after that a solve always gives it its own.</summary>
    private double[]? _madeWith;

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
        _madeWith = weights;
    }

    /// <summary>Positions <paramref name="p"/> on one axis from each link's offset <paramref name="d"/> and weight <paramref name="w"/>, and the model grid's <paramref name="prior"/>.</summary>
    public void Solve(List<PairLink> links, double[] w, double[] d, double[] prior, double[] p)
    {
        if (!ReferenceEquals(w, _madeWith))
        {
            _solver.SetWeights(w);
        }

        _madeWith = null;
        for (int i = 0; i < _b.Length; i++)
        {
            _b[i] = PriorWeight * prior[i];
        }

        for (int l = 0; l < links.Count; l++)
        {
            int i = links[l].First, j = links[l].Second;
            _b[j] += w[l] * d[l];
            _b[i] -= w[l] * d[l];
        }

        _solver.Solve(_b, p, Tolerance, MaxIterations);
    }
}
