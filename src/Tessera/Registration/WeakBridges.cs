namespace Tessera.Registration;

/// <summary>
/// Joins groups of tiles that no significant link joins, with the best of the pairs that fell
/// short of the significance bar but still correlate as well as a plain correlation criterion asks.
/// </summary>
/// <remarks>
/// A group cut off from the rest is otherwise placed by the stage model alone, which on a jittered
/// stage is off by up to the jitter of both tiles (tens of px). A weak pair that is the only way to
/// a group cannot be checked against a loop, but it is much more often right than that: the
/// strongest such pair from the main group to each other group is used, marked
/// <see cref="PairOutcome.Bridged"/>, and no other. Only where significant pairs already join at
/// least half the tiles: where they do not (a faint gradient, a repetitive pattern), the weak pairs
/// are no better than chance.
/// </remarks>
internal static class WeakBridges
{
    /// <param name="tiles">Number of grid cells (links index them).</param>
    /// <param name="present">Number of tiles present.</param>
    /// <param name="floor">The lowest score a bridge may have.</param>
    public static void Admit(int tiles, int present, List<PairLink> links, double floor)
    {
        var groups = new TileGroups(tiles);
        var candidates = new List<int>();
        for (int l = 0; l < links.Count; l++)
        {
            PairLink link = links[l];
            if (link.Measured)
            {
                groups.Join(link.First, link.Second);
            }
            else if (link.Outcome == PairOutcome.LowCorrelation && link.Correlation >= floor && (float.IsFinite(link.SigmaX) || float.IsFinite(link.SigmaY)))
            {
                candidates.Add(l);
            }
        }

        var size = new int[tiles];
        for (int i = 0; i < tiles; i++)
        {
            size[groups.Root(i)]++;
        }

        int main = Enumerable.Range(0, tiles).MaxBy(i => size[i]);
        if (2 * size[main] < present)
        {
            return;
        }

        // Strongest first, each joining one more group to the main one, until none is left to join.
        candidates.Sort((a, b) => links[b].Correlation.CompareTo(links[a].Correlation));
        for (bool joined = true; joined;)
        {
            joined = false;
            foreach (int l in candidates)
            {
                int a = groups.Root(links[l].First), b = groups.Root(links[l].Second), m = groups.Root(main);
                if (a != b && (a == m || b == m) && links[l].Outcome == PairOutcome.LowCorrelation)
                {
                    groups.Join(a == m ? b : a, m);
                    links[l] = links[l] with { Outcome = PairOutcome.Bridged };
                    joined = true;
                    break;
                }
            }
        }
    }
}
