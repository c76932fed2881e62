using Tessera.Layout;

namespace Tessera.Registration;

/// <summary>Gathers the report of one registration from its links and solved positions.</summary>
/// <param name="searchMargin">The pairs' search margin (px): an axis a link measured only along a ridge (<see cref="PairJudgement.Located"/>) does not join a tile to the rest.</param>
internal sealed class RegistrationReportBuilder(TileGrid grid, List<PairLink> links, double[] x, double[] y, int searchMargin)
{
    private const int WorstShown = 5;

    /// <summary>A tile none of whose links measured an axis better than this (px) is named as weakly placed.</summary>
    public const double WeakSigma = 1.0;

    public RegistrationReport Build(int missingPairs, int scale, StageModel west, StageModel north, NullModel westNoise, NullModel northNoise, TimeSpan elapsed,
        SecondPassSummary? second = null)
    {
        var outcomes = new Dictionary<PairOutcome, int>();
        foreach (PairLink link in links)
        {
            outcomes[link.Outcome] = outcomes.GetValueOrDefault(link.Outcome) + 1;
        }

        var (byModel, weak) = Tiles();
        return new RegistrationReport
        {
            Columns = grid.Columns,
            Rows = grid.Rows,
            Tiles = grid.PresentCount,
            MissingTiles = grid.MissingCount,
            DecodeScale = scale,
            Pairs = links.Count,
            PairsWithMissingTile = missingPairs,
            Outcomes = outcomes,
            West = west,
            North = north,
            WestNoise = westNoise,
            NorthNoise = northNoise,
            WorstResiduals = Worst(),
            PlacedByModel = byModel,
            WeakTiles = weak,
            PairList = new PairTable(grid, links),
            SecondPass = second,
            Elapsed = elapsed,
        };
    }

    private string Name(int cell) => Path.GetFileName(grid[cell % grid.Columns, cell / grid.Columns]!);

    private List<LinkResidual> Worst()
    {
        var worst = new PriorityQueue<PairLink, double>();
        foreach (PairLink link in links)
        {
            if (link.Measured)
            {
                worst.Enqueue(link, GlobalSolver.Residual(link, x, y));
                if (worst.Count > WorstShown)
                {
                    worst.Dequeue();
                }
            }
        }

        var list = new List<LinkResidual>();
        while (worst.TryDequeue(out PairLink link, out double residual))
        {
            list.Add(new LinkResidual(Name(link.First), Name(link.Second), link.Direction, residual, link.Correlation));
        }

        list.Reverse();
        return list;
    }

    /// <summary>
    /// Tiles without any measured link; and, with their uncertainty, tiles whose best link on some
    /// axis is weaker than <see cref="WeakSigma"/> or that no chain of measured links joins to the largest group.
    /// </summary>
    private (List<string> ByModel, List<TileUncertainty> Weak) Tiles()
    {
        int n = x.Length;
        var infoX = new double[n];
        var infoY = new double[n];
        var bestX = new double[n];
        var bestY = new double[n];
        var measured = new bool[n];
        Array.Fill(bestX, double.PositiveInfinity);
        Array.Fill(bestY, double.PositiveInfinity);
        foreach (PairLink link in links)
        {
            if (!link.Measured)
            {
                continue;
            }

            foreach (int tile in (ReadOnlySpan<int>)[link.First, link.Second])
            {
                measured[tile] = true;
                if (float.IsFinite(link.SigmaX))
                {
                    infoX[tile] += GlobalSolver.Weight(link.SigmaX);
                    bestX[tile] = Math.Min(bestX[tile], link.SigmaX);
                }

                if (float.IsFinite(link.SigmaY))
                {
                    infoY[tile] += GlobalSolver.Weight(link.SigmaY);
                    bestY[tile] = Math.Min(bestY[tile], link.SigmaY);
                }
            }
        }

        // A group of tiles measured among themselves but not to the rest lies where the stage model
        // put the group: its own links are sure, its place relative to the largest group is not.
        // Nor is it where only links along a ridge join it (a straight edge seen along itself):
        // those say roughly where the group lies, by a quarter of the search margin.
        bool[] mainX = LargestGroup(l => float.IsFinite(l.SigmaX)), mainY = LargestGroup(l => float.IsFinite(l.SigmaY));
        bool[] locatedX = LargestGroup(l => PairJudgement.Located(l.SigmaX, searchMargin));
        bool[] locatedY = LargestGroup(l => PairJudgement.Located(l.SigmaY, searchMargin));
        var byModel = new List<string>();
        var weak = new List<TileUncertainty>();
        for (int i = 0; i < n; i++)
        {
            if (grid[i % grid.Columns, i / grid.Columns] is null)
            {
                continue;
            }

            if (!measured[i])
            {
                byModel.Add(Name(i));
            }

            if (bestX[i] > WeakSigma || bestY[i] > WeakSigma || !locatedX[i] || !locatedY[i])
            {
                weak.Add(new TileUncertainty(Name(i), Uncertainty(infoX[i], mainX[i], locatedX[i]), Uncertainty(infoY[i], mainY[i], locatedY[i])));
            }
        }

        return (byModel, weak);
    }

    /// <summary>
    /// How sure a tile's position is on one axis: from its own links where they join it to the rest;
    /// a ridge's uncertainty where only links along a ridge do; the stage model's (infinite) where none does.
    /// </summary>
    private double Uncertainty(double information, bool joined, bool located) =>
        !joined || information <= 0 ? double.PositiveInfinity
        : located ? 1 / Math.Sqrt(information)
        : Math.Max(1 / Math.Sqrt(information), PairJudgement.RidgeSigma(searchMargin));

    /// <summary>The tiles of the largest group joined by measured links that measure an axis (union–find).</summary>
    private bool[] LargestGroup(Func<PairLink, bool> measures)
    {
        int n = x.Length;
        var groups = new TileGroups(n);
        foreach (PairLink link in links)
        {
            if (link.Measured && measures(link))
            {
                groups.Join(link.First, link.Second);
            }
        }

        var size = new int[n];
        int largest = -1;
        for (int i = 0; i < n; i++)
        {
            int r = groups.Root(i);
            size[r]++;
            if (largest < 0 || size[r] > size[largest])
            {
                largest = r;
            }
        }

        var main = new bool[n];
        for (int i = 0; i < n; i++)
        {
            main[i] = size[largest] > 1 && groups.Root(i) == largest;
        }

        return main;
    }
}
