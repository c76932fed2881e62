namespace Tessera.Registration;

/// <summary>
/// Which measured links one round of the global solve drops: those the solution misses by more
/// than their uncertainty allows, worst first, but only one in each neighbourhood of tiles.
/// </summary>
/// <remarks>
/// One wrong link pulls the solution away from the right links around it, so right links near it
/// miss too, by less. Dropping everything over a cut in one round removed those with it (8×8
/// spots set: both links into a group of two tiles went, one of them right, and the group fell
/// back to the stage model, 26 px off); the next round, solved without the wrong link, shows
/// whether they still miss.
/// </remarks>
internal static class SolveDrops
{
    /// <summary>
    /// Marks <see cref="PairOutcome.RemovedBySolve"/> on each link whose <paramref name="excess"/>
    /// is over <paramref name="cut"/> and the worst of those over it within one grid step of both
    /// its tiles; returns how many it dropped.
    /// </summary>
    /// <param name="excess">Per link: how far the solution misses it beyond its uncertainty (<see cref="GlobalSolver.Excess"/>), 0 for links not measured.</param>
    public static int Drop(List<PairLink> links, double[] excess, double cut, int columns, int tiles)
    {
        var over = new List<int>();
        for (int l = 0; l < links.Count; l++)
        {
            if (excess[l] > cut)
            {
                over.Add(l);
            }
        }

        over.Sort((a, b) => Suspicion(links[b], excess[b]).CompareTo(Suspicion(links[a], excess[a])));
        var claimed = new bool[tiles];
        int dropped = 0;
        foreach (int l in over)
        {
            PairLink link = links[l];
            if (claimed[link.First] || claimed[link.Second])
            {
                continue;
            }

            links[l] = link with { Outcome = PairOutcome.RemovedBySolve };
            Claim(claimed, link.First, columns);
            Claim(claimed, link.Second, columns);
            dropped++;
        }

        return dropped;
    }

    /// <summary>
    /// Which of two links to suspect first: the one the solution misses by more, beyond its
    /// uncertainty, and the less sure of the two to be a match at all. Two links that disagree
    /// with each other, of like uncertainty, are missed alike; the weaker match is the likelier
    /// chance one (8×8 spots set: the right link of a group, score 0.70, went before the wrong one
    /// beside it, 0.58).
    /// </summary>
    private static double Suspicion(PairLink link, double excess) => excess * (1 - Math.Clamp(link.Correlation, 0, 0.99));

    /// <summary>A tile and its four neighbours: no other link touching them is dropped this round.</summary>
    private static void Claim(bool[] claimed, int tile, int columns)
    {
        int c = tile % columns;
        claimed[tile] = true;
        if (c > 0)
        {
            claimed[tile - 1] = true;
        }

        if (c + 1 < columns && tile + 1 < claimed.Length)
        {
            claimed[tile + 1] = true;
        }

        if (tile >= columns)
        {
            claimed[tile - columns] = true;
        }

        if (tile + columns < claimed.Length)
        {
            claimed[tile + columns] = true;
        }
    }
}
