using System.Globalization;
using Tessera.Registration;
using Xunit;
using Xunit.Abstractions;

namespace Tessera.Tests;

/// <summary>
/// The global solve on a large exact grid (true positions: the nominal one), with pair errors that
/// repeat every 30 tiles as they do on bench/register-scale.sh's grids: unbiased errors leave the
/// grid exact at any size, and a bias per pair comes out as exactly that drift, across the grid.
/// </summary>
public sealed class ExactGridSolveTests(ITestOutputHelper output)
{
    private const int Period = 30;
    private const double StepX = 720, StepY = 540;

    [Fact]
    public void Errors_of_no_mean_that_repeat_with_the_content_leave_a_large_grid_exact()
    {
        // ±0.004 px on every pair (the spread of the bench grid's vertical pairs), the same on every
        // repeat of the 30×30 content, summing to nothing over it: the tiles of one repeat are off
        // by a few hundredths of a pixel from each other, and that does not grow with the grid.
        double[] worst = new int[] { 60, 240 }.Select(size =>
        {
            var (x, y) = Solve(size, (c, r, axis) => 0.004 * Pattern(c, r, axis), out _);
            return Worst(size, x, y);
        }).ToArray();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"worst 60×60 {worst[0]:F4} px, 240×240 {worst[1]:F4} px"));
        Assert.True(worst[1] <= 0.05, $"a tile of the 240×240 grid is {worst[1]:F4} px from the exact grid");
        Assert.True(worst[1] <= (1.1 * worst[0]) + 1e-3, $"the error grew with the grid: {worst[0]:F4} px at 60×60, {worst[1]:F4} at 240×240");
    }

    [Fact]
    public void A_bias_per_pair_comes_out_as_a_drift_of_that_bias_per_step_across_the_grid()
    {
        // The same errors plus 0.0003 px on the x of every vertical pair: what bench/register-scale.sh's
        // 100×100 grid measured (a mean of −0.00028 px over its 900 distinct vertical pairs).
        const double Bias = 3e-4;
        const int size = 210; // whole repeats of the content, so that the pattern adds nothing to the mean
        var (x, y) = Solve(size, (c, r, axis) => (0.01 * Pattern(c, r, axis)) + (axis == 2 ? Bias : 0), out List<PairLink> links);
        double measured = links.Where(l => l.Direction == PairDirection.North).Average(l => l.Dx);
        double drift = Slope(size, x, isX: true, byRow: true);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mean vertical pair dx {measured:E3}, solved x drift per row {drift:E3}, worst {Worst(size, x, y):F4} px"));

        // Least squares puts the mean of what the pairs measured into every step: the solve has
        // converged where the error is smoothest, and nothing else drifts.
        Assert.Equal(measured, drift, 1e-5);
        Assert.Equal(0, Slope(size, x, isX: true, byRow: false), 1e-5);
        Assert.Equal(0, Slope(size, y, isX: false, byRow: true), 1e-5);
    }

    /// <summary>A pattern of ±1 that repeats every <see cref="Period"/> tiles each way and sums to 0 over a period, per axis (0: x of a west pair, 1: its y, 2: x of a north pair, 3: its y).</summary>
    private static double Pattern(int c, int r, int axis) =>
        Math.Sin((2 * Math.PI * ((c % Period) + (7 * axis))) / Period) * Math.Cos((2 * Math.PI * ((r % Period) + (3 * axis))) / Period);

    private static (double[] X, double[] Y) Solve(int size, Func<int, int, int, double> error, out List<PairLink> links)
    {
        int across = size, n = size * size;
        links = new List<PairLink>(2 * n);
        for (int i = 0; i < n; i++)
        {
            int c = i % across, r = i / across;
            if (c > 0)
            {
                links.Add(new PairLink(i - 1, i, PairDirection.West, StepX + error(c, r, 0), error(c, r, 1), 0.95, PairOutcome.Measured, 0.004f, 0.004f));
            }

            if (r > 0)
            {
                links.Add(new PairLink(i - across, i, PairDirection.North, error(c, r, 2), StepY + error(c, r, 3), 0.95, PairOutcome.Measured, 0.004f, 0.004f));
            }
        }

        var present = Enumerable.Repeat(true, n).ToArray();
        var (x, y) = (new double[n], new double[n]);
        GlobalSolver.Solve(present, across, links, d => d == PairDirection.West ? (StepX, 0) : (0, StepY), _ => 1, 1.0, x, y);
        return (x, y);
    }

    /// <summary>The largest distance of a tile from the exact grid after removing one common translation, px.</summary>
    private static double Worst(int across, double[] x, double[] y)
    {
        int n = x.Length;
        double mx = Enumerable.Range(0, n).Average(i => x[i] - (i % across * StepX));
        double my = Enumerable.Range(0, n).Average(i => y[i] - (i / across * StepY));
        return Enumerable.Range(0, n).Max(i => Math.Sqrt(Math.Pow(x[i] - (i % across * StepX) - mx, 2) + Math.Pow(y[i] - (i / across * StepY) - my, 2)));
    }

    /// <summary>Least-squares slope, px per step, of one axis's error from the exact grid (<paramref name="isX"/>: x, nominal c·720; else y, r·540) against the row or the column.</summary>
    private static double Slope(int across, double[] p, bool isX, bool byRow)
    {
        int n = p.Length;
        double Along(int i) => byRow ? i / across : i % across;
        double Error(int i) => p[i] - (isX ? i % across * StepX : i / across * StepY);
        double meanA = Enumerable.Range(0, n).Average(Along), meanE = Enumerable.Range(0, n).Average(Error);
        double covariance = Enumerable.Range(0, n).Sum(i => (Along(i) - meanA) * (Error(i) - meanE));
        double variance = Enumerable.Range(0, n).Sum(i => Math.Pow(Along(i) - meanA, 2));
        return covariance / variance;
    }
}
