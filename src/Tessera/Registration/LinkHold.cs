namespace Tessera.Registration;

/// <summary>
/// How far a measured link disagrees with the other links of its tiles. A tile held by a link and
/// one rival, and nothing else measured, is put between them by their weights; each then misses
/// by its share of their disagreement, within its own 3 σ, though they disagree by more than their
/// joint σ allows (8×8 photograph s15, 7_5: a wrong 6_5–7_5, 5.9 px off, σx 2.36, beside a right
/// 7_5–7_6, σx 0.62; both kept, the tile 0.66 px off). With the cell's other links not measured no
/// loop judges them (<see cref="LoopClosure"/>).
/// </summary>
/// <remarks>
/// Per tile it keeps, one axis at a time, the sums of the weights of the tile's links (the stage
/// model's for links not measured) and of each weight times the link's residual as seen from the
/// tile: that is where the others put the tile, to within 1/√(their weight), with any one link
/// left out: two floats a tile, in scratch the solve lends it.
/// </remarks>
internal sealed class LinkHold
{
    /// <summary>
    /// How many of their joint σ a link's place for a tile may lie from where the tile's other
    /// links put it. Less than the 3 of a link's own test: over the 36 8×8 sets of seeds 5–7 and
    /// 11–16 (7b286a9), the right links' located axes are off by 0.23 of their σ rms (6,871 axes;
    /// the worst 4.7, at a σ of 0.04 px, the floor; 2.5 above 0.2 px), so 2 joint σ is still far
    /// beyond what a right pair strays; at 3, photograph s5's rivals, 5.0 px apart against 3 × 1.89
    /// with the broad fall's σ doubled, were not told apart.
    /// </summary>
    private const double RivalSigmas = 2;

    private readonly int _tiles;
    private readonly double _ridgeSigma;

    /// <param name="tiles">Grid cells, row-major.</param>
    /// <param name="ridgeSigma">The σ of an axis located only along a ridge (<see cref="PairJudgement.RidgeSigma"/>): such an axis says roughly where, and only the link's own test (<see cref="GlobalSolver.Excess"/>) asks it.</param>
    public LinkHold(int tiles, double ridgeSigma)
    {
        _tiles = tiles;
        _ridgeSigma = ridgeSigma;
    }

    /// <summary>How many floats of scratch <see cref="Drop"/> needs.</summary>
    public int ScratchLength => 2 * _tiles;

    /// <summary>
    /// Drops, as <see cref="SolveDrops"/> does, the links that lie further from where their tiles'
    /// other links put them than <see cref="RivalSigmas"/> allows, worst first, one in each
    /// neighbourhood of tiles; returns how many it dropped.
    /// </summary>
    /// <param name="termX">The weight and offset the solve gives a link's x (its measurement's, or the stage model's).</param>
    /// <param name="excess">Scratch, one per link; overwritten.</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> floats; overwritten.</param>
    /// <param name="maxResidual">How far beyond its σ a link may be missed (<see cref="RegistrationOptions.MaxResidual"/>).</param>
    public int Drop(List<PairLink> links, Func<PairLink, (double W, double D)> termX, Func<PairLink, (double W, double D)> termY, double[] x, double[] y,
        double[] excess, Span<float> scratch, double maxResidual, int columns)
    {
        Span<float> weight = scratch[.._tiles], pull = scratch[_tiles..(2 * _tiles)];
        Array.Clear(excess);
        Axis(links, termX, x, l => l.SigmaX, excess, weight, pull);
        Axis(links, termY, y, l => l.SigmaY, excess, weight, pull);
        double worst = 0;
        foreach (double e in excess)
        {
            worst = Math.Max(worst, e);
        }

        return worst <= maxResidual ? 0 : SolveDrops.Drop(links, excess, Math.Max(maxResidual, 0.5 * worst), columns, _tiles);
    }

    /// <summary>
    /// Raises each measured link's <paramref name="excess"/> to how far, on this axis, its place for
    /// one of its tiles lies from where the tile's other links put it, beyond <see cref="RivalSigmas"/>
    /// of their joint σ, times the share of that the solution leaves on this link (its rivals'
    /// weight over the tile's): of two rivals, the solve trusts the surer one, and the other
    /// carries most of their disagreement.
    /// </summary>
    /// <param name="weight">Per tile, filled with the sum of its links' weights.</param>
    /// <param name="pull">Per tile, filled with the sum of its links' weights times their residuals as seen from it.</param>
    private void Axis(List<PairLink> links, Func<PairLink, (double W, double D)> term, double[] p, Func<PairLink, float> sigma, double[] excess,
        Span<float> weight, Span<float> pull)
    {
        weight.Clear();
        pull.Clear();

        // Seen from its first tile a link puts that tile at p[Second] − d, the residual r from
        // where it is; seen from its second, at p[First] + d, −r.
        foreach (PairLink link in links)
        {
            var (w, d) = term(link);
            double r = p[link.Second] - p[link.First] - d;
            weight[link.First] += (float)w;
            pull[link.First] += (float)(w * r);
            weight[link.Second] += (float)w;
            pull[link.Second] -= (float)(w * r);
        }

        for (int l = 0; l < links.Count; l++)
        {
            PairLink link = links[l];
            float s = sigma(link);
            if (link.Measured && s < _ridgeSigma)
            {
                double r = p[link.Second] - p[link.First] - term(link).D;
                excess[l] = Math.Max(excess[l], Math.Max(Against(weight[link.First], pull[link.First], s, r), Against(weight[link.Second], pull[link.Second], s, -r)));
            }
        }
    }

    /// <param name="held">The tile's links' weights, summed.</param>
    /// <param name="pulled">The tile's links' weights times their residuals as seen from it, summed.</param>
    private static double Against(float held, float pulled, float sigma, double seen)
    {
        double w = GlobalSolver.Weight(sigma), others = held - w;
        if (others <= 0)
        {
            return 0;
        }

        double theirs = (pulled - (w * seen)) / others;
        double beyond = Math.Abs(seen - theirs) - (RivalSigmas * Math.Sqrt((sigma * (double)sigma) + (1 / others)));
        return Math.Max(0, beyond) * others / held;
    }
}
