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
