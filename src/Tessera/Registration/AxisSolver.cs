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
    private readonly double[] _b;

    /// <summary>
    /// Where the links are a grid's, as the pass makes them (each the west or north pair of its
    /// second tile, in row-major order of it, west before north): each link's weight on the grid,
    /// by its second tile and direction, which the matrix reads where they are (<see cref="LaplacianMatrix.OnGrid"/>).
    /// Else null, and the weights go by link into <see cref="_weights"/>, which the matrix copies into rows.
    /// </summary>
    private readonly double[]? _west;
    private readonly double[]? _north;
    private readonly double[]? _weights;
    private readonly int _columns;
    private LaplacianSolver? _solver;

    /// <param name="links">The links of every solve, in this order; their outcomes may change between solves, not their number.</param>
    /// <param name="columns">The grid's width: the tiles are its cells, row-major.</param>
    public AxisSolver(List<PairLink> links, int tiles, int columns)
    {
        _links = links;
        _b = new double[tiles];
        _columns = columns;
        if (OnGrid(links, tiles, columns))
        {
            _west = new double[tiles];
            _north = new double[tiles];
        }
        else
        {
            _weights = new double[links.Count];
        }
    }

    /// <summary>
    /// Room a caller may borrow between solves (the iteration's vectors, which each solve writes
    /// before it reads them), rather than add arrays of its own beside the solver's; empty before the first solve.
    /// </summary>
    public Span<float> Scratch => _solver is null ? [] : _solver.Scratch;

    /// <summary>
    /// Positions <paramref name="p"/> on one axis from each link's <paramref name="term"/> (its
    /// weight, positive, and its offset, as the link reads now) and the model grid's <paramref name="prior"/>.
    /// </summary>
    public void Solve(Func<PairLink, (double W, double D)> term, Func<int, double> prior, double[] p)
    {
        for (int i = 0; i < _b.Length; i++)
        {
            _b[i] = PriorWeight * prior(i);
        }

        for (int l = 0; l < _links.Count; l++)
        {
            PairLink link = _links[l];
            var (w, d) = term(link);
            if (_weights is not null)
            {
                _weights[l] = w;
            }
            else
            {
                (link.Direction == PairDirection.West ? _west! : _north!)[link.Second] = w;
            }

            _b[link.Second] += w * d;
            _b[link.First] -= w * d;
        }

        if (_solver is null)
        {
            _solver = _weights is null
                ? new LaplacianSolver(LaplacianMatrix.OnGrid(PriorWeight, _columns, _west!, _north!))
                : Build(_weights);
        }
        else if (_weights is null)
        {
            _solver.WeightsChanged();
        }
        else
        {
            _solver.SetWeights(_weights);
        }

        _solver.Solve(_b, p, Tolerance, MaxIterations);
    }

    /// <summary>Whether every link is the west or north pair of its second tile, in row-major order of it, west before north, none twice.</summary>
    private static bool OnGrid(List<PairLink> links, int tiles, int columns)
    {
        long last = -1;
        foreach (PairLink link in links)
        {
            if (!LaplacianMatrix.IsNextOnGrid(link.First, link.Second, link.Direction == PairDirection.West, columns, tiles, ref last))
            {
                return false;
            }
        }

        return true;
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
