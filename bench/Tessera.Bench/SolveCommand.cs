using System.Diagnostics;
using System.Globalization;
using Tessera.Numerics;

namespace Tessera.Bench;

/// <summary>
/// <c>solve [--across 600] [--down 600] [--seed 5] [--matrix grid|rows]</c>: times the multigrid-preconditioned solve of
/// one axis of tile positions on a synthetic grid of links weighted as registration weights them
/// (1/σ², σ 0.02–0.5 px; one link in ten left to the stage model's faint weight), and prints the
/// hierarchy's set-up time, the iterations, the solve time, the residual and the worst error against the truth.
/// </summary>
internal static class SolveCommand
{
    public static void Run(CommandArguments args)
    {
        int across = args.Int("across", 600, 2), down = args.Int("down", 600, 2), seed = args.Int("seed", 5, 0);
        string weights = args.String("weights", "registration");
        bool uniform = weights == "uniform";
        double weakShare = weights == "sigma" ? 0 : 0.1;
        string layout = args.String("matrix", "grid");
        if (layout is not ("grid" or "rows"))
        {
            throw new UsageException($"--matrix is grid (the weights read where they are, as the registration's solve does) or rows (rows made from a copy of the links, as the gains' solve does), not '{layout}'");
        }

        args.EnsureAllUsed(0);
        var random = new Random(seed);
        int n = across * down;
        double[] truth = new double[n];
        for (int i = 0; i < n; i++)
        {
            truth[i] = (i % across * 720.0) + (i / across * 1.5) + (random.NextDouble() * 40);
        }

        var links = new List<LaplacianLink>(2 * n);
        var (west, north) = (new double[n], new double[n]);
        var b = new double[n];
        var pulls = new double[n];
        Array.Fill(pulls, 1e-6);
        for (int i = 0; i < n; i++)
        {
            b[i] = 1e-6 * (truth[i] + 3);
            foreach (int j in (ReadOnlySpan<int>)[i % across > 0 ? i - 1 : -1, i >= across ? i - across : -1])
            {
                if (j >= 0)
                {
                    double w = uniform ? 100 : random.NextDouble() < weakShare ? 0.04 : 1 / Math.Pow(0.02 + (0.48 * random.NextDouble()), 2);
                    links.Add(new LaplacianLink(j, i, w));
                    (j == i - 1 ? west : north)[i] = w;
                    b[i] += w * (truth[i] - truth[j]);
                    b[j] -= w * (truth[i] - truth[j]);
                }
            }
        }

        var inv = CultureInfo.InvariantCulture;
        var clock = Stopwatch.StartNew();
        LaplacianMatrix matrix = layout == "grid" ? LaplacianMatrix.OnGrid(1e-6, across, west, north) : LaplacianMatrix.FromLinks(pulls, links.ToArray());
        var multigrid = new AggregationMultigrid(matrix);
        double setup = clock.Elapsed.TotalSeconds;
        var x = new double[n];
        clock.Restart();
        SolveStats stats = ConjugateGradients.Solve(matrix, multigrid, b, x, 1e-10, 1000);
        double solve = clock.Elapsed.TotalSeconds;
        double worst = 0;
        for (int i = 0; i < n; i++)
        {
            worst = Math.Max(worst, Math.Abs(x[i] - truth[i] - 3));
        }

        Console.WriteLine(string.Create(inv,
            $"{across}x{down} tiles, {links.Count} links, matrix {layout}: {multigrid.Depth} levels set up in {setup:F2} s; {stats.Iterations} iterations in {solve:F2} s ({1000 * solve / Math.Max(1, stats.Iterations):F0} ms each), relative residual {stats.RelativeResidual:E1}, worst error {worst:E2} px"));
    }
}
