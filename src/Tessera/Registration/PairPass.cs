using System.Diagnostics;
using System.Runtime.InteropServices;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Layout;

namespace Tessera.Registration;

/// <summary>
/// The pass over the tiles: every tile decoded once (a band's edge column twice, <see cref="PassBands"/>),
/// every west and north neighbour pair aligned on their facing strips. What the pass holds — the
/// strips of about a band's row of tiles, the decoded tiles in flight, the buffers that pool both,
/// and a few numbers per read to know when a pair is ready — belongs to this object and is let go
/// when <see cref="Measure"/> returns, before the solve, the gains and the report allocate theirs.
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
    private readonly PassBands _bands;

    // Per slot of the bands (each read of a cell): its strips while any is still needed, the edges
    // whose strip is not yet given back, and how many of each of its pairs' two tiles are decoded;
    // per cell, where its links go in the list. A few bytes a cell: at 600×600 a nullable link per
    // pair and cell held 46 MB to the end.
    private readonly TileStrips?[] _tiles;
    private readonly int[] _edgesLeft;
    private readonly int[] _firstLink;
    private readonly int[] _westDecoded;
    private readonly int[] _northDecoded;

    /// <summary>Every link at its final place, each written by the thread that aligned its pair.</summary>
    private readonly List<PairLink> _links;
    private readonly int _missingPairs;
    private NullSample _sample = null!;
    private int _tilesRead;

    private PairPass(TileGrid grid, StripGeometry geometry, ImageHeader header, ITileCodec codec, RegistrationOptions options, int threads,
        StripGains? gains, WorkProgress? progress, int bandWidth)
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
        _bands = new PassBands(_columns, _rows, bandWidth);
        _tiles = new TileStrips?[_bands.Count];
        _edgesLeft = new int[_bands.Count];
        Array.Fill(_edgesLeft, 4);
        _westDecoded = new int[_bands.Count];
        _northDecoded = new int[_bands.Count];
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
    /// <param name="bandWidth">Columns of the grid a band of the pass owns (<see cref="PassBands"/>).</param>
    public static MeasuredPairs Measure(TileGrid grid, StripGeometry geometry, ImageHeader header, ITileCodec codec, RegistrationOptions options,
        int threads, StripGains? gains, WorkProgress? progress, CancellationToken ct, int bandWidth = PassBands.DefaultWidth)
    {
        var pass = new PairPass(grid, geometry, header, codec, options, threads, gains, progress, bandWidth);
        return pass.Run(threads, ct);
    }

    private MeasuredPairs Run(int threads, CancellationToken ct)
    {
        long start = RegistrationTimings.Start(_options.Timings);
        _sample = NullDistribution.Measure(_grid, _geometry, _header, _codec, _pool, _strips, _westAligner, _northAligner, _options, threads, ct);
        _options.Timings?.Add(RegistrationStage.NullDistribution, start);

        // Tiles are decoded band by band, each band row by row, by whichever thread is free, and each
        // pair is aligned by the thread that decodes the later of its two tiles: no thread waits for
        // a row or a band to end. A strip is given back once its pair is aligned, so what is alive is
        // about a band's row of south strips and the tiles in flight.
        WorkerThreads.For(_bands.Count, threads, Decode, "tessera-register", ct);
        return new MeasuredPairs(_links, _missingPairs, _sample.West, _sample.North) { StripsMade = _strips.Made, TilesRead = _tilesRead };
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

    // Every read of a tile gives back each of its four strips once: when the pair across that edge
    // is aligned, or at once where no pair of this read needs it (the grid's border, a band's edge,
    // all but the east strip of a repeated column); after the fourth the read is let go of.
    private void GiveBack(int slot, Edge edge)
    {
        Volatile.Read(ref _tiles[slot])?.Give(edge, _strips);
        if (Interlocked.Decrement(ref _edgesLeft[slot]) == 0)
        {
            Volatile.Write(ref _tiles[slot], null);
        }
    }

    // The pair of slots (from, to), both decoded now, which is the pair of grid cells (second's
    // west or north neighbour, second); null where a tile is missing.
    private PairLink? Align(int from, int to, int second, PairDirection direction)
    {
        bool west = direction == PairDirection.West;
        int first = west ? second - 1 : second - _columns;
        PairLink? link = null;
        StripGeometry geometry = _geometry;
        StripGeometry? full = geometry.Full;
        if (Volatile.Read(ref _tiles[from]) is { } a && Volatile.Read(ref _tiles[to]) is { } b)
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

        GiveBack(from, west ? Edge.East : Edge.South);
        GiveBack(to, west ? Edge.West : Edge.North);
        _progress?.Advance();
        return link;
    }

    private void Decode(int slot)
    {
        PassSlot s = _bands[slot];
        int cell = s.Cell, c = cell % _columns, r = s.Row;
        string? path = _grid[c, r];
        if (path is not null)
        {
            Interlocked.Increment(ref _tilesRead);
        }

        Volatile.Write(ref _tiles[slot], path is null ? null
            : _sample.Take(cell) ?? TileStrips.Read(path, _codec, _geometry, _header, _pool, _strips, _options.Timings));
        bool lastOfRow = s.Column == s.Across - 1, below = !s.Repeat && r + 1 < _rows, above = !s.Repeat && r > 0;
        foreach (var (unpaired, edge) in (ReadOnlySpan<(bool, Edge)>)[(s.Column == 0, Edge.West), (lastOfRow, Edge.East), (!above, Edge.North), (!below, Edge.South)])
        {
            if (unpaired)
            {
                GiveBack(slot, edge);
            }
        }

        // Each pair counts its decoded tiles; the thread that makes it two aligns it.
        if (s.Column > 0 && Interlocked.Increment(ref _westDecoded[slot]) == 2)
        {
            Store(cell, PairDirection.West, Align(slot - 1, slot, cell, PairDirection.West));
        }

        if (!lastOfRow && Interlocked.Increment(ref _westDecoded[slot + 1]) == 2)
        {
            Store(cell + 1, PairDirection.West, Align(slot, slot + 1, cell + 1, PairDirection.West));
        }

        if (above && Interlocked.Increment(ref _northDecoded[slot]) == 2)
        {
            Store(cell, PairDirection.North, Align(slot - s.Across, slot, cell, PairDirection.North));
        }

        if (below && Interlocked.Increment(ref _northDecoded[slot + s.Across]) == 2)
        {
            Store(cell + _columns, PairDirection.North, Align(slot, slot + s.Across, cell + _columns, PairDirection.North));
        }
    }
}
