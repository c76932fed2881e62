namespace Tessera.Registration;

/// <summary>
/// One position per tile from all pair offsets at once: weighted least squares, each axis of each
/// link weighted by 1/σ² of its measurement (Σ w·(p₂ − p₁ − d)² over links, plus a faint pull of
/// every tile towards the stage model's grid so that parts cut off by missing tiles stay put),
/// solved by multigrid-preconditioned conjugate gradients from a maximum-spanning-tree start. A link or axis without a
/// measurement carries the stage model's offset, weighted by the model's repeatability. Measured
/// links the solution disagrees with by more than their uncertainty allows are dropped and the
/// system solved again, worst first; then links around a grid cell whose loop does not close
/// (<see cref="LoopClosure"/>); then links that disagree with their tiles' other links (<see cref="LinkHold"/>).
/// </summary>
internal static class GlobalSolver
{
    private const int MaxRounds = 12;

    /// <summary>
    /// The largest stage spread that pulls links towards the model, px. A stage that strays by a
    /// pixel or more cannot place a tile better than its links' weak axes do, and it would drag the
    /// axes located only along a ridge, whose σ (<see cref="PairJudgement.RidgeSigma"/>) marks them as
    /// such rather than saying how far off they are: on jittered sets they are often right to a
    /// tenth of a pixel, and a pull of σ 14 px moved such a corner tile 2.6 px (photograph s5).
    /// </summary>
    internal const double MaxPullSpread = 1.0;

    /// <param name="cells">Grid cells, row-major; false where the tile is missing.</param>
    /// <param name="links">All links, with their final offsets (model offsets for unmeasured ones); outcomes are updated.</param>
    /// <param name="model">Offset for a link given the model's value (West or North).</param>
    /// <param name="modelSigma">How far the stage model's offset may be off, px (its repeatability, at least 1).</param>
    /// <param name="x">Filled with positions; start values are the model grid.</param>
    /// <param name="ridgeSigma">The σ of an axis located only along a ridge: left out of the test of a link against its tiles' other links (<see cref="LinkHold"/>).</param>
    /// <param name="spread">
    /// How far the stage's pairs stray from the model along x and y, px (<see cref="StageModel.SpreadX"/>;
    /// infinite: unknown). Where it is under <see cref="MaxPullSpread"/>, every link is pulled towards
    /// the model's offset by 1/spread², beside its measurement: a stage that repeats to a few
    /// hundredths of a pixel holds the tiles its links locate weakly (an edge seen along itself); one
    /// that strays by pixels changes nothing.
    /// </param>
    public static void Solve(bool[] present, int columns, List<PairLink> links, Func<PairDirection, (double Dx, double Dy)> model,
        Func<PairDirection, double> modelSigma, double maxResidual, double[] x, double[] y, double ridgeSigma = double.PositiveInfinity,
        Func<PairDirection, (double X, double Y)>? spread = null)
    {
        var (sx, sy) = (model(PairDirection.West).Dx, model(PairDirection.North).Dy);
        var (shearX, shearY) = (model(PairDirection.North).Dx, model(PairDirection.West).Dy);
        int n = present.Length;
        double PriorX(int i) => (i % columns * sx) + (i / columns * shearX);
        double PriorY(int i) => (i / columns * sy) + (i % columns * shearY);

        // Each axis of each link: the measurement weighted by 1/σ², or the model's offset by
        // 1/repeatability². Made from the link whenever it is needed, so that a link's outcome is
        // all there is to update when a round drops it.
        // With the stage's spread known, the model's offset is one more measurement of every link,
        // of σ the spread, and the two are one term: their weights' sum at their weighted mean.
        (double W, double D) TermX(PairLink link)
        {
            double offset = model(link.Direction).Dx, s = Spread(link.Direction).X;
            return link.Measured && float.IsFinite(link.SigmaX)
                ? Combined(link.SigmaX, link.Dx, s, offset) : (Math.Max(ModelWeight(link.Direction), Pull(s)), offset);
        }

        (double W, double D) TermY(PairLink link)
        {
            double offset = model(link.Direction).Dy, s = Spread(link.Direction).Y;
            return link.Measured && float.IsFinite(link.SigmaY)
                ? Combined(link.SigmaY, link.Dy, s, offset) : (Math.Max(ModelWeight(link.Direction), Pull(s)), offset);
        }

        double ModelWeight(PairDirection d) => 1 / Math.Pow(Math.Max(1, modelSigma(d)), 2);
        (double X, double Y) Spread(PairDirection d) => spread?.Invoke(d) ?? (double.PositiveInfinity, double.PositiveInfinity);
        static double Pull(double s) => s < MaxPullSpread ? 1 / (s * s) : 0;

        // A measurement the model cannot explain (beyond 3 of both σ together: a stage that slipped
        // a step, or a wrong match) is not pulled: the model speaks for the stage's usual pairs only,
        // and the solve's own tests judge the rest.
        static (double W, double D) Combined(float sigma, double d, double s, double offset)
        {
            double w = Weight(sigma), pull = Pull(s);
            if (pull == 0 || Math.Abs(d - offset) > 3 * Math.Sqrt((sigma * (double)sigma) + (s * s)))
            {
                return (w, d);
            }

            return (w + pull, ((w * d) + (pull * offset)) / (w + pull));
        }

        SpanningTreeStart(present, links, TermX, TermY, PriorX, PriorY, x, y);

        // The start's adjacency and queue are garbage now (with the queue's growth, about 110 bytes
        // a tile allocated on a 120×100 grid): given back before the solver's matrix and levels are
        // made, not left beside them.
        StageMemory.Release();

        // One solver for both axes and every round: the matrix, multigrid levels and vectors are
        // rewritten where they are, for the weights each solve reads from the links. The axes are
        // solved one after the other, so that only one system's storage is alive. (Both axes'
        // weights and offsets and the model grid, kept as arrays, cost 80 bytes a tile that the
        // links and the grid give as they are read.)
        var solver = new AxisSolver(links, n, columns);
        var excess = new double[links.Count];
        var hold = new LinkHold(n, ridgeSigma);
        for (int round = 0; round < MaxRounds; round++)
        {
            BothAxes();

            double worst = 0;
            for (int l = 0; l < links.Count; l++)
            {
                excess[l] = links[l].Measured ? Excess(links[l], x, y) : 0;
                worst = Math.Max(worst, excess[l]);
            }

            // Once the solution misses no link by more than it allows, the cells' loops are asked:
            // a misfit the solve shared out among a loop's links can still be beyond the loop's σ.
            // Then each link against the other links of its tiles: two rivals that alone hold a
            // tile, with no loop to ask, share their misfit the same way.
            if (worst <= maxResidual)
            {
                if (LoopClosure.Drop(links, columns, n, maxResidual) == 0 && hold.Drop(links, TermX, TermY, x, y, excess, Scratch(), maxResidual, columns) == 0)
                {
                    return;
                }
            }
            else
            {
                SolveDrops.Drop(links, excess, Math.Max(maxResidual, 0.5 * worst), columns, n);
            }
        }

        BothAxes();

        // The solver writes its iteration's vectors before it reads them, so the rivals' test (two
        // floats a tile) borrows their storage instead of adding its own arrays to the solve's.
        Span<float> Scratch() => hold.ScratchLength <= solver.Scratch.Length ? solver.Scratch : new float[hold.ScratchLength];

        void BothAxes()
        {
            solver.Solve(TermX, PriorX, x);
            solver.Solve(TermY, PriorY, y);
        }
    }

    /// <summary>The weight of a measurement with uncertainty σ: 1/σ², σ taken as at least 0.01 px.</summary>
    public static double Weight(float sigma) => 1 / Math.Pow(Math.Max(sigma, 0.01), 2);

    /// <summary>How far the solution misses a measured link beyond 3 σ on either axis it measures, px.</summary>
    public static double Excess(PairLink link, double[] x, double[] y)
    {
        double ex = x[link.Second] - x[link.First] - link.Dx, ey = y[link.Second] - y[link.First] - link.Dy;
        double excessX = float.IsFinite(link.SigmaX) ? Math.Abs(ex) - (3 * link.SigmaX) : 0;
        double excessY = float.IsFinite(link.SigmaY) ? Math.Abs(ey) - (3 * link.SigmaY) : 0;
        return Math.Max(0, Math.Max(excessX, excessY));
    }

    public static double Residual(PairLink link, double[] x, double[] y)
    {
        double ex = x[link.Second] - x[link.First] - link.Dx, ey = y[link.Second] - y[link.First] - link.Dy;
        return Math.Sqrt((ex * ex) + (ey * ey));
    }

    /// <summary>Start values: positions integrated along a maximum spanning tree of the link weights (Prim), per connected part.</summary>
    private static void SpanningTreeStart(bool[] present, List<PairLink> links, Func<PairLink, (double W, double D)> termX,
        Func<PairLink, (double W, double D)> termY, Func<int, double> priorX, Func<int, double> priorY, double[] x, double[] y)
    {
        int n = present.Length;
        // Each tile's links, by rows (CSR): two ints per link, where a list per tile cost an object and an array each.
        var start = new int[n + 1];
        foreach (PairLink link in links)
        {
            start[link.First + 1]++;
            start[link.Second + 1]++;
        }

        for (int i = 0; i < n; i++)
        {
            start[i + 1] += start[i];
        }

        var adjacent = new int[start[n]];
        int[] fill = start[..n];
        for (int l = 0; l < links.Count; l++)
        {
            adjacent[fill[links[l].First]++] = l;
            adjacent[fill[links[l].Second]++] = l;
        }

        var done = new bool[n];
        var queue = new PriorityQueue<(int Link, int From), double>();
        for (int root = 0; root < n; root++)
        {
            if (!present[root] || done[root])
            {
                continue;
            }

            done[root] = true;
            x[root] = priorX(root);
            y[root] = priorY(root);
            Enqueue(root);
            while (queue.TryDequeue(out var item, out _))
            {
                PairLink link = links[item.Link];
                int to = link.First == item.From ? link.Second : link.First;
                if (done[to])
                {
                    continue;
                }

                double sign = to == link.Second ? 1 : -1;
                x[to] = x[item.From] + (sign * termX(link).D);
                y[to] = y[item.From] + (sign * termY(link).D);
                done[to] = true;
                Enqueue(to);
            }
        }

        for (int i = 0; i < n; i++)
        {
            if (!present[i])
            {
                x[i] = priorX(i);
                y[i] = priorY(i);
            }
        }

        void Enqueue(int tile)
        {
            for (int k = start[tile]; k < start[tile + 1]; k++)
            {
                PairLink link = links[adjacent[k]];
                queue.Enqueue((adjacent[k], tile), -Math.Min(termX(link).W, termY(link).W));
            }
        }
    }
}
