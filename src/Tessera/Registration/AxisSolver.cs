using System.Runtime.InteropServices;
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
/// Both axes and every round of dropped links share one solver: its matrix, multigrid levels and
/// vectors are made at the first solve and rewritten in place for each solve's weights, where a
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

    private readonly List<PairLink> _links;
    private readonly double[] _weights;
    private readonly double[] _b;
    private LaplacianSolver? _solver;

    /// <param name="links">The links of every solve, in this order; their outcomes may change between solves, not their number.</param>
    public AxisSolver(List<PairLink> links, int tiles)
    {
        _links = links;
        _weights = new double[links.Count];
        _b = new double[tiles];
    }

    /// <summary>
    /// The weights' storage seen as floats (two a link). Each solve rewrites it before it reads it and
    /// the matrix keeps its own copy, so between solves it is free: room a caller may borrow rather
    /// than add arrays of its own beside the solver's.
    /// </summary>
    public Span<float> Scratch => MemoryMarshal.Cast<double, float>(_weights.AsSpan());

    /// <summary>
    /// Positions <paramref name="p"/> on one axis from each link's <paramref name="term"/> (its
    /// weight, positive, and its offset, as the link reads now) and the model grid's <paramref name="prior"/>.
    /// </summary>
    public void Solve(Func<PairLink, (double W, double D)> term, Func<int, double> prior, double[] p)
    {
        for (int l = 0; l < _links.Count; l++)
        {
            _weights[l] = term(_links[l]).W;
        }

        if (_solver is null)
        {
            _solver = Build(_weights);
        }
        else
        {
            _solver.SetWeights(_weights);
        }

        for (int i = 0; i < _b.Length; i++)
        {
            _b[i] = PriorWeight * prior(i);
        }

        for (int l = 0; l < _links.Count; l++)
        {
            PairLink link = _links[l];
            double d = term(link).D;
            _b[link.Second] += _weights[l] * d;
            _b[link.First] -= _weights[l] * d;
        }

        _solver.Solve(_b, p, Tolerance, MaxIterations);
    }

    private LaplacianSolver Build(double[] weights)
    {
        var pulls = new double[_b.Length];
        Array.Fill(pulls, PriorWeight);
        var laplacian = new LaplacianLink[_links.Count];
        for (int l = 0; l < _links.Count; l++)
        {
            laplacian[l] = new LaplacianLink(_links[l].First, _links[l].Second, weights[l]);
        }

        return new LaplacianSolver(pulls, laplacian);
    }
}
