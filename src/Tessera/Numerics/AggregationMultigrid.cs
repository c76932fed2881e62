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

    private readonly Level[] _levels;
    private readonly DenseCholesky? _direct;

    public AggregationMultigrid(LaplacianMatrix matrix)
    {
        var levels = new List<Level>();
        LaplacianMatrix current = matrix;
        while (current.Size > DirectSize)
        {
            int[] first = current.PairwiseAggregates(out int firstCount);
            LaplacianMatrix middle = current.Coarsen(first, firstCount);
            int[] second = middle.PairwiseAggregates(out int count);
            if (count > MinShrink * current.Size)
            {
                break;
            }

            var aggregate = new int[first.Length];
            for (int i = 0; i < first.Length; i++)
            {
                aggregate[i] = first[i] < 0 ? -1 : second[first[i]];
            }

            LaplacianMatrix coarse = middle.Coarsen(second, count);
            levels.Add(new Level(current, aggregate, coarse.Size));
            current = coarse;
        }

        levels.Add(new Level(current, [], 0));
        _levels = [.. levels];
        Coarsest = current;
        if (current.Size <= DirectSize)
        {
            _direct = new DenseCholesky(current.ToDense(), current.Size);
        }
    }

    /// <summary>Levels, the finest included.</summary>
    public int Depth => _levels.Length;

    private LaplacianMatrix Coarsest { get; }

    public void Apply(ReadOnlySpan<double> r, Span<double> z) => Cycle(0, r, z);

    /// <summary>x ≈ A⁻¹ b on level <paramref name="k"/>, from x = 0.</summary>
    private void Cycle(int k, ReadOnlySpan<double> b, Span<double> x)
    {
        Level level = _levels[k];
        LaplacianMatrix a = level.Matrix;
        x.Clear();
        if (k == _levels.Length - 1)
        {
            SolveCoarsest(b, x);
            return;
        }

        a.SweepForward(b, x);
        a.SweepForward(b, x);
        a.Residual(b, x, level.Residual);
        level.CoarseRight.AsSpan().Clear();
        for (int i = 0; i < level.Aggregate.Length; i++)
        {
            if (level.Aggregate[i] >= 0)
            {
                level.CoarseRight[level.Aggregate[i]] += level.Residual[i];
            }
        }

        CoarseCorrection(k, level);
        for (int i = 0; i < level.Aggregate.Length; i++)
        {
            if (level.Aggregate[i] >= 0)
            {
                x[i] += level.CoarseSolution[level.Aggregate[i]];
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
        double[] r = level.CoarseRight, e = level.CoarseSolution, c1 = level.First, v1 = level.FirstImage;
        Cycle(k + 1, r, c1);
        coarse.Multiply(c1, v1);
        double rho1 = Dot(c1, v1), alpha1 = Dot(c1, r);
        if (rho1 <= 0)
        {
            e.AsSpan().Clear();
            return;
        }

        double[] rest = level.Rest;
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

        double[] c2 = level.Second, v2 = level.SecondImage;
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

    private static void Scale(double[] v, double factor, double[] result)
    {
        for (int i = 0; i < v.Length; i++)
        {
            result[i] = factor * v[i];
        }
    }

    private static double Dot(double[] a, double[] b)
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
            Coarsest.SweepForward(b, x);
        }

        for (int s = 0; s < StalledSweeps; s++)
        {
            Coarsest.SweepBackward(b, x);
        }
    }

    /// <summary>One level: its matrix, the aggregate of each unknown on the next level, and the level's own work vectors.</summary>
    private sealed class Level(LaplacianMatrix matrix, int[] aggregate, int coarseSize)
    {
        public LaplacianMatrix Matrix { get; } = matrix;
        public int[] Aggregate { get; } = aggregate;
        public double[] Residual { get; } = new double[matrix.Size];
        public double[] CoarseRight { get; } = new double[coarseSize];
        public double[] CoarseSolution { get; } = new double[coarseSize];
        public double[] First { get; } = new double[coarseSize];
        public double[] FirstImage { get; } = new double[coarseSize];
        public double[] Second { get; } = new double[coarseSize];
        public double[] SecondImage { get; } = new double[coarseSize];
        public double[] Rest { get; } = new double[coarseSize];
    }
}
