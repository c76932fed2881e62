using Tessera.Layout;

namespace Tessera.Registration;

/// <summary>Gathers the report of one registration from its links and solved positions.</summary>
internal sealed class RegistrationReportBuilder(TileGrid grid, List<PairLink> links, double[] x, double[] y)
{
    private const int WorstShown = 5;

    /// <summary>A tile none of whose links measured an axis better than this (px) is named as weakly placed.</summary>
    public const double WeakSigma = 1.0;

    public RegistrationReport Build(int missingPairs, int scale, StageModel west, StageModel north, NullModel westNoise, NullModel northNoise, TimeSpan elapsed)
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
            PairList = links.Select(l => new PairRecord(Name(l.First), Name(l.Second), l.Direction, l.Dx, l.Dy, l.SigmaX, l.SigmaY, l.Correlation, l.Outcome)).ToArray(),
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

    /// <summary>Tiles without any measured link, and tiles whose best link on some axis is weaker than <see cref="WeakSigma"/>, with their uncertainty.</summary>
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

            if (bestX[i] > WeakSigma || bestY[i] > WeakSigma)
            {
                weak.Add(new TileUncertainty(Name(i), infoX[i] > 0 ? 1 / Math.Sqrt(infoX[i]) : double.PositiveInfinity,
                    infoY[i] > 0 ? 1 / Math.Sqrt(infoY[i]) : double.PositiveInfinity));
            }
        }

        return (byModel, weak);
    }
}
