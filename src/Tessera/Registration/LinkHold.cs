namespace Tessera.Registration;

/// <summary>
/// How far the solution misses a measured link as the rest of the grid sees it: its residual
/// with the link's own pull taken out. Where a tile is held by one link of some weight and a
/// rival of another, and by nothing else, the solve puts it between them by their weights, and
/// each then misses by only its share of their disagreement, within its own 3 σ, though the two
/// disagree by well over their joint σ (8×8 photograph s5, 5_1: a wrong 4_1–5_1 with σy 1.65 and
/// a right 5_0–5_1 with σy 0.92, 6.7 px apart, kept both and moved the tile 2.8 px).
/// </summary>
/// <remarks>
/// A link's leverage h, the share of the solution at its tiles that it makes itself, is taken as
/// its weight over the weight that holds its less held tile (all that tile's links, the stage
/// model's for those not measured), on each axis. That is exact for a tile held only by its links
/// to well-held neighbours and too small elsewhere (about 1/4 against 1/2 inside a uniform grid),
/// so it never makes a link look worse than it is. The residual against the rest is r/(1 − h),
/// with σ/√(1 − h).
/// </remarks>
internal sealed class LinkHold
{
    private readonly float[] _x;
    private readonly float[] _y;

    /// <param name="tiles">Grid cells, row-major.</param>
    public LinkHold(int tiles)
    {
        _x = new float[tiles];
        _y = new float[tiles];
    }

    /// <summary>Sums each tile's weights per axis from the links as they stand this round.</summary>
    /// <param name="termX">The weight the solve gives a link's x (its measurement's, or the stage model's).</param>
    public void Fill(List<PairLink> links, Func<PairLink, (double W, double D)> termX, Func<PairLink, (double W, double D)> termY)
    {
        Array.Clear(_x);
        Array.Clear(_y);
        foreach (PairLink link in links)
        {
            float wx = (float)termX(link).W, wy = (float)termY(link).W;
            _x[link.First] += wx;
            _x[link.Second] += wx;
            _y[link.First] += wy;
            _y[link.Second] += wy;
        }
    }

    /// <summary>
    /// How far the rest of the solution misses a measured link beyond 3 σ on either axis it
    /// measures, px (<see cref="GlobalSolver.Excess"/> with the link's own pull taken out).
    /// </summary>
    public double Excess(PairLink link, double[] x, double[] y)
    {
        double ex = x[link.Second] - x[link.First] - link.Dx, ey = y[link.Second] - y[link.First] - link.Dy;
        double excessX = float.IsFinite(link.SigmaX) ? Beyond(ex, link.SigmaX, Math.Min(_x[link.First], _x[link.Second])) : 0;
        double excessY = float.IsFinite(link.SigmaY) ? Beyond(ey, link.SigmaY, Math.Min(_y[link.First], _y[link.Second])) : 0;
        return Math.Max(0, Math.Max(excessX, excessY));
    }

    /// <summary>How far a residual lies beyond 3 of its own spread, σ·√(1 − h) for a link of leverage h.</summary>
    private static double Beyond(double residual, float sigma, double hold)
    {
        double h = Math.Min(GlobalSolver.Weight(sigma) / hold, 1);
        return Math.Abs(residual) - (3 * sigma * Math.Sqrt(1 - h));
    }
}
