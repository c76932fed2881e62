using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Layout;

namespace Tessera.Registration;

/// <summary>
/// Learns what noise scores on this tile set, as ASHLAR does: the strips of a few tiles spread over
/// the grid are correlated with strips of tiles they do not touch, by the same aligner as the real
/// pairs. A real pair is significant when its score clears the best of those by a margin, whatever
/// the contrast of the images: a faint gradient's true matches score low but far above its noise,
/// and a repetitive pattern's chance matches score high, so none of its pairs pass.
/// </summary>
internal static class NullDistribution
{
    private const int SampleTiles = 16;
    private const int PairsPerDirection = 40;
    private const int ShiftsPerPair = 8;

    /// <summary>
    /// Measures both directions' null models; the sampled tiles' strips are kept in the result, for
    /// the pass over the grid to take instead of decoding those tiles again.
    /// </summary>
    public static NullSample Measure(TileGrid grid, StripGeometry geometry, ImageHeader header, ITileCodec codec,
        PixelMemoryPool pool, StripPool strips, PairAligner west, PairAligner north, RegistrationOptions options, int threads, CancellationToken ct)
    {
        int columns = grid.Columns, rows = grid.Rows;
        var present = Enumerable.Range(0, columns * rows).Where(i => grid[i % columns, i / columns] is not null).ToArray();
        int k = Math.Min(SampleTiles, present.Length);
        int[] cells = Enumerable.Range(0, k).Select(j => present[(int)((long)j * present.Length / k)]).ToArray();
        var sampled = new TileStrips[k];
        WorkerThreads.For(k, threads, j =>
        {
            int cell = cells[j];
            sampled[j] = TileStrips.Read(grid[cell % columns, cell / columns]!, codec, geometry, header, pool, strips, options.Timings);
        }, "tessera-null", ct);

        // A pair whose second strip is a copy of the first's true neighbour is a real match, not
        // chance: on a tile set of repeated tiles (a period of 3 tiles: one null pair in nine) such
        // pairs would raise the bar above every true match.
        string? At(int cell, int dc, int dr)
        {
            int c = (cell % columns) + dc, r = (cell / columns) + dr;
            return c >= 0 && c < columns && r >= 0 && r < rows ? grid[c, r] : null;
        }

        var contents = new TileContents(cells.SelectMany(cell => new[] { At(cell, 0, 0), At(cell, 1, 0), At(cell, -1, 0), At(cell, 0, 1), At(cell, 0, -1) })
            .OfType<string>());
        bool CopiesWest(int i, int j) =>
            contents.Same(At(cells[j], 0, 0), At(cells[i], 1, 0)) || contents.Same(At(cells[i], 0, 0), At(cells[j], -1, 0));
        bool CopiesNorth(int i, int j) =>
            contents.Same(At(cells[j], 0, 0), At(cells[i], 0, 1)) || contents.Same(At(cells[i], 0, 0), At(cells[j], 0, -1));

        NullModel westModel = Direction(cells, columns, (i, j) => (cells[j] == cells[i] + 1 && cells[i] % columns < columns - 1) || CopiesWest(i, j),
            (i, j) => west.Align(sampled[i].East, sampled[j].West), west, options);
        NullModel northModel = Direction(cells, columns, (i, j) => cells[j] == cells[i] + columns || CopiesNorth(i, j),
            (i, j) => north.Align(sampled[i].South, sampled[j].North), north, options);
        return new NullSample(westModel, northModel, cells, sampled);
    }

    private static NullModel Direction(int[] cells, int columns, Func<int, int, bool> mayMatch, Func<int, int, StripMeasurement> align,
        PairAligner aligner, RegistrationOptions options)
    {
        var choices = new List<(int, int)>();
        var near = new List<(int, int)>();
        for (int i = 0; i < cells.Length; i++)
        {
            for (int j = 0; j < cells.Length; j++)
            {
                if (i == j || mayMatch(i, j))
                {
                    continue;
                }

                int dc = Math.Abs((cells[i] % columns) - (cells[j] % columns)), dr = Math.Abs((cells[i] / columns) - (cells[j] / columns));
                (Math.Max(dc, dr) <= 1 ? near : choices).Add((i, j));
            }
        }

        // Diagonal neighbours do not overlap within the search window either, but are the last resort.
        if (choices.Count < 8)
        {
            choices.AddRange(near);
        }

        var random = new Random(18);
        var best = new List<double>();
        var noise = new List<double>();
        Span<double> shifts = stackalloc double[ShiftsPerPair];
        foreach (var (i, j) in choices.OrderBy(_ => random.Next()).Take(PairsPerDirection))
        {
            StripMeasurement m = align(i, j);
            if (m.Blank)
            {
                continue;
            }

            best.Add(m.Score);
            aligner.SampleScores(shifts);
            foreach (double v in shifts)
            {
                if (v > -1)
                {
                    noise.Add(v);
                }
            }
        }

        if (best.Count == 0 || noise.Count == 0)
        {
            return new NullModel(options.MinCorrelation, 0.05, 0);
        }

        double sigma = Math.Sqrt(noise.Sum(v => v * v) / noise.Count);
        best.Sort();

        // The highest score but one where there are many: one chance match of two similar strips
        // (two straight edges of an illustration) should not raise the bar for every pair.
        double top = best[best.Count >= 20 ? best.Count - 2 : best.Count - 1];
        return new NullModel(top, sigma, best.Count);
    }
}
