namespace Tessera.Registration;

/// <summary>
/// How far a measured link disagrees with the other links of its tiles: where each of them puts
/// the tile, against where this one does. Where a tile is held by one link and a rival, and by
/// nothing else measured, the solve puts it between them by their weights, and each then misses
/// by only its share of their disagreement, within its own 3 σ, though the two disagree by well
/// over their joint σ (8×8 photograph s5, 5_1: a wrong 4_1–5_1 with σy 1.65 and a right 5_0–5_1
/// with σy 0.92, 6.7 px apart; both were kept and the tile moved 2.8 px). No loop judges such a
/// pair when the cell's other links are not measured (<see cref="LoopClosure"/>).
/// </summary>
/// <remarks>
/// Per tile and axis it keeps the sums of the weights of the tile's links (the stage model's for
/// links not measured) and of each weight times the link's residual as seen from the tile: that
/// is where the others put the tile, to within 1/√(their weight), with any one link left out.
/// </remarks>
internal sealed class LinkHold
{
    private readonly float[] _weightX;
    private readonly float[] _weightY;
    private readonly float[] _pullX;
    private readonly float[] _pullY;
    private readonly double _ridgeSigma;

    /// <param name="tiles">Grid cells, row-major.</param>
    /// <param name="ridgeSigma">The σ of an axis located only along a ridge (<see cref="PairJudgement.RidgeSigma"/>): such an axis says roughly where, and only the link's own test (<see cref="GlobalSolver.Excess"/>) asks it.</param>
    public LinkHold(int tiles, double ridgeSigma)
    {
        _ridgeSigma = ridgeSigma;
        _weightX = new float[tiles];
        _weightY = new float[tiles];
        _pullX = new float[tiles];
        _pullY = new float[tiles];
    }

    /// <summary>Sums each tile's weights and pulls per axis from the links and solution as they stand this round.</summary>
    /// <param name="termX">The weight and offset the solve gives a link's x (its measurement's, or the stage model's).</param>
    public void Fill(List<PairLink> links, Func<PairLink, (double W, double D)> termX, Func<PairLink, (double W, double D)> termY, double[] x, double[] y)
    {
        Array.Clear(_weightX);
        Array.Clear(_weightY);
        Array.Clear(_pullX);
        Array.Clear(_pullY);
        foreach (PairLink link in links)
        {
            var (wx, dx) = termX(link);
            var (wy, dy) = termY(link);
            double rx = x[link.Second] - x[link.First] - dx, ry = y[link.Second] - y[link.First] - dy;
            Add(_weightX, _pullX, link, wx, rx);
            Add(_weightY, _pullY, link, wy, ry);
        }
    }

    /// <summary>
    /// How far a measured link's place for one of its tiles lies from where the tile's other links
    /// put it, beyond 3 of their joint σ, times the share of that the solution leaves on this link
    /// (its rivals' weight over the tile's): of two rivals, the solve trusts the surer one, and
    /// the other carries most of their disagreement. Px, the worse of its tiles and axes.
    /// </summary>
    public double Excess(PairLink link, double[] x, double[] y)
    {
        double rx = x[link.Second] - x[link.First] - link.Dx, ry = y[link.Second] - y[link.First] - link.Dy;
        double excess = 0;
        if (link.SigmaX < _ridgeSigma)
        {
            excess = Math.Max(excess, Math.Max(Against(_weightX, _pullX, link.First, link.SigmaX, rx), Against(_weightX, _pullX, link.Second, link.SigmaX, -rx)));
        }

        if (link.SigmaY < _ridgeSigma)
        {
            excess = Math.Max(excess, Math.Max(Against(_weightY, _pullY, link.First, link.SigmaY, ry), Against(_weightY, _pullY, link.Second, link.SigmaY, -ry)));
        }

        return excess;
    }

    // Seen from its first tile a link puts that tile at x[Second] − d, the residual r from where it
    // is; seen from its second, at x[First] + d, −r.
    private static void Add(float[] weight, float[] pull, PairLink link, double w, double residual)
    {
        weight[link.First] += (float)w;
        pull[link.First] += (float)(w * residual);
        weight[link.Second] += (float)w;
        pull[link.Second] -= (float)(w * residual);
    }

    private static double Against(float[] weight, float[] pull, int tile, float sigma, double seen)
    {
        double w = GlobalSolver.Weight(sigma), others = weight[tile] - w;
        if (others <= 0)
        {
            return 0;
        }

        double theirs = (pull[tile] - (w * seen)) / others;
        double beyond = Math.Abs(seen - theirs) - (2 * Math.Sqrt((sigma * (double)sigma) + (1 / others)));
        return Math.Max(0, beyond) * others / weight[tile];
    }
}
