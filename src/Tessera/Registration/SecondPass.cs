using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Layout;

namespace Tessera.Registration;

/// <summary>What the second pass learnt and did, for the report.</summary>
/// <param name="WestWindow">Horizontal pairs: the bar a match found anywhere in the search window must clear (second best of the non-overlapping pairs).</param>
/// <param name="WestLocal">Horizontal pairs: the bar a match within ±<see cref="SecondPass.LocalRadius"/> decoded px of a predicted shift must clear.</param>
/// <param name="Tried">Pairs the first pass refused as not significant, searched again.</param>
/// <param name="Confirmed">Of those, pairs accepted (<see cref="PairOutcome.Confirmed"/>) and kept by the solve.</param>
public sealed record SecondPassSummary(double WestWindow, double WestLocal, double NorthWindow, double NorthLocal, int Tried, int Confirmed, int Rounds);

/// <summary>
/// The second pass of the registration: pairs the first pass found not significant are searched
/// again, with a whitening that keeps faint texture (<see cref="PredictedWhitening"/>), and accepted
/// only where the grid's loops agree with them. A pair inside a group of tiles already joined by
/// accepted links is accepted where its best match within ±<see cref="LocalRadius"/> decoded px of
/// the shift the group's solved positions predict beats what unrelated strips reach in a box that
/// size. A tile or group joins another where one pair's match (above the bar for the whole window)
/// implies a translation that a second pair between the two confirms that way. Where no group
/// exists yet, a 2×2 block whose four pairs close (three matches above the window's bar, the fourth
/// confirmed where they predict it) starts one. A prediction never comes from the stage model: a tile
/// with no accepted link is a group of its own, placed by no one.
/// </summary>
/// <remarks>
/// The pass re-reads the tiles of the refused pairs row by row (two rows of strips alive), keeping
/// per pair only its few best local maxima of the score over the search window; the groups grow
/// over up to <see cref="MaxRounds"/> rounds, each followed by a global solve.
/// </remarks>
internal static class SecondPass
{
    /// <summary>Half the box searched around a predicted shift, decoded px.</summary>
    public const int LocalRadius = 3;

    /// <summary>
    /// How far apart (decoded px) two best matches of the whole window may lie and still agree:
    /// where a group joins another or a 2×2 block closes. At <see cref="LocalRadius"/> the 8×8 faint
    /// set joined a tile by two matches 3 and 6 px off the truth in opposite directions.
    /// </summary>
    private const double AgreeRadius = 1;

    private const int PeaksKept = 8;
    private const int MaxRounds = 4;
    private const int NullTiles = 16;
    private const int NullPairs = 40;
    private const int BoxesPerNullPair = 10;

    /// <summary>
    /// The floor of a second-pass link's σ, decoded px: its shift is placed by a parabola on the
    /// decode scale's score, not refined at full resolution, and on the 8×8 faint set a third of
    /// the right ones were 1–3 px off. Lower, they pulled the photograph's, the illustration's and
    /// the integer grid's well-measured tiles (median 0.065 → 0.095 px on the photograph).
    /// </summary>
    private const double SigmaFloor = 0.5;

    internal readonly record struct Peak(float Tx, float Ty, float Score, float CurvatureX, float CurvatureY);

    private sealed record Bars(double Window, double Local, double Noise);

    /// <summary>
    /// Runs the second pass on <paramref name="links"/> (solved once, positions in <paramref name="x"/>, <paramref name="y"/>):
    /// confirmed pairs become <see cref="PairOutcome.Confirmed"/> and the positions are solved again. Null where no pair was refused.
    /// </summary>
    public static SecondPassSummary? Run(TileGrid grid, StripGeometry g, ImageHeader header, ITileCodec codec, RegistrationOptions options, int threads,
        List<PairLink> links, bool[] present, Action solve, double[] x, double[] y, CancellationToken ct)
    {
        // Tiles the first pass placed by a link of its own: a pair between two of them is left as the
        // first pass judged it, since a second-pass match, placed at the decode scale only, would add
        // less than it costs (photograph 8×8: median 0.065 → 0.080 px with them), and no tile is
        // decoded again for it.
        int n = present.Length;
        var anchored = new bool[n];
        foreach (PairLink link in links)
        {
            if (link.Measured)
            {
                anchored[link.First] = anchored[link.Second] = true;
            }
        }

        var refused = new List<int>();
        for (int l = 0; l < links.Count; l++)
        {
            if (links[l].Outcome == PairOutcome.LowCorrelation && !(anchored[links[l].First] && anchored[links[l].Second]))
            {
                refused.Add(l);
            }
        }

        if (refused.Count == 0)
        {
            return null;
        }

        var pool = new PixelMemoryPool(maxFreeArrays: 3 * threads);
        var strips = new StripPool();
        var westFinder = new ThreadLocal<PeakFinder>(() => new PeakFinder(g.StripX, g.LengthX, g.NominalTx, g.Margin));
        var northFinder = new ThreadLocal<PeakFinder>(() => new PeakFinder(g.StripY, g.LengthY, g.NominalTy, g.Margin));
        NullSample? sample = SampleNull(grid, g, header, codec, pool, strips, options, threads, ct);
        Bars west = NullBars(sample, g, threads, PairDirection.West, westFinder, ct);
        Bars north = NullBars(sample, g, threads, PairDirection.North, northFinder, ct);
        Dictionary<int, Peak[]> peaks = Measure(grid, g, header, codec, pool, strips, options, threads, links, refused, westFinder, northFinder, ct);

        int columns = grid.Columns;
        var byTile = new List<int>[n];
        foreach (int l in refused)
        {
            (byTile[links[l].First] ??= []).Add(l);
            (byTile[links[l].Second] ??= []).Add(l);
        }

        Bars BarsOf(int l) => links[l].Direction == PairDirection.West ? west : north;

        // The strip shift a full-resolution offset between the pair's tiles implies, and back.
        (double Tx, double Ty) ToStrip(int l, double dx, double dy) => links[l].Direction == PairDirection.West
            ? ((dx / g.Scale) - g.Width + g.StripX, dy / g.Scale)
            : ((dy / g.Scale) - g.Height + g.StripY, dx / g.Scale);
        (double Dx, double Dy) ToOffset(int l, Peak p) => links[l].Direction == PairDirection.West ? g.WestOffset(p.Tx, p.Ty) : g.NorthOffset(p.Tx, p.Ty);

        // The best kept peak within the box around the predicted offset that beats the local bar.
        Peak? Near(int l, double dx, double dy, bool window = false)
        {
            if (!peaks.TryGetValue(l, out Peak[]? list))
            {
                return null;
            }

            var (tx, ty) = ToStrip(l, dx, dy);
            double radius = window ? AgreeRadius : LocalRadius;
            foreach (Peak p in list)
            {
                if (Math.Abs(p.Tx - tx) <= radius && Math.Abs(p.Ty - ty) <= radius)
                {
                    return p.Score > (window ? BarsOf(l).Window : BarsOf(l).Local) ? p : null;
                }
            }

            return null;
        }

        void Accept(int l, Peak p)
        {
            var (dx, dy) = ToOffset(l, p);
            Bars bars = BarsOf(l);
            var (sx, sy) = Sigmas(p, bars.Noise, g.Scale, options.SearchMargin);
            var (sigmaX, sigmaY) = links[l].Direction == PairDirection.West ? (sx, sy) : (sy, sx);
            links[l] = links[l] with { Dx = dx, Dy = dy, Correlation = p.Score, Outcome = PairOutcome.Confirmed, SigmaX = sigmaX, SigmaY = sigmaY };
        }

        int rounds = 0;
        var group = new int[n];
        var px = new double[n];
        var py = new double[n];
        for (int round = 0; round < MaxRounds; round++)
        {
            Groups(links, present, group);
            Array.Copy(x, px, n);
            Array.Copy(y, py, n);
            int accepted = 0;

            // Within a group: the solved positions predict the pair's offset.
            foreach (int l in refused)
            {
                PairLink link = links[l];
                if (link.Outcome == PairOutcome.LowCorrelation && group[link.First] == group[link.Second] &&
                    Near(l, px[link.Second] - px[link.First], py[link.Second] - py[link.First]) is { } p)
                {
                    Accept(l, p);
                    accepted++;
                }
            }

            // Between two groups: one pair's match implies their translation, a second pair confirms it.
            foreach (int l in refused)
            {
                PairLink link = links[l];
                int ga = group[link.First], gb = group[link.Second];
                if (link.Outcome != PairOutcome.LowCorrelation || ga == gb)
                {
                    continue;
                }

                // Only the pair's best match, and only where a second pair's best there clears the
                // same bar: two matches of the whole window that agree, not one and a chance peak.
                foreach (Peak candidate in (peaks.GetValueOrDefault(l) ?? []).Take(1))
                {
                    if (candidate.Score <= BarsOf(l).Window)
                    {
                        break;
                    }

                    var (dx, dy) = ToOffset(l, candidate);
                    // Group gb moved by (tx, ty) puts the pair at this offset.
                    double tx = px[link.First] + dx - px[link.Second], ty = py[link.First] + dy - py[link.Second];
                    if (Confirm(l, ga, gb, tx, ty) is { } second)
                    {
                        Accept(l, candidate);
                        Accept(second.Link, second.Peak);
                        Merge(gb, ga, tx, ty);
                        accepted += 2;
                        break;
                    }
                }
            }

            if (accepted == 0)
            {
                accepted += Seeds();
            }

            if (accepted == 0)
            {
                break;
            }

            rounds++;
            solve();
        }

        int confirmed = links.Count(l => l.Outcome == PairOutcome.Confirmed);
        return new SecondPassSummary(west.Window, west.Local, north.Window, north.Local, refused.Count, confirmed, rounds);

        // Another refused pair between groups a and b, b moved by (tx, ty): the first whose prediction is confirmed.
        (int Link, Peak Peak)? Confirm(int except, int a, int b, double tx, double ty)
        {
            for (int tile = 0; tile < n; tile++)
            {
                if (group[tile] != b || byTile[tile] is not { } list)
                {
                    continue;
                }

                foreach (int l in list)
                {
                    PairLink link = links[l];
                    if (l == except || link.Outcome != PairOutcome.LowCorrelation)
                    {
                        continue;
                    }

                    bool firstInA = group[link.First] == a && group[link.Second] == b;
                    bool secondInA = group[link.Second] == a && group[link.First] == b;
                    if (!firstInA && !secondInA)
                    {
                        continue;
                    }

                    double sx = px[link.Second] + (firstInA ? tx : 0), sy = py[link.Second] + (firstInA ? ty : 0);
                    double fx = px[link.First] + (secondInA ? tx : 0), fy = py[link.First] + (secondInA ? ty : 0);
                    if (Near(l, sx - fx, sy - fy, window: true) is { } p && p.Equals(peaks[l][0]))
                    {
                        return (l, p);
                    }
                }
            }

            return null;
        }

        void Merge(int from, int into, double tx, double ty)
        {
            for (int i = 0; i < n; i++)
            {
                if (group[i] == from)
                {
                    group[i] = into;
                    px[i] += tx;
                    py[i] += ty;
                }
            }
        }

        // 2×2 blocks of four tiles in four groups: three matches above the window's bar predict the fourth pair.
        int Seeds()
        {
            int made = 0;
            int rows = n / columns;
            for (int r = 0; r + 1 < rows; r++)
            {
                for (int c = 0; c + 1 < columns; c++)
                {
                    int t00 = (r * columns) + c, t10 = t00 + 1, t01 = t00 + columns, t11 = t01 + 1;
                    if (!present[t00] || !present[t10] || !present[t01] || !present[t11])
                    {
                        continue;
                    }

                    int[] four = [group[t00], group[t10], group[t01], group[t11]];
                    if (four.Distinct().Count() < 4)
                    {
                        continue;
                    }

                    int top = Find(t00, t10), left = Find(t00, t01), right = Find(t10, t11), bottom = Find(t01, t11);
                    if (top < 0 || left < 0 || right < 0 || bottom < 0)
                    {
                        continue;
                    }

                    if (Close(top, left, right, bottom, t00, t10, t01, t11))
                    {
                        made += 4;
                    }
                }
            }

            return made;
        }

        int Find(int first, int second)
        {
            if (byTile[second] is not { } list)
            {
                return -1;
            }

            foreach (int l in list)
            {
                if (links[l].First == first && links[l].Second == second && links[l].Outcome == PairOutcome.LowCorrelation)
                {
                    return l;
                }
            }

            return -1;
        }

        bool Close(int top, int left, int right, int bottom, int t00, int t10, int t01, int t11)
        {
            foreach (Peak a in Above(top))
            {
                foreach (Peak b in Above(left))
                {
                    foreach (Peak c in Above(right))
                    {
                        var (ax, ay) = ToOffset(top, a);
                        var (bx, by) = ToOffset(left, b);
                        var (cx, cy) = ToOffset(right, c);

                        // t10 = t00 + top, t01 = t00 + left, t11 = t10 + right: bottom = t11 − t01.
                        if (Near(bottom, ax + cx - bx, ay + cy - by, window: true) is { } d && d.Equals(peaks[bottom][0]))
                        {
                            Accept(top, a);
                            Accept(left, b);
                            Accept(right, c);
                            Accept(bottom, d);
                            int into = group[t00];
                            double ox = px[t00], oy = py[t00];
                            Place(t10, into, ox + ax, oy + ay);
                            Place(t01, into, ox + bx, oy + by);
                            Place(t11, into, ox + ax + cx, oy + ay + cy);
                            return true;
                        }
                    }
                }
            }

            return false;
        }

        void Place(int tile, int into, double atX, double atY) => Merge(group[tile], into, atX - px[tile], atY - py[tile]);

        IEnumerable<Peak> Above(int l) => (peaks.GetValueOrDefault(l) ?? []).Take(1).Where(p => p.Score > BarsOf(l).Window);
    }

    /// <summary>Each axis's σ (full-resolution px) from the score's noise over the peak's curvature, as the first pass takes it.</summary>
    private static (float Across, float Along) Sigmas(Peak p, double noise, int scale, int searchMargin)
    {
        double noiseHere = PairJudgement.NoiseAt(p.Score, noise);
        double ridge = PairJudgement.RidgeSigma(searchMargin);
        float Axis(double curvature) => curvature <= noiseHere
            ? (float)ridge
            : (float)Math.Min(ridge, scale * Math.Max(SigmaFloor, Math.Sqrt(Math.Pow(noiseHere / curvature, 2) + (0.02 * 0.02))));
        return (Axis(p.CurvatureX), Axis(p.CurvatureY));
    }

    /// <summary>Connected parts of the accepted links (<see cref="TileGroups"/>): each tile's group is its part's root.</summary>
    private static void Groups(List<PairLink> links, bool[] present, int[] group)
    {
        var groups = new TileGroups(present.Length);
        foreach (PairLink link in links)
        {
            if (link.Measured)
            {
                groups.Join(link.First, link.Second);
            }
        }

        for (int i = 0; i < present.Length; i++)
        {
            group[i] = groups.Root(i);
        }
    }

    /// <summary>Every refused pair's best few peaks: the tiles read again row by row, two rows of strips alive at a time.</summary>
    private static Dictionary<int, Peak[]> Measure(TileGrid grid, StripGeometry g, ImageHeader header, ITileCodec codec, PixelMemoryPool pool,
        StripPool strips, RegistrationOptions options, int threads, List<PairLink> links, List<int> refused,
        ThreadLocal<PeakFinder> westFinder, ThreadLocal<PeakFinder> northFinder, CancellationToken ct)
    {
        int columns = grid.Columns, rows = grid.Rows;
        var needed = new bool[columns * rows];
        var byRow = new List<int>[rows];
        foreach (int l in refused)
        {
            needed[links[l].First] = needed[links[l].Second] = true;
            (byRow[links[l].Second / columns] ??= []).Add(l);
        }

        var result = new Dictionary<int, Peak[]>();
        var read = new TileStrips?[columns * rows];
        for (int r = 0; r < rows; r++)
        {
            int row = r;
            WorkerThreads.For(columns, threads, c =>
            {
                int cell = (row * columns) + c;
                if (needed[cell])
                {
                    read[cell] = TileStrips.Read(grid[c, row]!, codec, g, header, pool, strips, options.Timings);
                }
            }, "tessera-second", ct);

            if (byRow[r] is { } pairs)
            {
                var found = new Peak[pairs.Count][];
                WorkerThreads.For(pairs.Count, threads, k =>
                {
                    PairLink link = links[pairs[k]];
                    TileStrips a = read[link.First]!, b = read[link.Second]!;
                    found[k] = link.Direction == PairDirection.West
                        ? westFinder.Value!.Peaks(a.East!, b.West!)
                        : northFinder.Value!.Peaks(a.South!, b.North!);
                }, "tessera-second", ct);
                for (int k = 0; k < pairs.Count; k++)
                {
                    result[pairs[k]] = found[k];
                }
            }

            if (r > 0)
            {
                for (int c = 0; c < columns; c++)
                {
                    read[((r - 1) * columns) + c] = null;
                }
            }
        }

        return result;
    }

    /// <summary>The tiles the bars are learnt from, read once for both directions, and the pairs of them that do not overlap.</summary>
    private sealed record NullSample(TileStrips[] Strips, (int First, int Second)[] Pairs);

    /// <summary>
    /// Up to <see cref="NullTiles"/> tiles spread over the grid, read once, and up to <see cref="NullPairs"/>
    /// of their pairs that are not neighbours (so cannot overlap), chosen at random with a fixed seed.
    /// Null where no such pair exists.
    /// </summary>
    private static NullSample? SampleNull(TileGrid grid, StripGeometry g, ImageHeader header, ITileCodec codec, PixelMemoryPool pool,
        StripPool strips, RegistrationOptions options, int threads, CancellationToken ct)
    {
        int columns = grid.Columns, rows = grid.Rows;
        int[] present = Enumerable.Range(0, columns * rows).Where(i => grid[i % columns, i / columns] is not null).ToArray();
        int k = Math.Min(NullTiles, present.Length);
        int[] cells = Enumerable.Range(0, k).Select(j => present[(int)((long)j * present.Length / k)]).ToArray();
        var choices = new List<(int, int)>();
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++)
            {
                int dc = Math.Abs((cells[i] % columns) - (cells[j] % columns)), dr = Math.Abs((cells[i] / columns) - (cells[j] / columns));
                if (i != j && Math.Max(dc, dr) > 1)
                {
                    choices.Add((i, j));
                }
            }
        }

        if (choices.Count == 0)
        {
            return null;
        }

        var sampled = new TileStrips[k];
        WorkerThreads.For(k, threads, j =>
        {
            int cell = cells[j];
            sampled[j] = TileStrips.Read(grid[cell % columns, cell / columns]!, codec, g, header, pool, strips, options.Timings);
        }, "tessera-second-null", ct);

        var random = new Random(18);
        return new NullSample(sampled, choices.OrderBy(_ => random.Next()).Take(NullPairs).ToArray());
    }

    /// <summary>
    /// The bars of one direction, from the sample's strips that do not overlap: the second best of
    /// the pairs' best peaks in the whole window, and the highest of their best peaks within
    /// boxes of ±<see cref="LocalRadius"/> px at random places in it (a smaller window's chance
    /// maximum is lower); and one shift's score noise. No bar can be beaten where there is no sample.
    /// </summary>
    private static Bars NullBars(NullSample? sample, StripGeometry g, int threads, PairDirection direction, ThreadLocal<PeakFinder> finder,
        CancellationToken ct)
    {
        if (sample is null)
        {
            return new Bars(double.PositiveInfinity, double.PositiveInfinity, 0.05);
        }

        var (sampled, picked) = (sample.Strips, sample.Pairs);
        var found = new (Peak[] Peaks, double[] Noise)[picked.Length];
        WorkerThreads.For(picked.Length, threads, p =>
        {
            var (i, j) = picked[p];
            PeakFinder f = finder.Value!;
            found[p].Peaks = direction == PairDirection.West ? f.Peaks(sampled[i].East!, sampled[j].West!) : f.Peaks(sampled[i].South!, sampled[j].North!);
            found[p].Noise = f.SampleScores(new Random(p));
        }, "tessera-second-null", ct);

        int nominal = direction == PairDirection.West ? g.NominalTx : g.NominalTy, margin = g.Margin;
        var best = new List<double>();
        var local = new List<double>();
        var noise = new List<double>();
        var boxes = new Random(19);
        foreach (var (list, scores) in found)
        {
            best.Add(list.Length > 0 ? list[0].Score : -1);
            noise.AddRange(scores);
            for (int b = 0; b < BoxesPerNullPair; b++)
            {
                int cx = nominal + boxes.Next(-margin + LocalRadius, margin - LocalRadius + 1), cy = boxes.Next(-margin + LocalRadius, margin - LocalRadius + 1);
                Peak? inBox = list.Cast<Peak?>().FirstOrDefault(p => Math.Abs(p!.Value.Tx - cx) <= LocalRadius && Math.Abs(p.Value.Ty - cy) <= LocalRadius);
                local.Add(inBox?.Score ?? -1);
            }
        }

        best.Sort();
        local.Sort();
        double window = best[best.Count >= 20 ? best.Count - 2 : best.Count - 1];
        double localBar = local[^1];
        double sigma = noise.Count > 0 ? Math.Sqrt(noise.Sum(v => v * v) / noise.Count) : 0.05;
        return new Bars(window, localBar, sigma);
    }

    /// <summary>The score surface of two strips over the whole search window, reduced to its best local maxima. One per thread and direction.</summary>
    internal sealed class PeakFinder(int width, int length, int nominal, int margin)
    {
        private readonly PredictedWhitening _whitening = new(width, length);
        private readonly OverlapScores _scores = new(width, length, nominal, margin, tables: true);
        private readonly double[] _surface = new double[((2 * margin) + 1) * ((2 * margin) + 1)];

        /// <summary>The local maxima of the score (above all eight neighbours), best first, at most <see cref="PeaksKept"/>, each placed to subpixel by a parabola per axis.</summary>
        public Peak[] Peaks(byte[] a, byte[] b)
        {
            _scores.Reset(_whitening.Apply(a), _whitening.Apply(b));
            int side = (2 * margin) + 1;
            for (int j = 0; j < side; j++)
            {
                for (int i = 0; i < side; i++)
                {
                    _surface[(j * side) + i] = _scores.Score(nominal - margin + i, j - margin);
                }
            }

            double S(int i, int j) => i < 0 || j < 0 || i >= side || j >= side ? -2 : _surface[(j * side) + i];
            var maxima = new List<Peak>();
            for (int j = 0; j < side; j++)
            {
                for (int i = 0; i < side; i++)
                {
                    double s = S(i, j);
                    if (s <= -2)
                    {
                        continue;
                    }

                    bool top = true;
                    for (int dj = -1; dj <= 1 && top; dj++)
                    {
                        for (int di = -1; di <= 1; di++)
                        {
                            double t = S(i + di, j + dj);
                            if ((di != 0 || dj != 0) && (t > s || (t == s && (dj < 0 || (dj == 0 && di < 0)))))
                            {
                                top = false;
                                break;
                            }
                        }
                    }

                    // A maximum on the window's edge is no peak (the window stopped the rise).
                    if (!top || i == 0 || j == 0 || i == side - 1 || j == side - 1)
                    {
                        continue;
                    }

                    double l = S(i - 1, j), r = S(i + 1, j), u = S(i, j - 1), d = S(i, j + 1);
                    double cx = (2 * s) - l - r, cy = (2 * s) - u - d;
                    double ox = cx > 1e-9 ? Math.Clamp((r - l) / (2 * cx), -0.5, 0.5) : 0;
                    double oy = cy > 1e-9 ? Math.Clamp((d - u) / (2 * cy), -0.5, 0.5) : 0;
                    maxima.Add(new Peak((float)(nominal - margin + i + ox), (float)(j - margin + oy), (float)s, (float)cx, (float)cy));
                }
            }

            return maxima.OrderByDescending(p => p.Score).Take(PeaksKept).ToArray();
        }

        /// <summary>Scores at a few random shifts of the strips last given to <see cref="Peaks"/>: one shift's noise.</summary>
        public double[] SampleScores(Random random)
        {
            var values = new List<double>();
            for (int k = 0; k < 8; k++)
            {
                double v = _scores.Score(nominal + random.Next(-margin, margin + 1), random.Next(-margin, margin + 1));
                if (v > -2)
                {
                    values.Add(v);
                }
            }

            return values.ToArray();
        }
    }
}
