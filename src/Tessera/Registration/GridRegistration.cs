using System.Diagnostics;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Layout;

namespace Tessera.Registration;

/// <summary>Where registration put every tile, and what it found on the way.</summary>
/// <param name="Placements">One per present tile, row-major, with Column and Row set; shifted so that the smallest X and the smallest Y are 0.</param>
/// <param name="Report">Pairs measured and rejected, the stage model, the worst residuals.</param>
public sealed record RegistrationResult(IReadOnlyList<TilePlacement> Placements, RegistrationReport Report);

/// <summary>
/// Finds where every tile of a grid really is: the offset of each west and north neighbour pair by
/// phase correlation over the overlap strips (checked by normalised cross-correlation), a stage
/// model fitted to all pairs that rejects outliers and stands in for textureless pairs, and one
/// global least-squares solve.
/// </summary>
/// <remarks>
/// Tiles are read in row-major order at reduced scale (JPEG DCT scaling where the codec offers it),
/// and only their four edge strips are kept, each only until the pair that needs it is aligned:
/// memory is about a row of strips plus a few numbers per tile and link, whatever the grid's size.
/// </remarks>
public static class GridRegistration
{
    private const int WorstShown = 5;

    public static RegistrationResult Run(TileGrid grid, OverlapSpec overlap, RegistrationOptions options, ITileCodec codec, CancellationToken ct = default)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        // Every tile must be the first one's size, checked on its header before it is decoded.
        TileInputCodec input = codec as TileInputCodec ?? new TileInputCodec(codec, files: grid.Files());
        ImageHeader header = input.ReadHeader(grid.FirstTile);
        codec = input.ForGrid(grid.FirstTile, header);
        var (overlapX, overlapY) = overlap.ToPixels(header.Width, header.Height);
        int scale = options.DecodeScale ?? ChooseScale(Math.Min(overlapX, overlapY), options.MinScaledOverlap);
        var geometry = new StripGeometry(header.Width, header.Height, overlapX, overlapY, scale, options.SearchMargin);
        // FFT plans are made (measured, for FFTW) while the first row of tiles decodes.
        Task<(PairAligner West, PairAligner North)> planning = Task.Run(() => (
            new PairAligner(geometry.StripX, geometry.Height, geometry.NominalTx, geometry.Margin, options),
            new PairAligner(geometry.StripY, geometry.Width, geometry.NominalTy, geometry.Margin, options)));

        int columns = grid.Columns, rows = grid.Rows, count = columns * rows;
        int threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        var pool = new PixelMemoryPool(maxFreeArrays: 3 * threads);
        var strips = new StripPool();

        // Tiles are decoded in row-major order by whichever thread is free, and each pair is aligned
        // by the thread that decodes the later of its two tiles: no thread waits for a row to end.
        // A strip is given back once its pair is aligned, so what is alive is about a row of south
        // strips and the tiles in flight.
        var tiles = new TileStrips?[count];
        var edgesLeft = new int[count];
        Array.Fill(edgesLeft, 4);
        var westLinks = new PairLink?[count];
        var northLinks = new PairLink?[count];
        var westDecoded = new int[count];
        var northDecoded = new int[count];

        // Every tile gives back each of its four strips once: when the pair across that edge is
        // aligned, or at once on the grid's border; after the fourth the tile is let go of.
        void GiveBack(int tile, Edge edge)
        {
            Volatile.Read(ref tiles[tile])?.Give(edge, strips);
            if (Interlocked.Decrement(ref edgesLeft[tile]) == 0)
            {
                Volatile.Write(ref tiles[tile], null);
            }
        }

        // Pair (first, second), both decoded now; null where a tile is missing.
        PairLink? Align(int first, int second, PairDirection direction)
        {
            bool west = direction == PairDirection.West;
            PairLink? link = null;
            if (Volatile.Read(ref tiles[first]) is { } a && Volatile.Read(ref tiles[second]) is { } b)
            {
                var (westAligner, northAligner) = planning.GetAwaiter().GetResult(); // a planning error surfaces as itself
                StripShift shift = west ? westAligner.Align(a.East!, b.West!) : northAligner.Align(a.South!, b.North!);
                var (dx, dy) = west ? geometry.WestOffset(shift) : geometry.NorthOffset(shift);
                link = new PairLink(first, second, direction, dx, dy, shift.Correlation, shift.Outcome);
            }

            GiveBack(first, west ? Edge.East : Edge.South);
            GiveBack(second, west ? Edge.West : Edge.North);
            return link;
        }

        void Decode(int i)
        {
            int c = i % columns, r = i / columns;
            Volatile.Write(ref tiles[i], grid[c, r] is { } path ? TileStrips.Read(path, codec, geometry, header, pool, strips) : null);
            foreach (var (border, edge) in (ReadOnlySpan<(bool, Edge)>)[(c == 0, Edge.West), (c == columns - 1, Edge.East), (r == 0, Edge.North), (r == rows - 1, Edge.South)])
            {
                if (border)
                {
                    GiveBack(i, edge);
                }
            }

            // Each pair counts its decoded tiles; the thread that makes it two aligns it.
            if (c > 0 && Interlocked.Increment(ref westDecoded[i]) == 2)
            {
                westLinks[i] = Align(i - 1, i, PairDirection.West);
            }

            if (c + 1 < columns && Interlocked.Increment(ref westDecoded[i + 1]) == 2)
            {
                westLinks[i + 1] = Align(i, i + 1, PairDirection.West);
            }

            if (r > 0 && Interlocked.Increment(ref northDecoded[i]) == 2)
            {
                northLinks[i] = Align(i - columns, i, PairDirection.North);
            }

            if (r + 1 < rows && Interlocked.Increment(ref northDecoded[i + columns]) == 2)
            {
                northLinks[i + columns] = Align(i, i + columns, PairDirection.North);
            }
        }

        WorkerThreads.For(count, threads, Decode, "tessera-register", ct);

        // In the order the row-by-row pass had: row-major, each tile's west pair before its north one.
        var links = new List<PairLink>();
        int missingPairs = 0;
        void Collect(PairLink? link, bool exists)
        {
            if (link is { } found)
            {
                links.Add(found);
            }
            else if (exists)
            {
                missingPairs++;
            }
        }

        for (int i = 0; i < count; i++)
        {
            Collect(westLinks[i], exists: i % columns > 0);
            Collect(northLinks[i], exists: i >= columns);
        }

        StageModel westModel = StageModel.Fit(PairDirection.West, links, header.Width - overlapX, 0, header.Width, options.SearchMargin);
        StageModel northModel = StageModel.Fit(PairDirection.North, links, 0, header.Height - overlapY, header.Height, options.SearchMargin);
        (double, double) Model(PairDirection d) => d == PairDirection.West ? (westModel.OffsetX, westModel.OffsetY) : (northModel.OffsetX, northModel.OffsetY);

        var present = new bool[columns * rows];
        for (int i = 0; i < present.Length; i++)
        {
            present[i] = grid[i % columns, i / columns] is not null;
        }

        var x = new double[present.Length];
        var y = new double[present.Length];
        GlobalSolver.Solve(present, columns, links, Model, options.MaxResidual, x, y);
        westModel = westModel.AfterSolve(links);
        northModel = northModel.AfterSolve(links);

        return new RegistrationResult(Placements(grid, present, x, y), Report(grid, links, missingPairs, scale, westModel, northModel, x, y, clock.Elapsed));
    }

    /// <summary>The coarsest of 1/8, 1/4, 1/2 and 1/1 that keeps at least <paramref name="minimum"/> px of the smaller overlap.</summary>
    internal static int ChooseScale(int overlap, int minimum)
    {
        foreach (int scale in (ReadOnlySpan<int>)[8, 4, 2])
        {
            if (overlap / scale >= minimum)
            {
                return scale;
            }
        }

        return 1;
    }

    private static List<TilePlacement> Placements(TileGrid grid, bool[] present, double[] x, double[] y)
    {
        double minX = double.PositiveInfinity, minY = double.PositiveInfinity;
        for (int i = 0; i < present.Length; i++)
        {
            if (present[i])
            {
                minX = Math.Min(minX, x[i]);
                minY = Math.Min(minY, y[i]);
            }
        }

        var placements = new List<TilePlacement>(grid.PresentCount);
        for (int i = 0; i < present.Length; i++)
        {
            if (present[i])
            {
                int c = i % grid.Columns, r = i / grid.Columns;
                placements.Add(new TilePlacement(grid[c, r]!, x[i] - minX, y[i] - minY, c, r));
            }
        }

        return placements;
    }

    private static RegistrationReport Report(TileGrid grid, List<PairLink> links, int missingPairs, int scale,
        StageModel west, StageModel north, double[] x, double[] y, TimeSpan elapsed)
    {
        var outcomes = new Dictionary<PairOutcome, int>();
        var measuredTile = new bool[x.Length];
        var worst = new PriorityQueue<PairLink, double>();
        foreach (PairLink link in links)
        {
            outcomes[link.Outcome] = outcomes.GetValueOrDefault(link.Outcome) + 1;
            if (link.Outcome == PairOutcome.Measured)
            {
                measuredTile[link.First] = measuredTile[link.Second] = true;
                worst.Enqueue(link, GlobalSolver.Residual(link, x, y));
                if (worst.Count > WorstShown)
                {
                    worst.Dequeue();
                }
            }
        }

        string Name(int cell) => Path.GetFileName(grid[cell % grid.Columns, cell / grid.Columns]!);
        var worstList = new List<LinkResidual>();
        while (worst.TryDequeue(out PairLink link, out double residual))
        {
            worstList.Add(new LinkResidual(Name(link.First), Name(link.Second), link.Direction, residual, link.Correlation));
        }

        worstList.Reverse();
        var byModel = new List<string>();
        for (int i = 0; i < measuredTile.Length; i++)
        {
            if (!measuredTile[i] && grid[i % grid.Columns, i / grid.Columns] is not null)
            {
                byModel.Add(Name(i));
            }
        }

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
            WorstResiduals = worstList,
            PlacedByModel = byModel,
            Elapsed = elapsed,
        };
    }
}

/// <summary>Sizes of the strips at the decode scale, and the conversion of strip shifts into full-resolution tile offsets.</summary>
internal sealed class StripGeometry
{
    public StripGeometry(int fullWidth, int fullHeight, int overlapX, int overlapY, int scale, int searchMargin)
    {
        Scale = scale;
        Width = (fullWidth + scale - 1) / scale;
        Height = (fullHeight + scale - 1) / scale;
        Margin = Math.Max(1, (searchMargin + scale - 1) / scale);
        int ox = overlapX / scale, oy = overlapY / scale;
        StripX = Math.Min(Width, ox + Margin);
        StripY = Math.Min(Height, oy + Margin);
        NominalTx = StripX - ox;
        NominalTy = StripY - oy;
    }

    public int Scale { get; }
    public int Width { get; }
    public int Height { get; }
    public int Margin { get; }

    /// <summary>Width of the east and west strips; the north and south ones are this high.</summary>
    public int StripX { get; }
    public int StripY { get; }
    public int NominalTx { get; }
    public int NominalTy { get; }

    /// <summary>Offset from a tile to its east neighbour, full resolution, from the shift of east strip to west strip.</summary>
    public (double Dx, double Dy) WestOffset(StripShift s) => (Scale * (s.Tx + Width - StripX), Scale * s.Ty);

    /// <summary>Offset from a tile to its south neighbour; the strips are transposed, so the shift's x runs down the image.</summary>
    public (double Dx, double Dy) NorthOffset(StripShift s) => (Scale * s.Ty, Scale * (s.Tx + Height - StripY));
}

/// <summary>The edges of a tile whose strips registration keeps.</summary>
internal enum Edge
{
    East,
    West,
    North,
    South,
}

/// <summary>The four edge strips of one tile at the decode scale, grey; north and south ones transposed.</summary>
internal sealed class TileStrips
{
    public byte[]? East { get; private set; }
    public byte[]? West { get; private set; }
    public byte[]? North { get; private set; }
    public byte[]? South { get; private set; }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static TileStrips Read(string path, ITileCodec codec, StripGeometry g, ImageHeader expected, PixelMemoryPool pool, StripPool strips)
    {
        using PixelBuffer image = ReducedGreyDecode.Decode(path, codec, g.Scale, pool);
        if (image.Width != g.Width || image.Height != g.Height)
        {
            ImageHeader h = codec.ReadHeader(path);
            throw new TesseraException($"Tile \"{path}\" is {h.Width}×{h.Height} px; the grid's tiles are {expected.Width}×{expected.Height}.");
        }

        int w = g.Width, sx = g.StripX, sy = g.StripY;
        var result = new TileStrips
        {
            East = strips.Rent(sx * g.Height),
            West = strips.Rent(sx * g.Height),
            North = strips.Rent(sy * w),
            South = strips.Rent(sy * w),
        };
        for (int y = 0; y < g.Height; y++)
        {
            ReadOnlySpan<byte> row = image.Row(y)[..w];
            row[(w - sx)..].CopyTo(result.East.AsSpan(y * sx, sx));
            row[..sx].CopyTo(result.West.AsSpan(y * sx, sx));
            if (y < sy)
            {
                for (int x = 0; x < w; x++)
                {
                    result.North[(x * sy) + y] = row[x];
                }
            }

            int s = y - (g.Height - sy);
            if (s >= 0)
            {
                for (int x = 0; x < w; x++)
                {
                    result.South[(x * sy) + s] = row[x];
                }
            }
        }

        return result;
    }

    /// <summary>Gives back one strip, once the pair that needed it is aligned.</summary>
    public void Give(Edge edge, StripPool pool)
    {
        switch (edge)
        {
            case Edge.East:
                pool.Return(East);
                East = null;
                break;
            case Edge.West:
                pool.Return(West);
                West = null;
                break;
            case Edge.North:
                pool.Return(North);
                North = null;
                break;
            default:
                pool.Return(South);
                South = null;
                break;
        }
    }
}

/// <summary>
/// Strip arrays handed back once both pairs that need them are done, and handed out again: a
/// registration then allocates a few rows' worth of strips instead of four arrays per tile, and
/// its memory stays near what it holds instead of following the garbage collector's slack.
/// </summary>
internal sealed class StripPool
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, System.Collections.Concurrent.ConcurrentBag<byte[]>> _free = new();

    public byte[] Rent(int length) =>
        _free.TryGetValue(length, out var bag) && bag.TryTake(out byte[]? array) ? array : new byte[length];

    public void Return(byte[]? array)
    {
        if (array is not null)
        {
            _free.GetOrAdd(array.Length, static _ => []).Add(array);
        }
    }
}
