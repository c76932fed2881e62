using System.Buffers;
using Tessera.Codecs;
using Tessera.Compositing;
using Tessera.Imaging;

namespace Tessera.Illumination;

/// <summary>
/// Evens out the tiles' exposure: from every pair of neighbours, the ratio of their mean
/// brightness over the same pixels of their true overlap (flat-field already divided out), then
/// one least-squares solve of all log-gains (<see cref="GainSolver"/>), pulled weakly towards 1,
/// with one offset per direction for what the flat-field leaves between a tile's sides: that
/// offset is the same in every pair of a direction, and solved as gains it would become a ramp
/// across the grid (the overlaps alone cannot tell the two apart; the priors decide).
/// </summary>
/// <remarks>
/// Tiles are read once, in order of their place (top to bottom), at reduced scale, as grey, and
/// each is kept only until the pairs it belongs to are measured: memory is about a row of
/// reduced tiles plus a few numbers per tile and pair, whatever the grid's size. Each pair's
/// ratio is robust: samples that are black or saturated in either tile are left out, and of the
/// rest those whose log-ratio lies far from the pair's median; a pair whose samples disagree
/// throughout does not show the same scene in both tiles and is not used.
/// </remarks>
public static class GainBalance
{
    /// <summary>A median and spread of a pair's log-ratios are taken from at most this many of its samples.</summary>
    private const int RobustSamples = 512;

    /// <summary>Reduced samples wanted across the typical overlap when choosing the scale.</summary>
    private const int SamplesAcross = 12;

    /// <param name="progress">Counts the tiles as they are read.</param>
    public static GainMeasurement Measure(PlacedMosaic mosaic, ITileCodec codec, FlatField? flatField, GainBalanceOptions options,
        CancellationToken cancellationToken = default, WorkProgress? progress = null)
    {
        options.Validate();
        OverlapPairs pairs = OverlapPairs.Find(mosaic);
        int scale = options.Scale ?? ChooseScale(pairs.TypicalThickness);
        var field = ReducedField.Create(flatField, scale);
        var results = new PairRatio?[pairs.Count];
        MeasurePairs(mosaic, pairs, codec, field, options, results, progress, cancellationToken);

        var paths = new string[mosaic.Count];
        for (int i = 0; i < paths.Length; i++)
        {
            paths[i] = mosaic.PathOf(i);
        }

        return Solve(paths, results.Length, p => results[p], p =>
        {
            var (first, second) = pairs[p];
            var (direction, sign) = pairs.Orientation(mosaic, p);
            return new GainPair(first, second, direction, sign);
        }, scale, flatField, options);
    }

    /// <summary>
    /// The gains of <paramref name="paths"/> from the measured ratio of each of <paramref name="pairs"/>
    /// pairs (<paramref name="ratio"/>; null where it had too few samples), solved in one
    /// least-squares system; <paramref name="pair"/> says which tiles pair <c>p</c> joins, and how
    /// they lie. Both are asked by index, so that a caller keeps its ratios where it has them.
    /// </summary>
    /// <param name="gridWidth">Where above 0, the tiles are a whole grid this wide, row-major (<see cref="GainSolver.Solve"/>).</param>
    internal static GainMeasurement Solve(IReadOnlyList<string> paths, int pairs, Func<int, PairRatio?> ratio, Func<int, GainPair> pair, int scale,
        FlatField? flatField, GainBalanceOptions options, int gridWidth = 0)
    {
        var links = Links(pairs, ratio, pair, options, out int withoutSignal, out int inconsistent);
        double sideBias = options.SideBias ?? 1;
        var (logGains, biases, stats) = GainSolver.Solve(paths.Count, links, 1 / (options.GainSpread * options.GainSpread),
            options.SideBias is null ? 0 : 2, 1 / (sideBias * sideBias), gridWidth: gridWidth);
        var gains = new double[paths.Count];
        for (int i = 0; i < gains.Length; i++)
        {
            gains[i] = Math.Clamp(Math.Exp(logGains[i]), TileGains.MinGain, TileGains.MaxGain);
        }

        return new GainMeasurement(new TileGains(paths, gains, flatField?.Describe() ?? "none"), scale, pairs, links.Length,
            withoutSignal, inconsistent, 100 * Residual(links, logGains, biases), stats) { SideBiases = biases };
    }

    /// <summary>The coarsest of 1/8, 1/4 and 1/2 that keeps a dozen samples across the typical overlap, else full size.</summary>
    internal static int ChooseScale(int thickness)
    {
        foreach (int scale in (ReadOnlySpan<int>)[8, 4, 2])
        {
            if (thickness / scale >= SamplesAcross)
            {
                return scale;
            }
        }

        return 1;
    }

    /// <summary>
    /// Decodes the tiles in order of their place, by whichever thread is free; the thread that
    /// decodes the later tile of a pair measures it, and a tile is let go once its pairs are done.
    /// </summary>
    private static void MeasurePairs(PlacedMosaic mosaic, OverlapPairs pairs, ITileCodec codec, ReducedField field,
        GainBalanceOptions options, PairRatio?[] results, WorkProgress? progress, CancellationToken cancellationToken)
    {
        progress?.Start(mosaic.Count);
        int[] order = pairs.ReadingOrder(mosaic);
        var tiles = new ReducedTile?[mosaic.Count];
        var pending = new int[mosaic.Count];
        var decoded = new int[pairs.Count];
        for (int i = 0; i < pending.Length; i++)
        {
            pending[i] = pairs.Of(i).Length;
        }

        int threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        var pool = new PixelMemoryPool(maxFreeArrays: 2 * threads);
        void Done(int tile)
        {
            if (Interlocked.Decrement(ref pending[tile]) == 0)
            {
                Interlocked.Exchange(ref tiles[tile], null)?.Release();
            }
        }

        void Read(int n)
        {
            int tile = order[n];
            Volatile.Write(ref tiles[tile], ReducedTile.Read(mosaic.PathOf(tile), mosaic.RectOf(tile), codec, field, options, pool));
            foreach (int p in pairs.Of(tile))
            {
                if (Interlocked.Increment(ref decoded[p]) == 2)
                {
                    var (a, b) = pairs[p];
                    results[p] = Ratio(Volatile.Read(ref tiles[a])!, mosaic.RectOf(a), Volatile.Read(ref tiles[b])!, mosaic.RectOf(b), options);
                    Done(a);
                    Done(b);
                }
            }

            progress?.Advance();
        }

        try
        {
            WorkerThreads.For(order.Length, threads, Read, "tessera-gains", cancellationToken);
        }
        finally
        {
            foreach (ReducedTile? left in tiles)
            {
                left?.Release();
            }
        }
    }

    /// <summary>
    /// ln(mean of <paramref name="a"/> / mean of <paramref name="b"/>) over the same points of their
    /// overlap: <paramref name="a"/>'s reduced pixels at least one reduced pixel inside both
    /// tiles, <paramref name="b"/> interpolated there; every <paramref name="step"/>-th one each way.
    /// Null where too few samples are usable.
    /// </summary>
    internal static PairRatio? Ratio(ReducedTile a, PixelRect ra, ReducedTile b, PixelRect rb, GainBalanceOptions options, int step = 1)
    {
        int s = a.Scale;
        PixelRect overlap = ra.Intersect(rb);
        PixelRect inner = PixelRect.FromEdges(overlap.X + s, overlap.Y + s, overlap.Right - s, overlap.Bottom - s);
        int u0 = CeilDiv(inner.X - ra.X, s), u1 = ((inner.Right - ra.X) / s) - 1;
        int v0 = CeilDiv(inner.Y - ra.Y, s), v1 = ((inner.Bottom - ra.Y) / s) - 1;
        if (inner.IsEmpty || u1 < u0 || v1 < v0)
        {
            return null;
        }

        int capacity = (((u1 - u0) / step) + 1) * (((v1 - v0) / step) + 1);
        float[] first = ArrayPool<float>.Shared.Rent(capacity), second = ArrayPool<float>.Shared.Rent(capacity);
        try
        {
            int n = 0;
            for (int v = v0; v <= v1; v += step)
            {
                double by = ((ra.Y + (s * v) + (s / 2.0) - rb.Y) / s) - 0.5;
                for (int u = u0; u <= u1; u += step)
                {
                    float va = a[u, v], vb = b.Sample(((ra.X + (s * u) + (s / 2.0) - rb.X) / s) - 0.5, by);
                    if (float.IsFinite(va) && float.IsFinite(vb))
                    {
                        first[n] = va;
                        second[n++] = vb;
                    }
                }
            }

            return n < options.MinSamples ? null : RobustRatio(first.AsSpan(0, n), second.AsSpan(0, n), options.MinSamples);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(first);
            ArrayPool<float>.Shared.Return(second);
        }
    }

    /// <summary>The ratio of sums over the samples whose log-ratio lies within three robust deviations of the median.</summary>
    private static PairRatio? RobustRatio(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int minSamples)
    {
        int n = a.Length, step = Math.Max(1, n / RobustSamples);
        Span<float> logs = stackalloc float[RobustSamples + 1];
        int m = 0;
        for (int i = 0; i < n && m < logs.Length; i += step)
        {
            logs[m++] = MathF.Log(a[i] / b[i]);
        }

        logs = logs[..m];
        float median = Median(logs);
        for (int i = 0; i < logs.Length; i++)
        {
            logs[i] = MathF.Abs(logs[i] - median);
        }

        // 1.4826 × MAD estimates a standard deviation; a floor keeps noise-free sets from trimming everything.
        double spread = 1.4826 * Median(logs);
        double limit = Math.Max(3 * spread, 0.02);
        double sumA = 0, sumB = 0;
        int kept = 0;

        // |ln(a/b) − median| ≤ limit, as bounds on the ratio itself: no logarithm per sample.
        double low = Math.Exp(median - limit), high = Math.Exp(median + limit);
        for (int i = 0; i < n; i++)
        {
            double ratio = a[i] / b[i];
            if (ratio >= low && ratio <= high)
            {
                sumA += a[i];
                sumB += b[i];
                kept++;
            }
        }

        return kept < minSamples ? null : new PairRatio(Math.Log(sumA / sumB), kept, spread);
    }

    private static float Median(Span<float> values)
    {
        values.Sort();
        int h = values.Length / 2;
        return values.Length % 2 == 1 ? values[h] : (values[h - 1] + values[h]) / 2;
    }

    /// <summary>
    /// The pairs that count, each weighted by the inverse of its ratio's variance: its samples'
    /// spread squared over their number, but never less than the error floor squared.
    /// </summary>
    private static GainLink[] Links(int pairs, Func<int, PairRatio?> ratio, Func<int, GainPair> pair, GainBalanceOptions options,
        out int withoutSignal, out int inconsistent)
    {
        withoutSignal = inconsistent = 0;
        double floor = options.PairErrorFloor * options.PairErrorFloor;
        double limit = SpreadLimit(pairs, ratio, options);
        int used = 0;
        for (int p = 0; p < pairs; p++)
        {
            used += ratio(p) is { } r && r.Spread <= limit ? 1 : 0;
        }

        // Exactly as many as are used: at 600×600 a list and its copy held 46 MB of links at once.
        var links = new GainLink[used];
        used = 0;
        for (int p = 0; p < pairs; p++)
        {
            if (ratio(p) is not { } r)
            {
                withoutSignal++;
            }
            else if (r.Spread > limit)
            {
                inconsistent++;
            }
            else
            {
                var (first, second, direction, sign) = pair(p);
                double variance = (r.Spread * r.Spread / r.Samples) + floor;
                links[used++] = new GainLink(first, second, r.LogRatio, 1 / variance, options.SideBias is null ? -1 : direction, sign);
            }
        }

        return links;
    }

    /// <summary>The spread beyond which a pair's two tiles do not show the same pixels: a multiple of the median spread, at most the options' maximum.</summary>
    private static double SpreadLimit(int pairs, Func<int, PairRatio?> ratio, GainBalanceOptions options)
    {
        int count = 0;
        for (int p = 0; p < pairs; p++)
        {
            count += ratio(p) is null ? 0 : 1;
        }

        if (count == 0)
        {
            return options.MaxSpread;
        }

        var spreads = new double[count];
        count = 0;
        for (int p = 0; p < pairs; p++)
        {
            if (ratio(p) is { } r)
            {
                spreads[count++] = r.Spread;
            }
        }

        Array.Sort(spreads);
        return Math.Min(options.MaxSpread, options.RelativeSpread * spreads[spreads.Length / 2]);
    }

    /// <summary>The weighted root-mean-square of l_a − l_b + s·β − r over the links.</summary>
    private static double Residual(GainLink[] links, double[] logGains, double[] biases)
    {
        double sum = 0, weights = 0;
        foreach (GainLink link in links)
        {
            double e = logGains[link.First] - logGains[link.Second] + (link.Bias >= 0 ? link.Sign * biases[link.Bias] : 0) - link.LogRatio;
            sum += link.Weight * e * e;
            weights += link.Weight;
        }

        return weights == 0 ? 0 : Math.Sqrt(sum / weights);
    }

    private static int CeilDiv(int value, int divisor) => value >= 0 ? (value + divisor - 1) / divisor : -(-value / divisor);
}

