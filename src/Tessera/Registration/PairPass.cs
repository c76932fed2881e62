using System.Diagnostics;
using System.Runtime.InteropServices;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Layout;

namespace Tessera.Registration;

/// <summary>
/// The pass over the tiles: every tile decoded once, every west and north neighbour pair aligned
/// on their facing strips. What the pass holds — the strips of about a row of tiles, the decoded
/// tiles in flight, the buffers that pool both, and a few numbers per cell to know when a pair is
/// ready — belongs to this object and is let go when <see cref="Measure"/> returns, before the
/// solve, the gains and the report allocate theirs.
/// </summary>
internal sealed class PairPass
{
    private readonly TileGrid _grid;
    private readonly StripGeometry _geometry;
    private readonly ImageHeader _header;
    private readonly ITileCodec _codec;
    private readonly RegistrationOptions _options;
    private readonly StripGains? _gains;
    private readonly WorkProgress? _progress;
    private readonly int _columns;
    private readonly int _rows;
    private readonly PairAligner _westAligner;
    private readonly PairAligner _northAligner;
    private readonly PairAligner? _westFull;
    private readonly PairAligner? _northFull;
    private readonly PixelMemoryPool _pool;
    private readonly StripPool _strips = new();

    // Per cell: its strips while any is still needed, the edges whose strip is not yet given back,
    // where its links go in the list, and how many of each of its pairs' two tiles are decoded.
    // A few bytes a cell: at 600×600 a nullable link per pair and cell held 46 MB to the end.
    private readonly TileStrips?[] _tiles;
    private readonly int[] _edgesLeft;
    private readonly int[] _firstLink;
    private readonly int[] _westDecoded;
    private readonly int[] _northDecoded;

    /// <summary>Every link at its final place, each written by the thread that aligned its pair.</summary>
    private readonly List<PairLink> _links;
    private readonly int _missingPairs;
    private NullSample _sample = null!;

    private PairPass(TileGrid grid, StripGeometry geometry, ImageHeader header, ITileCodec codec, RegistrationOptions options, int threads,
        StripGains? gains, WorkProgress? progress)
    {
        (_grid, _geometry, _header, _codec, _options, _gains, _progress) = (grid, geometry, header, codec, options, gains, progress);
        (_columns, _rows) = (grid.Columns, grid.Rows);
        _westAligner = new PairAligner(geometry.StripX, geometry.Height, geometry.NominalTx, geometry.Margin, options);
        _northAligner = new PairAligner(geometry.StripY, geometry.Width, geometry.NominalTy, geometry.Margin, options);
        if (geometry.Full is { } full)
        {
            _westFull = new PairAligner(full.StripX, full.LengthX, full.NominalTx, full.Margin, options, refining: true);
            _northFull = new PairAligner(full.StripY, full.LengthY, full.NominalTy, full.Margin, options, refining: true);
        }

        _pool = new PixelMemoryPool(maxFreeArrays: 3 * threads);
        int count = _columns * _rows;
        _tiles = new TileStrips?[count];
        _edgesLeft = new int[count];
        Array.Fill(_edgesLeft, 4);
        _westDecoded = new int[count];
        _northDecoded = new int[count];
        _firstLink = new int[count];
        int links = 0;
        for (int i = 0; i < count; i++)
        {
            _firstLink[i] = links;
            links += (HasWest(i) ? 1 : 0) + (HasNorth(i) ? 1 : 0);
        }

        _missingPairs = ((_columns - 1) * _rows) + (_columns * (_rows - 1)) - links;
        _links = new List<PairLink>(links);
        CollectionsMarshal.SetCount(_links, links);
    }

    /// <summary>Learns the significance bar, then measures every pair; the links in row-major order of the second tile, each west pair before its north one.</summary>
    /// <param name="gains">Also measures the pairs' gain ratios on the same strips; null measures none.</param>
    public static MeasuredPairs Measure(TileGrid grid, StripGeometry geometry, ImageHeader header, ITileCodec codec, RegistrationOptions options,
        int threads, StripGains? gains, WorkProgress? progress, CancellationToken ct)
    {
        var pass = new PairPass(grid, geometry, header, codec, options, threads, gains, progress);
        return pass.Run(threads, ct);
    }

    private MeasuredPairs Run(int threads, CancellationToken ct)
    {
        long start = RegistrationTimings.Start(_options.Timings);
        _sample = NullDistribution.Measure(_grid, _geometry, _header, _codec, _pool, _strips, _westAligner, _northAligner, _options, threads, ct);
        _options.Timings?.Add(RegistrationStage.NullDistribution, start);

        // Tiles are decoded in row-major order by whichever thread is free, and each pair is aligned
        // by the thread that decodes the later of its two tiles: no thread waits for a row to end.
        // A strip is given back once its pair is aligned, so what is alive is about a row of south
        // strips and the tiles in flight.
        WorkerThreads.For(_tiles.Length, threads, Decode, "tessera-register", ct);
        return new MeasuredPairs(_links, _missingPairs, _sample.West, _sample.North);
    }

    // A pair is measured where both its cells hold a tile; its link goes where the row-by-row pass
    // put it: row-major by its second tile, each tile's west pair before its north one.
    private bool HasWest(int i) => i % _columns > 0 && Present(i) && Present(i - 1);

    private bool HasNorth(int i) => i >= _columns && Present(i) && Present(i - _columns);

    private bool Present(int i) => _grid[i % _columns, i / _columns] is not null;

    private void Store(int second, PairDirection direction, PairLink? link)
    {
        if (link is not { } found)
        {
            return;
        }

        int at = _firstLink[second] + (direction == PairDirection.North && HasWest(second) ? 1 : 0);
        Debug.Assert(direction == PairDirection.West ? HasWest(second) : HasNorth(second), "a link where a tile is missing");
        CollectionsMarshal.AsSpan(_links)[at] = found;
    }

    // Every tile gives back each of its four strips once: when the pair across that edge is
    // aligned, or at once on the grid's border; after the fourth the tile is let go of.
    private void GiveBack(int tile, Edge edge)
    {
        Volatile.Read(ref _tiles[tile])?.Give(edge, _strips);
        if (Interlocked.Decrement(ref _edgesLeft[tile]) == 0)
        {
            Volatile.Write(ref _tiles[tile], null);
        }
    }

    // Pair (first, second), both decoded now; null where a tile is missing.
    private PairLink? Align(int first, int second, PairDirection direction)
    {
        bool west = direction == PairDirection.West;
        PairLink? link = null;
        StripGeometry geometry = _geometry;
        StripGeometry? full = geometry.Full;
        if (Volatile.Read(ref _tiles[first]) is { } a && Volatile.Read(ref _tiles[second]) is { } b)
        {
            NullModel noise = west ? _sample.West : _sample.North;
            double clear = PairJudgement.ClearlySignificant(noise);

            // The broad fall is measured where the pair is last measured: here, or in the polish.
            double? coarseNoise = full is null ? noise.Noise : null;
            StripMeasurement m = west ? _westAligner.Align(a.East!, b.West!, clear, coarseNoise) : _northAligner.Align(a.South!, b.North!, clear, coarseNoise);
            var (dx, dy) = west ? geometry.WestOffset(m.Tx, m.Ty) : geometry.NorthOffset(m.Tx, m.Ty);
            if (m.Blank || full is null)
            {
                link = PairJudgement.Judge(first, second, direction, m, noise, noise.Noise, geometry, _options.SearchMargin);
            }
            else
            {
                // The decode scale finds the shift; full resolution places it, without the bias
                // that sampling both tiles at different phases of a reduced grid leaves.
                var (tx, ty) = full.Shift(direction, dx, dy);
                double fullNoise = noise.Noise / geometry.Scale;
                m = west ? _westFull!.Polish(a.Full!.East!, b.Full!.West!, tx, ty, m, fullNoise) : _northFull!.Polish(a.Full!.South!, b.Full!.North!, tx, ty, m, fullNoise);
                link = PairJudgement.Judge(first, second, direction, m, noise, fullNoise, full, _options.SearchMargin);
                (dx, dy) = west ? full.WestOffset(m.Tx, m.Ty) : full.NorthOffset(m.Tx, m.Ty);
            }

            if (_gains is not null)
            {
                long begin = RegistrationTimings.Start(_options.Timings);
                _gains.Measure(second, direction, a, b, dx, dy);
                _options.Timings?.Add(RegistrationStage.Gains, begin);
            }
        }

        GiveBack(first, west ? Edge.East : Edge.South);
        GiveBack(second, west ? Edge.West : Edge.North);
        _progress?.Advance();
        return link;
    }

    private void Decode(int i)
    {
        int c = i % _columns, r = i / _columns;
        Volatile.Write(ref _tiles[i], _grid[c, r] is { } path
            ? _sample.Take(i) ?? TileStrips.Read(path, _codec, _geometry, _header, _pool, _strips, _options.Timings)
            : null);
        foreach (var (border, edge) in (ReadOnlySpan<(bool, Edge)>)[(c == 0, Edge.West), (c == _columns - 1, Edge.East), (r == 0, Edge.North), (r == _rows - 1, Edge.South)])
        {
            if (border)
            {
                GiveBack(i, edge);
            }
        }

        // Each pair counts its decoded tiles; the thread that makes it two aligns it.
        if (c > 0 && Interlocked.Increment(ref _westDecoded[i]) == 2)
        {
            Store(i, PairDirection.West, Align(i - 1, i, PairDirection.West));
        }

        if (c + 1 < _columns && Interlocked.Increment(ref _westDecoded[i + 1]) == 2)
        {
            Store(i + 1, PairDirection.West, Align(i, i + 1, PairDirection.West));
        }

        if (r > 0 && Interlocked.Increment(ref _northDecoded[i]) == 2)
        {
            Store(i, PairDirection.North, Align(i - _columns, i, PairDirection.North));
        }

        if (r + 1 < _rows && Interlocked.Increment(ref _northDecoded[i + _columns]) == 2)
        {
            Store(i + _columns, PairDirection.North, Align(i, i + _columns, PairDirection.North));
        }
    }
}
