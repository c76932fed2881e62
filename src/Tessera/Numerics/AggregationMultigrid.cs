namespace Tessera.Numerics;

/// <summary>
/// A multigrid preconditioner for <see cref="LaplacianMatrix"/> systems: each level pairs every
/// unknown with its most strongly linked neighbour, twice (aggregates of about four: on a grid,
/// 2×2 tiles become one coarse unknown), down to a few hundred unknowns solved directly. One
/// application is a K-cycle: two Gauss–Seidel sweeps forward, the coarse problem solved by two steps
/// of conjugate gradients preconditioned by the next level's cycle, two sweeps backward. The Krylov
/// steps make it slightly nonlinear, so the outer iteration is flexible conjugate gradients
/// (<see cref="ConjugateGradients"/>); with aggregates of four its cost is about twice a V-cycle's
/// and its iteration count stays flat in the grid's size.
/// </summary>
/// <remarks>
/// Aggregation keeps constants exact on every level, so the near-null space of a Laplacian with a
/// faint pull (a whole part of the grid shifted at once) is what the coarse levels solve: that is
/// what a diagonal preconditioner cannot do, and why it needed thousands of iterations on a
/// 600×600 grid. Unknowns without links (missing tiles) and parts that have become one unknown
/// drop out of the coarser levels: the smoother solves them exactly.
/// </remarks>
internal sealed class AggregationMultigrid : IPreconditioner
{
    /// <summary>At most this many unknowns are solved directly, by a dense factor (288 kB of doubles).</summary>
    private const int DirectSize = 192;

    /// <summary>A coarsening that keeps more than this share of the unknowns is not worth a level.</summary>
    private const double MinShrink = 0.85;

    /// <summary>Symmetric Gauss–Seidel sweeps at a coarsest level too large for the direct solve (coarsening stalled).</summary>
    private const int StalledSweeps = 20;

    /// <summary>A coarse residual cut below this share by the first Krylov step needs no second (Notay's t = 0.25).</summary>
    private const double KrylovThreshold = 0.25;

    private readonly LaplacianMatrix _finest;

    /// <summary>The levels of the last build, finest first; the list keeps those of an earlier, deeper build for their storage.</summary>
    private readonly List<Level> _levels = [];
    private readonly LaplacianMatrix _middle = new();
    private readonly CoarseningScratch _scratch = new();
    private int[] _first = [];
    private int[] _second = [];
    private double[] _dense = [];
    private int _depth;
    private LaplacianMatrix _coarsest;
    private DenseCholesky? _direct;

    public AggregationMultigrid(LaplacianMatrix matrix)
    {
        _finest = matrix;
        _coarsest = matrix;
        Rebuild();
    }

    /// <summary>
    /// Builds the hierarchy again for the matrix's current weights (after <see cref="LaplacianMatrix.SetWeights"/>),
    /// in the storage of the last build: the same levels as a new multigrid, without allocating
    /// where the new levels fit in the old ones' arrays.
    /// </summary>
    public void Rebuild()
    {
        _depth = 0;
        LaplacianMatrix current = _finest;
        while (current.Size > DirectSize)
        {
            int firstCount = current.PairwiseAggregates(Scratch.AtLeast(ref _first, current.Size));
            current.CoarsenInto(_first, firstCount, _middle, _scratch);
            int count = _middle.PairwiseAggregates(Scratch.AtLeast(ref _second, _middle.Size));
            if (count > MinShrink * current.Size)
            {
                break;
            }

            Level level = LevelAt(_depth++);
            level.Reset(current, count);
            for (int i = 0; i < current.Size; i++)
            {
                level.Aggregate[i] = _first[i] < 0 ? -1 : _second[_first[i]];
            }

            _middle.CoarsenInto(_second, count, level.Coarse, _scratch);
            current = level.Coarse;
        }

        LevelAt(_depth++).Reset(current, 0);
        _coarsest = current;
        _direct = null;
        if (current.Size <= DirectSize)
        {
            current.ToDense(Scratch.AtLeast(ref _dense, current.Size * current.Size));
            _direct = new DenseCholesky(_dense, current.Size);
        }
    }

    private Level LevelAt(int k)
    {
        if (k == _levels.Count)
        {
            _levels.Add(new Level());
        }

        return _levels[k];
    }

    /// <summary>Levels, the finest included.</summary>
    public int Depth => _depth;

    public void Apply(ReadOnlySpan<double> r, Span<double> z) => Cycle(0, r, z);

    /// <summary>x ≈ A⁻¹ b on level <paramref name="k"/>, from x = 0.</summary>
    private void Cycle(int k, ReadOnlySpan<double> b, Span<double> x)
    {
        Level level = _levels[k];
        LaplacianMatrix a = level.Matrix;
        x.Clear();
        if (k == _depth - 1)
        {
            SolveCoarsest(b, x);
            return;
        }

        a.SweepForward(b, x);
        a.SweepForward(b, x);
        Span<double> residual = level.Residual.AsSpan(0, a.Size);
        Span<double> coarseRight = level.CoarseRight.AsSpan(0, level.CoarseSize);
        a.Residual(b, x, residual);
        coarseRight.Clear();
        ReadOnlySpan<int> aggregate = level.Aggregate.AsSpan(0, a.Size);
        for (int i = 0; i < aggregate.Length; i++)
        {
            if (aggregate[i] >= 0)
            {
                coarseRight[aggregate[i]] += residual[i];
            }
        }

        CoarseCorrection(k, level);
        ReadOnlySpan<double> coarseSolution = level.CoarseSolution.AsSpan(0, level.CoarseSize);
        for (int i = 0; i < aggregate.Length; i++)
        {
            if (aggregate[i] >= 0)
            {
                x[i] += coarseSolution[aggregate[i]];
            }
        }

        a.SweepBackward(b, x);
        a.SweepBackward(b, x);
    }

    /// <summary>
    /// The coarse problem A_c e = r_c solved by up to two steps of conjugate gradients preconditioned
    /// by the next cycle (Notay's K-cycle): the second step only where the first left more than a
    /// quarter of the residual. Piecewise-constant aggregates make a plain coarse correction too weak,
    /// by a factor that grows with every level; the two Krylov steps rescale it, so the rate stays that
    /// of two levels however many there are.
    /// </summary>
    private void CoarseCorrection(int k, Level level)
    {
        LaplacianMatrix coarse = _levels[k + 1].Matrix;
        int n = level.CoarseSize;
        Span<double> r = level.CoarseRight.AsSpan(0, n), e = level.CoarseSolution.AsSpan(0, n);
        Span<double> c1 = level.First.AsSpan(0, n), v1 = level.FirstImage.AsSpan(0, n);
        Cycle(k + 1, r, c1);
        coarse.Multiply(c1, v1);
        double rho1 = Dot(c1, v1), alpha1 = Dot(c1, r);
        if (rho1 <= 0)
        {
            e.Clear();
            return;
        }

        Span<double> rest = level.Rest.AsSpan(0, n);
        double normR = Dot(r, r), normRest = 0;
        for (int i = 0; i < r.Length; i++)
        {
            rest[i] = r[i] - (alpha1 / rho1 * v1[i]);
            normRest += rest[i] * rest[i];
        }

        if (normRest <= KrylovThreshold * KrylovThreshold * normR)
        {
            Scale(c1, alpha1 / rho1, e);
            return;
        }

        Span<double> c2 = level.Second.AsSpan(0, n), v2 = level.SecondImage.AsSpan(0, n);
        Cycle(k + 1, rest, c2);
        coarse.Multiply(c2, v2);
        double gamma = Dot(c2, v1), beta = Dot(c2, v2), alpha2 = Dot(c2, rest);
        double rho2 = beta - (gamma * gamma / rho1);
        if (rho2 <= 0)
        {
            Scale(c1, alpha1 / rho1, e);
            return;
        }

        double f1 = (alpha1 / rho1) - (gamma * alpha2 / (rho1 * rho2)), f2 = alpha2 / rho2;
        for (int i = 0; i < e.Length; i++)
        {
            e[i] = (f1 * c1[i]) + (f2 * c2[i]);
        }
    }

    private static void Scale(ReadOnlySpan<double> v, double factor, Span<double> result)
    {
        for (int i = 0; i < v.Length; i++)
        {
            result[i] = factor * v[i];
        }
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private void SolveCoarsest(ReadOnlySpan<double> b, Span<double> x)
    {
        if (_direct is not null)
        {
            _direct.Solve(b, x);
            return;
        }

        for (int s = 0; s < StalledSweeps; s++)
        {
            _coarsest.SweepForward(b, x);
        }

        for (int s = 0; s < StalledSweeps; s++)
        {
            _coarsest.SweepBackward(b, x);
        }
    }

    /// <summary>
    /// One level: its matrix, the aggregate of each unknown on the next level, the next level's
    /// matrix (which this level owns, so that a rebuild writes it where it was) and the level's own
    /// work vectors, all kept from one build to the next.
    /// </summary>
    private sealed class Level
    {
        private int[] _aggregate = [];
        private double[] _residual = [];
        private double[] _coarseRight = [], _coarseSolution = [], _first = [], _firstImage = [], _second = [], _secondImage = [], _rest = [];

        public LaplacianMatrix Matrix { get; private set; } = null!;
        public LaplacianMatrix Coarse { get; } = new();
        public int CoarseSize { get; private set; }
        public int[] Aggregate => _aggregate;
        public double[] Residual => _residual;
        public double[] CoarseRight => _coarseRight;
        public double[] CoarseSolution => _coarseSolution;
        public double[] First => _first;
        public double[] FirstImage => _firstImage;
        public double[] Second => _second;
        public double[] SecondImage => _secondImage;
        public double[] Rest => _rest;

        /// <summary>Makes this the level of <paramref name="matrix"/>, whose unknowns form <paramref name="coarseSize"/> aggregates (0 on the coarsest level).</summary>
        public void Reset(LaplacianMatrix matrix, int coarseSize)
        {
            Matrix = matrix;
            CoarseSize = coarseSize;
            if (coarseSize == 0)
            {
                return;
            }

            Scratch.AtLeast(ref _aggregate, matrix.Size);
            Scratch.AtLeast(ref _residual, matrix.Size);
            Scratch.AtLeast(ref _coarseRight, coarseSize);
            Scratch.AtLeast(ref _coarseSolution, coarseSize);
            Scratch.AtLeast(ref _first, coarseSize);
            Scratch.AtLeast(ref _firstImage, coarseSize);
            Scratch.AtLeast(ref _second, coarseSize);
            Scratch.AtLeast(ref _secondImage, coarseSize);
            Scratch.AtLeast(ref _rest, coarseSize);
        }
    }
}
