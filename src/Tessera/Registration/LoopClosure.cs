namespace Tessera.Registration;

/// <summary>
/// The four links around a grid cell must add up to nothing: which of them the global solve kept
/// although their loop does not close within its uncertainty.
/// </summary>
/// <remarks>
/// The solve tests each link against the solution, and a loop's misfit is shared out among its
/// links, each with a part within its own 3 σ: a wrong link of σ like the right one beside it then
/// passes with it (8×8 illustration s7, cell 6_0: 6_1–7_1, 8.1 px off, σ (1.04, 1.29), against
/// 7_0–7_1's (1.04, 1.21); each missed by about (2.4, 3.1) px, the loop by (4.8, 6.6), 3.7 times
/// its σ in y). Tested against the loop's own σ, the misfit is not shared out.
/// </remarks>
internal static class LoopClosure
{
    /// <summary>
    /// Drops (<see cref="SolveDrops"/>) a link in each cell whose four measured links miss closing by
    /// more than 3 of the loop's σ plus <paramref name="cut"/> on an axis all four measure (a finite σ, a ridge's included); returns
    /// how many it dropped. Each link is blamed for the part of the misfit beyond those 3 σ that a
    /// least-squares fit of the loop would give it, in proportion to its variance.
    /// </summary>
    public static int Drop(List<PairLink> links, int columns, int tiles, double cut)
    {
        // The link into each tile from its west and north neighbour, or −1.
        var west = new int[tiles];
        var north = new int[tiles];
        Array.Fill(west, -1);
        Array.Fill(north, -1);
        for (int l = 0; l < links.Count; l++)
        {
            if (links[l].Measured)
            {
                (links[l].Direction == PairDirection.West ? west : north)[links[l].Second] = l;
            }
        }

        var blame = new double[links.Count];
        for (int tile = 0; tile + columns + 1 < tiles; tile++)
        {
            if ((tile % columns) + 1 == columns)
            {
                continue;
            }

            // Around the cell whose top-left tile this is: top, right, bottom, left.
            int top = west[tile + 1], right = north[tile + columns + 1], bottom = west[tile + columns + 1], left = north[tile + columns];
            if (top < 0 || right < 0 || bottom < 0 || left < 0)
            {
                continue;
            }

            ReadOnlySpan<int> loop = [top, right, bottom, left];
            Blame(links, loop, blame, cut, x: true);
            Blame(links, loop, blame, cut, x: false);
        }

        return SolveDrops.Drop(links, blame, cut, columns, tiles);
    }

    /// <summary>One axis (<paramref name="x"/> or y) of one cell: top + right − bottom − left, against the four σ added in quadrature.</summary>
    private static void Blame(List<PairLink> links, ReadOnlySpan<int> loop, double[] blame, double cut, bool x)
    {
        double Offset(int l) => x ? links[l].Dx : links[l].Dy;
        float Sigma(int l) => x ? links[l].SigmaX : links[l].SigmaY;
        double misfit = Offset(loop[0]) + Offset(loop[1]) - Offset(loop[2]) - Offset(loop[3]);
        double variance = 0;
        foreach (int l in loop)
        {
            if (!float.IsFinite(Sigma(l)))
            {
                return;
            }

            variance += Math.Pow(Math.Max(Sigma(l), 0.01), 2);
        }

        double beyond = Math.Abs(misfit) - (3 * Math.Sqrt(variance));
        if (beyond <= cut)
        {
            return;
        }

        foreach (int l in loop)
        {
            blame[l] = Math.Max(blame[l], beyond * Math.Pow(Math.Max(Sigma(l), 0.01), 2) / variance);
        }
    }
}
