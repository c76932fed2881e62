using System.Globalization;
using Tessera.Registration;
using Tessera.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Tessera.Tests;

/// <summary>The registration's global solve keeps its storage from one round of dropped links to the next.</summary>
[Collection(AloneCollection.Name)]
public sealed class GlobalSolverMemoryTests(ITestOutputHelper output)
{
    private const int Across = 120, Down = 100;
    private const double Step = 720, StepDown = 540;

    [Fact]
    public void Rounds_that_drop_links_allocate_little_beside_the_first_solve()
    {
        // The same grid solved twice: once with every link true (one round), once with a few links
        // off by 4 to 64 px, which the solve drops over several rounds. Each round used to build
        // its matrices, multigrid and vectors anew; now the rounds after the first reuse them.
        Solve(outliers: false, out _); // compiles the solve, so that compiling is counted in neither
        long oneRound = Solve(outliers: false, out _);
        long rounds = Solve(outliers: true, out int dropped);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Across}×{Down} tiles: one round {oneRound:N0} B, with {dropped} links dropped {rounds:N0} B"));

        Assert.True(dropped >= 3, $"only {dropped} links were dropped: the solve ran too few rounds to show anything");
        Assert.True(rounds < oneRound * 1.15, $"rounds that dropped {dropped} links allocated {rounds:N0} B, one round {oneRound:N0} B");
    }

    [Fact]
    public void One_round_allocates_under_500_bytes_a_tile()
    {
        // Both axes' weights, offsets and model grid as arrays (80 bytes a tile beside the solver's
        // own storage) cost 530 bytes a tile here; made from the links as they are read, 466.
        Solve(outliers: false, out _);
        long allocated = Solve(outliers: false, out _);
        double perTile = allocated / (double)(Across * Down);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Across}×{Down} tiles: one round {perTile:F0} B a tile"));

        Assert.True(perTile < 500, string.Create(CultureInfo.InvariantCulture, $"one round of the solve allocated {perTile:F0} B a tile"));
    }

    /// <summary>Bytes the process allocated to solve the grid's positions.</summary>
    private static long Solve(bool outliers, out int dropped)
    {
        int n = Across * Down;
        var links = new List<PairLink>(2 * n);
        for (int i = 0; i < n; i++)
        {
            int c = i % Across, r = i / Across;
            if (c > 0)
            {
                double off = outliers && i % 997 == 5 ? 64 >> (2 * (i % 3)) : 0;
                links.Add(new PairLink(i - 1, i, PairDirection.West, Step + off, 0, 0.9, PairOutcome.Measured, 0.05f, 0.05f));
            }

            if (r > 0)
            {
                links.Add(new PairLink(i - Across, i, PairDirection.North, 0, StepDown, 0.9, PairOutcome.Measured, 0.05f, 0.05f));
            }
        }

        var present = new bool[n];
        Array.Fill(present, true);
        var (x, y) = (new double[n], new double[n]);
        GC.Collect();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        GlobalSolver.Solve(present, Across, links, d => d == PairDirection.West ? (Step, 0) : (0, StepDown), _ => 1, 1.0, x, y);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        dropped = links.Count(l => l.Outcome == PairOutcome.RemovedBySolve);
        return allocated;
    }
}
