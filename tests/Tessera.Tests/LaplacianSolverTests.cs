using System.Diagnostics;
using System.Globalization;
using Tessera.Numerics;
using Xunit;
using Xunit.Abstractions;

namespace Tessera.Tests;

/// <summary>The multigrid-preconditioned solve of the grid Laplacians behind tile positions and gains.</summary>
public sealed class LaplacianSolverTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(3, 4, 1.0)]
    [InlineData(20, 20, 1e-2)]
    [InlineData(31, 17, 1e-3)]
    public void Solution_matches_a_direct_solve_of_the_same_grid(int across, int down, double pull)
    {
        var random = new Random(across * down);
        var (pulls, links) = Grid(across, down, pull, _ => true, (_, _) => Math.Pow(10, 4 * random.NextDouble()));
        double[] b = Enumerable.Range(0, across * down).Select(_ => random.NextDouble() - 0.5).ToArray();

        var x = new double[b.Length];
        SolveStats stats = LaplacianSolver.Solve(pulls, links, b, x, 1e-13);
        double[] direct = DirectSolve(pulls, links, b);

        double scale = direct.Max(Math.Abs);
        double worst = Enumerable.Range(0, b.Length).Max(i => Math.Abs(x[i] - direct[i]));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{stats.Iterations} iterations, worst {worst:E2} of {scale:E2}"));
        Assert.True(worst <= 1e-8 * scale, $"unknown off by {worst:E2} (solution up to {scale:E2})");
    }

    [Fact]
    public void Disconnected_parts_and_missing_tiles_are_each_solved_to_their_own_truth()
    {
        // A 40×30 grid cut in two by an empty column, with scattered missing tiles; links measure the
        // true differences exactly, so each connected part lies at the truth shifted as a whole, by
        // the mean of its own tiles' prior offsets (the faint pull decides only that); a tile
        // without links stays at its prior.
        const int across = 40, down = 30;
        var random = new Random(11);
        bool[] present = Enumerable.Range(0, across * down).Select(i => i % across != 17 && random.NextDouble() > 0.08).ToArray();
        double[] truth = Enumerable.Range(0, across * down).Select(i => (i % across * 720.0) + (random.NextDouble() * 30)).ToArray();
        var (pulls, links) = Grid(across, down, 1e-4, i => present[i], (_, _) => Math.Pow(10, 1 + (3 * random.NextDouble())));
        double[] prior = Enumerable.Range(0, truth.Length).Select(i => truth[i] + (i % across < 17 ? 5.0 : -9.0) + (6 * random.NextDouble()) - 3).ToArray();
        double[] b = RightHandSide(pulls, links, prior, truth);

        var x = new double[b.Length];
        SolveStats stats = LaplacianSolver.Solve(pulls, links, b, x, 1e-12);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{stats.Iterations} iterations, residual {stats.RelativeResidual:E1}"));

        Assert.True(stats.RelativeResidual <= 1e-12);
        int[] part = Parts(truth.Length, links);
        var shift = new Dictionary<int, (double Sum, int Count)>();
        for (int i = 0; i < truth.Length; i++)
        {
            var (sum, count) = shift.GetValueOrDefault(part[i]);
            shift[part[i]] = (sum + prior[i] - truth[i], count + 1);
        }

        Assert.True(shift.Count >= 2 + present.Count(p => !p), "the grid falls into two parts besides its missing tiles");
        for (int i = 0; i < truth.Length; i++)
        {
            var (sum, count) = shift[part[i]];
            Assert.True(Math.Abs(x[i] - (truth[i] + (sum / count))) < 1e-3,
                $"tile {i % across},{i / across} ({(present[i] ? "present" : "missing")}): {x[i]:F6}, not {truth[i] + (sum / count):F6}");
        }
    }

    [Fact]
    public void A_600_by_600_grid_of_720000_links_converges_to_the_true_positions()
    {
        const int across = 600, down = 600;
        var random = new Random(5);
        // Weights as the registration gives them: 1/σ² of measured pairs (σ 0.02–0.5 px), and the
        // stage model's faint weight where a pair was not measured.
        var (pulls, links) = Grid(across, down, 1e-6, _ => true,
            (_, _) => random.NextDouble() < 0.1 ? 0.04 : 1 / Math.Pow(0.02 + (0.48 * random.NextDouble()), 2));
        double[] truth = Enumerable.Range(0, across * down).Select(i => (i % across * 720.0) + (i / across * 1.5) + (random.NextDouble() * 40)).ToArray();
        // The pull is towards the truth shifted by 3 px, so the least-squares solution is exactly that;
        // the solve starts from the nominal grid, 40 px and more away.
        double[] prior = truth.Select(t => t + 3).ToArray();
        double[] b = RightHandSide(pulls, links, prior, truth);

        double[] x = Enumerable.Range(0, truth.Length).Select(i => i % across * 720.0).ToArray();
        var clock = Stopwatch.StartNew();
        SolveStats stats = LaplacianSolver.Solve(pulls, links, b, x, 1e-10);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{links.Length} links: {stats.Iterations} iterations in {clock.Elapsed.TotalSeconds:F2} s, relative residual {stats.RelativeResidual:E1}"));

        Assert.True(stats.RelativeResidual <= 1e-10, $"stopped at {stats.RelativeResidual:E1} after {stats.Iterations} iterations");
        double worst = Enumerable.Range(0, truth.Length).Max(i => Math.Abs(x[i] - truth[i] - 3));
        Assert.True(worst < 1e-2, $"a position is {worst:E2} px off the least-squares solution");
    }

    [Fact]
    public void Solving_again_with_new_weights_gives_the_bits_of_a_new_solver()
    {
        // Round after round the registration's solve lowers the weights of the links it drops and
        // solves again in the same storage: each round must be exactly what a solver made for its
        // weights gives, whatever the levels of the rounds before left in the arrays.
        const int across = 45, down = 38;
        var random = new Random(3);
        var (pulls, links) = Grid(across, down, 1e-6, _ => true, (_, _) => 1 / Math.Pow(0.02 + (0.48 * random.NextDouble()), 2));
        double[] b = Enumerable.Range(0, pulls.Length).Select(_ => random.NextDouble() - 0.5).ToArray();
        var reused = new LaplacianSolver(pulls, links);
        var x = new double[b.Length];
        reused.Solve(b, x, 1e-12);
        double[] weights = links.Select(l => l.Weight).ToArray();
        for (int round = 1; round <= 3; round++)
        {
            // A round drops a few links (their weight falls to the stage model's) and, the last time, a whole column of them.
            for (int l = 0; l < weights.Length; l++)
            {
                if (random.NextDouble() < 0.05 * round || (round == 3 && links[l].Second % across == 20))
                {
                    weights[l] = 0.04;
                }
            }

            LaplacianLink[] now = links.Select((l, k) => l with { Weight = weights[k] }).ToArray();
            double[] start = (double[])x.Clone();
            reused.SetWeights(weights);
            SolveStats again = reused.Solve(b, x, 1e-12);
            var fresh = (double[])start.Clone();
            SolveStats once = new LaplacianSolver(pulls, now).Solve(b, fresh, 1e-12);

            Assert.Equal(once.Iterations, again.Iterations);
            for (int i = 0; i < x.Length; i++)
            {
                Assert.True(BitConverter.DoubleToInt64Bits(x[i]) == BitConverter.DoubleToInt64Bits(fresh[i]),
                    $"round {round}, unknown {i}: {x[i]:R} after new weights, {fresh[i]:R} from a new solver");
            }
        }
    }

    [Fact]
    public void Solving_again_with_new_weights_allocates_almost_nothing()
    {
        // What the first solve allocates (matrix, multigrid levels, vectors: about 330 bytes an
        // unknown) a round with new weights must not allocate again: at 600×600 tiles that is
        // 120 MB for each axis of each round, garbage that only a full collection gives back.
        const int across = 100, down = 100;
        var random = new Random(8);
        var (pulls, links) = Grid(across, down, 1e-6, _ => true, (_, _) => 1 / Math.Pow(0.02 + (0.48 * random.NextDouble()), 2));
        double[] b = Enumerable.Range(0, pulls.Length).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] weights = links.Select(l => l.Weight).ToArray();
        var x = new double[b.Length];
        var warm = new LaplacianSolver(pulls, links); // compiles what follows, so that compiling allocates nothing below
        warm.Solve(b, x, 1e-10);
        warm.SetWeights(weights);
        warm.Solve(b, x, 1e-10);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var solver = new LaplacianSolver(pulls, links);
        Array.Clear(x);
        solver.Solve(b, x, 1e-10);
        long first = GC.GetAllocatedBytesForCurrentThread() - before;

        for (int l = 0; l < weights.Length; l += 17)
        {
            weights[l] = 0.04;
        }

        before = GC.GetAllocatedBytesForCurrentThread();
        solver.SetWeights(weights);
        solver.Solve(b, x, 1e-10);
        long second = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        solver.SetWeights(weights);
        solver.Solve(b, x, 1e-10);
        long third = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first solve {first:N0} B, again with new weights {second:N0} B, with the same {third:N0} B"));

        Assert.True(first > 100 * pulls.Length, $"the first solve allocated only {first:N0} B: not measured");
        Assert.True(second < first / 20, $"a solve with new weights allocated {second:N0} B, the first {first:N0} B");
        Assert.True(third < 1024, $"a solve with the weights of the last allocated {third:N0} B");
    }

    /// <summary>A grid's west and north links among present cells, each with its weight.</summary>
    private static (double[] Pulls, LaplacianLink[] Links) Grid(int across, int down, double pull, Func<int, bool> present, Func<int, int, double> weight)
    {
        var links = new List<LaplacianLink>();
        for (int i = 0; i < across * down; i++)
        {
            int c = i % across;
            if (c > 0 && present(i) && present(i - 1))
            {
                links.Add(new LaplacianLink(i - 1, i, weight(i - 1, i)));
            }

            if (i >= across && present(i) && present(i - across))
            {
                links.Add(new LaplacianLink(i - across, i, weight(i - across, i)));
            }
        }

        return (Enumerable.Repeat(pull, across * down).ToArray(), [.. links]);
    }

    /// <summary>b of min Σ w (x₂ − x₁ − d)² + Σ pull (x − prior)² where every link measures d = truth₂ − truth₁.</summary>
    private static double[] RightHandSide(double[] pulls, LaplacianLink[] links, double[] prior, double[] truth)
    {
        double[] b = pulls.Select((p, i) => p * prior[i]).ToArray();
        foreach (LaplacianLink link in links)
        {
            double d = truth[link.Second] - truth[link.First];
            b[link.Second] += link.Weight * d;
            b[link.First] -= link.Weight * d;
        }

        return b;
    }

    /// <summary>The connected part of each unknown (union–find over the links).</summary>
    private static int[] Parts(int n, LaplacianLink[] links)
    {
        int[] parent = Enumerable.Range(0, n).ToArray();
        int Root(int i) => parent[i] == i ? i : parent[i] = Root(parent[i]);
        foreach (LaplacianLink l in links)
        {
            parent[Root(l.First)] = Root(l.Second);
        }

        return Enumerable.Range(0, n).Select(Root).ToArray();
    }

    /// <summary>Gaussian elimination with partial pivoting on the dense matrix: the independent reference.</summary>
    private static double[] DirectSolve(double[] pulls, LaplacianLink[] links, double[] b)
    {
        int n = b.Length;
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            a[i, i] = pulls[i];
        }

        foreach (LaplacianLink l in links)
        {
            a[l.First, l.First] += l.Weight;
            a[l.Second, l.Second] += l.Weight;
            a[l.First, l.Second] -= l.Weight;
            a[l.Second, l.First] -= l.Weight;
        }

        double[] x = (double[])b.Clone();
        for (int k = 0; k < n; k++)
        {
            int pivot = k;
            for (int i = k + 1; i < n; i++)
            {
                if (Math.Abs(a[i, k]) > Math.Abs(a[pivot, k]))
                {
                    pivot = i;
                }
            }

            if (pivot != k)
            {
                for (int j = 0; j < n; j++)
                {
                    (a[k, j], a[pivot, j]) = (a[pivot, j], a[k, j]);
                }

                (x[k], x[pivot]) = (x[pivot], x[k]);
            }

            for (int i = k + 1; i < n; i++)
            {
                double f = a[i, k] / a[k, k];
                if (f == 0)
                {
                    continue;
                }

                for (int j = k; j < n; j++)
                {
                    a[i, j] -= f * a[k, j];
                }

                x[i] -= f * x[k];
            }
        }

        for (int i = n - 1; i >= 0; i--)
        {
            double s = x[i];
            for (int j = i + 1; j < n; j++)
            {
                s -= a[i, j] * x[j];
            }

            x[i] = s / a[i, i];
        }

        return x;
    }
}
