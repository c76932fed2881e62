using System.Globalization;
using Tessera.Registration;
using Xunit;

namespace Tessera.Tests;

/// <summary>The global solve's rule for dropping links it disagrees with, on link sets made in code.</summary>
public sealed class GlobalSolverTests
{
    private const int Columns = 4, Rows = 3;
    private const double StepX = 100, StepY = 80;

    /// <summary>True positions: the nominal grid with a few pixels of jitter per tile.</summary>
    private static (double X, double Y) Truth(int tile)
    {
        int c = tile % Columns, r = tile / Columns;
        return ((c * StepX) + (3 * Math.Sin(tile + 1)), (r * StepY) + (4 * Math.Cos(2 * tile)));
    }

    /// <summary>Every west and north link, measured right to σ 0.1 px with score 0.9.</summary>
    private static List<PairLink> RightLinks()
    {
        var links = new List<PairLink>();
        for (int i = 0; i < Columns * Rows; i++)
        {
            if (i % Columns > 0)
            {
                links.Add(Link(i - 1, i, PairDirection.West, 0.9f, 0.1f));
            }

            if (i >= Columns)
            {
                links.Add(Link(i - Columns, i, PairDirection.North, 0.9f, 0.1f));
            }
        }

        return links;
    }

    private static PairLink Link(int first, int second, PairDirection direction, float score, float sigma, double offX = 0, double offY = 0)
    {
        var (ax, ay) = Truth(first);
        var (bx, by) = Truth(second);
        return new PairLink(first, second, direction, bx - ax + offX, by - ay + offY, score, PairOutcome.Measured, sigma, sigma);
    }

    private static (double[] X, double[] Y) Solve(List<PairLink> links)
    {
        var x = new double[Columns * Rows];
        var y = new double[Columns * Rows];
        GlobalSolver.Solve(Enumerable.Repeat(true, Columns * Rows).ToArray(), Columns, links,
            d => d == PairDirection.West ? (StepX, 0) : (0, StepY), _ => 8, 0.1, x, y);
        return (x, y);
    }

    private static int Index(List<PairLink> links, int first, int second) => links.FindIndex(l => l.First == first && l.Second == second);

    private static void AssertPlacedRight(double[] x, double[] y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            var (tx, ty) = Truth(i);
            double ex = x[i] - x[0] - (tx - Truth(0).X), ey = y[i] - y[0] - (ty - Truth(0).Y);
            Assert.True(Math.Abs(ex) < 0.05 && Math.Abs(ey) < 0.05, string.Create(CultureInfo.InvariantCulture, $"tile {i} is ({ex:F2}, {ey:F2}) px off"));
        }
    }

    [Fact]
    public void Of_two_links_that_disagree_alike_the_weaker_match_is_dropped_and_the_other_kept()
    {
        // The corner tile has two links: its west one right (score 0.8), its north one 15 px off
        // (score 0.6), both σ 0.3. The solution misses both alike; dropping both would leave the
        // corner to the stage model, 3–4 px off.
        int corner = (Columns * Rows) - 1;
        List<PairLink> links = RightLinks();
        links[Index(links, corner - 1, corner)] = Link(corner - 1, corner, PairDirection.West, 0.8f, 0.3f);
        links[Index(links, corner - Columns, corner)] = Link(corner - Columns, corner, PairDirection.North, 0.6f, 0.3f, 15, 15);
        var (x, y) = Solve(links);
        Assert.Equal(PairOutcome.RemovedBySolve, links[Index(links, corner - Columns, corner)].Outcome);
        Assert.Equal(PairOutcome.Measured, links[Index(links, corner - 1, corner)].Outcome);
        Assert.Equal(1, links.Count(l => l.Outcome == PairOutcome.RemovedBySolve));
        AssertPlacedRight(x, y);
    }

    [Fact]
    public void Wrong_links_far_apart_are_all_dropped_and_no_right_one_with_them()
    {
        List<PairLink> links = RightLinks();
        links[Index(links, 0, 1)] = Link(0, 1, PairDirection.West, 0.9f, 0.1f, -6, 4);
        links[Index(links, 6, 10)] = Link(6, 10, PairDirection.North, 0.9f, 0.1f, 5, 7);
        var (x, y) = Solve(links);
        Assert.Equal(PairOutcome.RemovedBySolve, links[Index(links, 0, 1)].Outcome);
        Assert.Equal(PairOutcome.RemovedBySolve, links[Index(links, 6, 10)].Outcome);
        Assert.Equal(2, links.Count(l => l.Outcome == PairOutcome.RemovedBySolve));
        AssertPlacedRight(x, y);
    }
}
