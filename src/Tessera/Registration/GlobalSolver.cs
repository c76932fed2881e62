namespace Tessera.Registration;

/// <summary>
/// One position per tile from all pair offsets at once: weighted least squares, each axis of each
/// link weighted by 1/σ² of its measurement (Σ w·(p₂ − p₁ − d)² over links, plus a faint pull of
/// every tile towards the stage model's grid so that parts cut off by missing tiles stay put),
/// solved by conjugate gradients from a maximum-spanning-tree start. A link or axis without a
/// measurement carries the stage model's offset, weighted by the model's repeatability. Measured
/// links the solution disagrees with by more than their uncertainty allows are dropped and the
/// system solved again, worst first.
/// </summary>
internal static class GlobalSolver
{
    private const double PriorWeight = 1e-6;
    private const int MaxRounds = 12;

    /// <param name="cells">Grid cells, row-major; false where the tile is missing.</param>
    /// <param name="links">All links, with their final offsets (model offsets for unmeasured ones); outcomes are updated.</param>
    /// <param name="model">Offset for a link given the model's value (West or North).</param>
    /// <param name="modelSigma">How far the stage model's offset may be off, px (its repeatability, at least 1).</param>
    /// <param name="x">Filled with positions; start values are the model grid.</param>
    public static void Solve(bool[] present, int columns, List<PairLink> links, Func<PairDirection, (double Dx, double Dy)> model,
        Func<PairDirection, double> modelSigma, double maxResidual, double[] x, double[] y)
    {
        var (sx, sy) = (model(PairDirection.West).Dx, model(PairDirection.North).Dy);
        var (shearX, shearY) = (model(PairDirection.North).Dx, model(PairDirection.West).Dy);
        int n = present.Length;
        var priorX = new double[n];
        var priorY = new double[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % columns, r = i / columns;
            priorX[i] = (c * sx) + (r * shearX);
            priorY[i] = (r * sy) + (c * shearY);
        }

        var wx = new double[links.Count];
        var wy = new double[links.Count];
        var dx = new double[links.Count];
        var dy = new double[links.Count];
        for (int l = 0; l < links.Count; l++)
        {
            SetLink(links[l], l);
        }

        SpanningTreeStart(present, links, wx, wy, dx, dy, priorX, priorY, x, y);
        for (int round = 0; round < MaxRounds; round++)
        {
            BothAxes();

            double worst = 0;
            for (int l = 0; l < links.Count; l++)
            {
                if (links[l].Measured)
                {
                    worst = Math.Max(worst, Excess(links[l], x, y));
                }
            }

            if (worst <= maxResidual)
            {
                return;
            }

            double cut = Math.Max(maxResidual, 0.5 * worst);
            for (int l = 0; l < links.Count; l++)
            {
                if (links[l].Measured && Excess(links[l], x, y) > cut)
                {
                    links[l] = links[l] with { Outcome = PairOutcome.RemovedBySolve };
                    SetLink(links[l], l);
                }
            }
        }

        BothAxes();

        // The axes are independent systems: one thread each.
        void BothAxes() => Parallel.Invoke(
            () => Conjugate(links, wx, dx, priorX, x, n),
            () => Conjugate(links, wy, dy, priorY, y, n));

        // Each axis: the measurement weighted by 1/σ², or the model's offset by 1/repeatability².
        void SetLink(PairLink link, int l)
        {
            var (mx, my) = model(link.Direction);
            double modelWeight = 1 / Math.Pow(Math.Max(1, modelSigma(link.Direction)), 2);
            bool measured = link.Measured;
            (wx[l], dx[l]) = measured && float.IsFinite(link.SigmaX) ? (Weight(link.SigmaX), link.Dx) : (modelWeight, mx);
            (wy[l], dy[l]) = measured && float.IsFinite(link.SigmaY) ? (Weight(link.SigmaY), link.Dy) : (modelWeight, my);
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
    private static void SpanningTreeStart(bool[] present, List<PairLink> links, double[] wx, double[] wy, double[] dx, double[] dy,
        double[] priorX, double[] priorY, double[] x, double[] y)
    {
        int n = present.Length;
        var adjacency = new List<int>[n];
        for (int l = 0; l < links.Count; l++)
        {
            (adjacency[links[l].First] ??= []).Add(l);
            (adjacency[links[l].Second] ??= []).Add(l);
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
            x[root] = priorX[root];
            y[root] = priorY[root];
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
                x[to] = x[item.From] + (sign * dx[item.Link]);
                y[to] = y[item.From] + (sign * dy[item.Link]);
                done[to] = true;
                Enqueue(to);
            }
        }

        for (int i = 0; i < n; i++)
        {
            if (!present[i])
            {
                x[i] = priorX[i];
                y[i] = priorY[i];
            }
        }

        void Enqueue(int tile)
        {
            if (adjacency[tile] is { } list)
            {
                foreach (int l in list)
                {
                    queue.Enqueue((l, tile), -Math.Min(wx[l], wy[l]));
                }
            }
        }
    }

    /// <summary>Jacobi-preconditioned conjugate gradients on one axis, warm-started from <paramref name="p"/>.</summary>
    private static void Conjugate(List<PairLink> links, double[] w, double[] d, double[] prior, double[] p, int n)
    {
        var diagonal = new double[n];
        var b = new double[n];
        for (int i = 0; i < n; i++)
        {
            diagonal[i] = PriorWeight;
            b[i] = PriorWeight * prior[i];
        }

        for (int l = 0; l < links.Count; l++)
        {
            int i = links[l].First, j = links[l].Second;
            diagonal[i] += w[l];
            diagonal[j] += w[l];
            b[j] += w[l] * d[l];
            b[i] -= w[l] * d[l];
        }

        var r = new double[n];
        var z = new double[n];
        var q = new double[n];
        var ap = new double[n];
        Multiply(links, w, p, r);
        double bNorm = 0;
        for (int i = 0; i < n; i++)
        {
            r[i] = b[i] - r[i];
            z[i] = r[i] / diagonal[i];
            q[i] = z[i];
            bNorm += b[i] * b[i];
        }

        double rz = Dot(r, z);
        double tolerance = 1e-20 * Math.Max(bNorm, 1);
        for (int iteration = 0; iteration < Math.Min((4 * n) + 100, 3000) && Dot(r, r) > tolerance; iteration++)
        {
            Multiply(links, w, q, ap);
            double alpha = rz / Dot(q, ap);
            for (int i = 0; i < n; i++)
            {
                p[i] += alpha * q[i];
                r[i] -= alpha * ap[i];
                z[i] = r[i] / diagonal[i];
            }

            double next = Dot(r, z);
            double beta = next / rz;
            rz = next;
            for (int i = 0; i < n; i++)
            {
                q[i] = z[i] + (beta * q[i]);
            }
        }

        void Multiply(List<PairLink> all, double[] weights, double[] v, double[] result)
        {
            for (int i = 0; i < n; i++)
            {
                result[i] = PriorWeight * v[i];
            }

            for (int l = 0; l < all.Count; l++)
            {
                int i = all[l].First, j = all[l].Second;
                double f = weights[l] * (v[j] - v[i]);
                result[j] += f;
                result[i] -= f;
            }
        }
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }
}
