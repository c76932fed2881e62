using System.Globalization;
using Tessera.Illumination;
using Tessera.Registration;
using Tessera.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Tessera.Tests;

/// <summary>
/// What the end of a registration's run costs a tile: the position solve and the gains' solve each
/// make their storage once (matrix, multigrid, vectors), so the bytes they allocate are the bytes
/// they hold, and those grow with the grid. Measured on two grid sizes, so that the bound is on the
/// part that grows and not on what a solve costs whatever the grid.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class SolveStorageTests(ITestOutputHelper output)
{
    private const double Step = 720, StepDown = 540;

    [Fact]
    public void The_position_solve_holds_under_400_bytes_a_tile_on_either_grid_size()
    {
        // Main's solve, its matrix's rows made from a copy of the links, allocated 496 B a tile at
        // 120×100 here (472 for each tile added from 60×50); its matrix on the grid, 373 (342).
        PositionSolve(30, 25);
        var (small, large) = (PositionSolve(60, 50), PositionSolve(120, 100));
        AssertBound("the position solve", small, large, 400);
    }

    [Fact]
    public void The_gains_solve_holds_under_300_bytes_a_tile_on_either_grid_size()
    {
        // Main's, its rows made from an array of its links and a copy of the pulls, with slots for
        // reweighting it never asks for: 338 B a tile at 120×100 (313 for each tile added); from
        // the links as read, 275 (249).
        GainSolve(30, 25);
        var (small, large) = (GainSolve(60, 50), GainSolve(120, 100));
        AssertBound("the gains' solve", small, large, 300);
    }

    [Fact]
    public void A_matrix_laid_on_the_grid_gives_the_bits_of_one_made_of_rows()
    {
        // The same links, sorted as the pass sorts them, with a few pairs missing: the gains solved
        // with their matrix on the grid and with it made of rows are the same numbers, to the bit.
        const int across = 37, down = 23;
        int n = across * down;
        var random = new Random(11);
        var links = new List<GainLink>();
        for (int i = 0; i < n; i++)
        {
            foreach (var (first, ok, direction) in new[] { (i - 1, i % across > 0, 0), (i - across, i >= across, 1) })
            {
                if (ok && (i * 7) % 13 != direction)
                {
                    links.Add(new GainLink(first, i, 0.05 * (random.NextDouble() - 0.5), 50 + (400 * random.NextDouble()), direction, 1));
                }
            }
        }

        GainLink[] array = [.. links];
        var (rows, rowBiases, rowStats) = GainSolver.Solve(n, array, 1e-4, biases: 2, biasPull: 10);
        var (grid, gridBiases, gridStats) = GainSolver.Solve(n, array, 1e-4, biases: 2, biasPull: 10, gridWidth: across);
        Assert.Equal(rowStats, gridStats);
        Assert.Equal(rows, grid);
        Assert.Equal(rowBiases, gridBiases);

        // Links out of the grid's order are solved as rows, with the same result.
        GainLink[] shuffled = [.. array.Reverse()];
        var (anyOrder, _, _) = GainSolver.Solve(n, shuffled, 1e-4, biases: 2, biasPull: 10, gridWidth: across);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(rows[i], anyOrder[i], 1e-9);
        }
    }

    private void AssertBound(string what, (int Tiles, long Bytes) small, (int Tiles, long Bytes) large, double bound)
    {
        double perTile = large.Bytes / (double)large.Tiles;
        double added = (large.Bytes - small.Bytes) / (double)(large.Tiles - small.Tiles);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: {small.Bytes / (double)small.Tiles:F0} B a tile at {small.Tiles} tiles, {perTile:F0} at {large.Tiles}, {added:F0} a tile added"));
        Assert.True(perTile < bound, string.Create(CultureInfo.InvariantCulture, $"{what} allocated {perTile:F0} B a tile at {large.Tiles} tiles"));
        Assert.True(added < bound, string.Create(CultureInfo.InvariantCulture, $"{what} allocated {added:F0} B for each tile added"));
    }

    /// <summary>Tiles, and the bytes one round of the position solve allocated on a grid of true links.</summary>
    private static (int Tiles, long Bytes) PositionSolve(int across, int down)
    {
        int n = across * down;
        var links = new List<PairLink>(2 * n);
        for (int i = 0; i < n; i++)
        {
            if (i % across > 0)
            {
                links.Add(new PairLink(i - 1, i, PairDirection.West, Step, 0.25 * (i % 3), 0.9, PairOutcome.Measured, 0.05f, 0.08f));
            }

            if (i >= across)
            {
                links.Add(new PairLink(i - across, i, PairDirection.North, 0.25 * (i % 5), StepDown, 0.9, PairOutcome.Measured, 0.07f, 0.05f));
            }
        }

        var present = new bool[n];
        Array.Fill(present, true);
        var (x, y) = (new double[n], new double[n]);
        GC.Collect();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        GlobalSolver.Solve(present, across, links, d => d == PairDirection.West ? (Step, 0) : (0, StepDown), _ => 1, 1.0, x, y);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Equal(0, links.Count(l => l.Outcome != PairOutcome.Measured));
        Assert.InRange(x[n - 1] - x[0], ((across - 1) * Step) - 50, ((across - 1) * Step) + 50);
        return (n, allocated);
    }

    /// <summary>Tiles, and the bytes the gains' solve allocated on a grid whose every pair measured its ratio.</summary>
    private static (int Tiles, long Bytes) GainSolve(int across, int down)
    {
        int n = across * down;
        var truth = new double[n];
        var random = new Random(7);
        for (int i = 0; i < n; i++)
        {
            truth[i] = Math.Log(0.9 + (0.2 * random.NextDouble()));
        }

        var links = new List<GainLink>(2 * n);
        for (int i = 0; i < n; i++)
        {
            if (i % across > 0)
            {
                links.Add(new GainLink(i - 1, i, truth[i - 1] - truth[i], 400 + (i % 7)));
            }

            if (i >= across)
            {
                links.Add(new GainLink(i - across, i, truth[i - across] - truth[i], 300 + (i % 5)));
            }
        }

        GainLink[] array = [.. links];
        GC.Collect();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var (gains, _, stats) = GainSolver.Solve(n, array, 1e-4);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(stats.RelativeResidual < 1e-6, $"the gains' solve ended at a relative residual of {stats.RelativeResidual}");
        Assert.InRange(gains[n - 1] - gains[0], truth[n - 1] - truth[0] - 0.01, truth[n - 1] - truth[0] + 0.01);
        return (n, allocated);
    }
}
