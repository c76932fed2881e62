using Tessera.Codecs;
using Tessera.Compositing;
using Tessera.Illumination;
using Tessera.Imaging;
using Tessera.Layout;

namespace Tessera.Registration;

/// <summary>
/// The tiles' gains measured on the strips registration decodes anyway, so that no second pass
/// reads the tiles: each pair's ratio is taken over its overlap where the pair's own measurement
/// puts it. Where the global solve overruled that measurement, the pair compared the wrong pixels:
/// only those pairs' tiles are read again, and measured where the solve put them, as a pass over
/// the placed tiles would (<see cref="GainBalance"/>).
/// </summary>
internal sealed class StripGains
{
    private readonly StripGeometry _g;
    private readonly GainSampling _sampling;
    private readonly ReducedField _field;
    private readonly int _columns;
    private readonly int _step;

    /// <summary>How far (px) the solve may move a pair from where its ratio was measured before the ratio no longer stands.</summary>
    private const double MovedBy = 1;

    /// <summary>What <see cref="_samples"/> holds for a pair not measured, and for one measured without a ratio.</summary>
    private const int NotMeasured = -2, WithoutRatio = -1;

    // Two pairs per cell (its west one at 2i, its north one at 2i + 1): the ratio in its parts, and
    // the offset it was measured at. As parts, 28 bytes a pair where a nullable ratio and a flag
    // for whether it was measured took 41.
    private readonly double[] _logRatio;
    private readonly double[] _spread;
    private readonly int[] _samples;
    private readonly float[] _dx;
    private readonly float[] _dy;

    /// <param name="thickness">The nominal overlap's smaller side (px): the samples a pair's ratio takes are as dense as a separate pass at its scale would read (<see cref="GainBalance.ChooseScale"/>).</param>
    public StripGains(StripGeometry geometry, GainSampling sampling, int columns, int rows, int thickness)
    {
        sampling.Options.Validate();
        _g = geometry;
        _sampling = sampling;
        _columns = columns;
        _field = ReducedField.Create(sampling.FlatField, geometry.Scale);
        _step = Math.Max(1, (sampling.Options.Scale ?? GainBalance.ChooseScale(thickness)) / geometry.Scale);
        if (_field.HasField && (_field.Width != geometry.Width || _field.Height != geometry.Height))
        {
            throw new TesseraException($"The flat-field is {sampling.FlatField!.Width}×{sampling.FlatField.Height} px; the grid's tiles are {geometry.Scale * geometry.Width}×{geometry.Scale * geometry.Height}.");
        }

        int pairs = 2 * columns * rows;
        _logRatio = new double[pairs];
        _spread = new double[pairs];
        _samples = new int[pairs];
        Array.Fill(_samples, NotMeasured);
        _dx = new float[pairs];
        _dy = new float[pairs];
    }

    /// <summary>
    /// Measures the pair of <paramref name="a"/> and <paramref name="b"/> (grid cell <paramref name="second"/>)
    /// on their facing strips at the decode scale, b lying at (<paramref name="dx"/>, <paramref name="dy"/>) px from a.
    /// </summary>
    public void Measure(int second, PairDirection direction, TileStrips a, TileStrips b, double dx, double dy)
    {
        int s = _g.Scale, p = (2 * second) + (direction == PairDirection.West ? 0 : 1);
        bool west = direction == PairDirection.West;
        int across = west ? _g.StripX : _g.StripY, along = west ? _g.LengthX : _g.LengthY;
        ReducedTile first = west
            ? ReducedTile.FromStrip(a.East, across, along, false, _g.Width - across, _g.StartX, _field, _sampling.Options)
            : ReducedTile.FromStrip(a.South, across, along, true, _g.StartY, _g.Height - across, _field, _sampling.Options);
        ReducedTile next = west
            ? ReducedTile.FromStrip(b.West, across, along, false, 0, _g.StartX, _field, _sampling.Options)
            : ReducedTile.FromStrip(b.North, across, along, true, _g.StartY, 0, _field, _sampling.Options);
        try
        {
            // Both strips as rectangles of the first tile's full-resolution frame.
            PixelRect ra = west
                ? new PixelRect(s * (_g.Width - across), s * _g.StartX, s * across, s * along)
                : new PixelRect(s * _g.StartY, s * (_g.Height - across), s * along, s * across);
            int ox = (int)Math.Round(dx), oy = (int)Math.Round(dy);
            PixelRect rb = west
                ? new PixelRect(ox, oy + (s * _g.StartX), s * across, s * along)
                : new PixelRect(ox + (s * _g.StartY), oy, s * along, s * across);
            PairRatio? ratio = GainBalance.Ratio(first, ra, next, rb, _sampling.Options, _step);
            (_logRatio[p], _spread[p], _samples[p]) = ratio is { } r ? (r.LogRatio, r.Spread, r.Samples) : (0, 0, WithoutRatio);
            (_dx[p], _dy[p]) = ((float)dx, (float)dy);
        }
        finally
        {
            first.Release();
            next.Release();
        }
    }

    /// <summary>
    /// The gains of the present tiles, row-major (the placements' order). A pair the global solve
    /// put more than <see cref="MovedBy"/> px from where it was measured compared the wrong pixels:
    /// its two tiles are read again (at the decode scale) and it is measured at its solved place.
    /// The measured ratios stay where the pass put them (a copy of them and their pairs cost 48
    /// bytes a pair), and are left as they are: the solve can be asked again.
    /// </summary>
    public GainMeasurement Solve(TileGrid grid, bool[] present, double[] x, double[] y, IReadOnlyList<TilePlacement> placements, ITileCodec codec,
        int threads, CancellationToken ct)
    {
        var index = new int[present.Length];
        for (int i = 0, n = 0; i < present.Length; i++)
        {
            index[i] = present[i] ? n++ : -1;
        }

        int measuredPairs = 0;
        foreach (int samples in _samples)
        {
            measuredPairs += samples != NotMeasured ? 1 : 0;
        }

        // Measured pair k is pair pairOf[k] of the pass's arrays; moved lists, in order, the k whose
        // ratio is measured again.
        var pairOf = new int[measuredPairs];
        var moved = new List<int>();
        for (int p = 0, k = 0; p < _samples.Length; p++)
        {
            if (_samples[p] == NotMeasured)
            {
                continue;
            }

            int second = p / 2, first = p % 2 == 0 ? second - 1 : second - _columns;
            if (Math.Abs(x[second] - x[first] - _dx[p]) > MovedBy || Math.Abs(y[second] - y[first] - _dy[p]) > MovedBy)
            {
                moved.Add(k);
            }

            pairOf[k++] = p;
        }

        GainPair Pair(int k)
        {
            int p = pairOf[k], second = p / 2, first = p % 2 == 0 ? second - 1 : second - _columns;
            return new GainPair(index[first], index[second], p % 2, 1);
        }

        PairRatio?[] again = Remeasure(moved, Pair, placements, codec, threads, ct);
        PairRatio? Ratio(int k) => moved.BinarySearch(k) is int j and >= 0 ? again[j] : Measured(pairOf[k]);
        // With every cell's tile present, the placements' index is the cell's, and the gains' solve can lay its matrix on the grid.
        int gridWidth = grid.PresentCount == present.Length ? _columns : 0;
        GainMeasurement measured = GainBalance.Solve(grid.Files(), measuredPairs, Ratio, Pair, _g.Scale, _sampling.FlatField, _sampling.Options, gridWidth);
        return measured with { Reread = moved.Count };
    }

    private PairRatio? Measured(int p) => _samples[p] >= 0 ? new PairRatio(_logRatio[p], _samples[p], _spread[p]) : null;

    /// <summary>The ratios of the pairs the solve moved, in their order, each measured on its two tiles read again, at their solved places.</summary>
    private PairRatio?[] Remeasure(List<int> moved, Func<int, GainPair> pairs, IReadOnlyList<TilePlacement> placements, ITileCodec codec,
        int threads, CancellationToken ct)
    {
        var again = new PairRatio?[moved.Count];
        if (moved.Count == 0)
        {
            return again;
        }

        var (width, height) = _g.Full is { } full ? (full.Width, full.Height) : (_g.Width, _g.Height);
        var mosaic = PlacedMosaic.FromPlacements(placements, _ => (width, height));
        var pool = new PixelMemoryPool(maxFreeArrays: 2 * threads);
        WorkerThreads.For(moved.Count, threads, k =>
        {
            GainPair pair = pairs(moved[k]);
            ReducedTile a = ReducedTile.Read(mosaic.PathOf(pair.First), mosaic.RectOf(pair.First), codec, _field, _sampling.Options, pool);
            try
            {
                ReducedTile b = ReducedTile.Read(mosaic.PathOf(pair.Second), mosaic.RectOf(pair.Second), codec, _field, _sampling.Options, pool);
                again[k] = GainBalance.Ratio(a, mosaic.RectOf(pair.First), b, mosaic.RectOf(pair.Second), _sampling.Options, _step);
                b.Release();
            }
            finally
            {
                a.Release();
            }
        }, "tessera-gains", ct);
        return again;
    }
}
