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
    public void A_cell_whose_loop_does_not_close_loses_its_wrong_link_though_each_passes_alone()
    {
        // As 8×8 illustration s7, cell 6_0: the corner's north link is (−4.75, +6.55) px off, score
        // 0.91, its west link right, score 0.94, both of σ about (1.0, 1.2–1.3) beside links of σ
        // 0.1. The solve shares the misfit between the two, each within its 3 σ, and kept both
        // (main bb60c3c: the corner 2.4, 3.1 px off); the loop misses closing by 3.7 of its σ in y.
        int corner = (Columns * Rows) - 1;
        List<PairLink> links = RightLinks();
        int west = Index(links, corner - 1, corner), north = Index(links, corner - Columns, corner);
        links[west] = Link(corner - 1, corner, PairDirection.West, 0.94f, 1.04f) with { SigmaY = 1.21f };
        links[north] = Link(corner - Columns, corner, PairDirection.North, 0.91f, 1.04f, -4.75, 6.55) with { SigmaY = 1.29f };
        var (x, y) = Solve(links);
        Assert.Equal(PairOutcome.RemovedBySolve, links[north].Outcome);
        Assert.Equal(PairOutcome.Measured, links[west].Outcome);

        // Held by the one link of σ 1 now, the corner gives a little to the stage model's pull.
        var (tx, ty) = Truth(corner);
        double ex = x[corner] - x[0] - (tx - Truth(0).X), ey = y[corner] - y[0] - (ty - Truth(0).Y);
        Assert.True(Math.Abs(ex) < 0.2 && Math.Abs(ey) < 0.2, string.Create(CultureInfo.InvariantCulture, $"the corner is ({ex:F2}, {ey:F2}) px off"));
    }

    [Fact]
    public void A_tile_held_only_by_two_rivals_that_no_loop_judges_loses_the_one_the_solve_trusts_less()
    {
        // As 8×8 photograph s5, tile 5_1: its west link wrong, (−2.1, +5.5) px off, σ (1.06, 1.65),
        // score 0.65; its north link right, σ (0.69, 0.92), score 0.45; the cell's other two links
        // not measured, so its loop cannot be asked. The solve shares the 5.5 px between the two,
        // each within its own 3 σ (the west one misses by 4.2 of its 4.95), and kept both (main
        // 7b286a9: the corner 1.3 px off); the two disagree by 2.9 of their joint σ.
        int corner = (Columns * Rows) - 1;
        List<PairLink> links = RightLinks();
        int west = Index(links, corner - 1, corner), north = Index(links, corner - Columns, corner);
        foreach (int l in new[] { Index(links, corner - Columns - 1, corner - Columns), Index(links, corner - Columns - 1, corner - 1) })
        {
            links[l] = links[l] with { Outcome = PairOutcome.LowCorrelation };
        }

        links[west] = Link(corner - 1, corner, PairDirection.West, 0.65f, 1.06f, -2.1, 5.5) with { SigmaY = 1.65f };
        links[north] = Link(corner - Columns, corner, PairDirection.North, 0.45f, 0.69f) with { SigmaY = 0.92f };
        var (x, y) = Solve(links);
        Assert.Equal(PairOutcome.RemovedBySolve, links[west].Outcome);
        Assert.Equal(PairOutcome.Measured, links[north].Outcome);
        Assert.Equal(1, links.Count(l => l.Outcome == PairOutcome.RemovedBySolve));

        var (tx, ty) = Truth(corner);
        double ex = x[corner] - x[0] - (tx - Truth(0).X), ey = y[corner] - y[0] - (ty - Truth(0).Y);
        Assert.True(Math.Abs(ex) < 0.2 && Math.Abs(ey) < 0.2, string.Create(CultureInfo.InvariantCulture, $"the corner is ({ex:F2}, {ey:F2}) px off"));
    }

    [Fact]
    public void Loops_that_close_within_their_sigma_lose_nothing()
    {
        // Every link 0.25 px off on both axes, alternately up and down, σ 0.3: a loop misses closing
        // by 1 px at most, within 3 of its σ (1.8 px); the cells' test must not drop a link of them.
        List<PairLink> links = RightLinks();
        for (int l = 0; l < links.Count; l++)
        {
            double off = l % 2 == 0 ? 0.25 : -0.25;
            links[l] = Link(links[l].First, links[l].Second, links[l].Direction, 0.9f, 0.3f, off, off);
        }

        Solve(links);
        Assert.All(links, l => Assert.Equal(PairOutcome.Measured, l.Outcome));
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
