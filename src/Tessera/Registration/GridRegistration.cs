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
/// Tiles are read row by row at reduced scale (JPEG DCT scaling where the codec offers it), and
/// only their four edge strips are kept, only until both pairs that need them are done: memory is
/// two rows of strips plus a few numbers per tile and link, whatever the grid's size.
/// </remarks>
public static class GridRegistration
{
    private const int WorstShown = 5;

    public static RegistrationResult Run(TileGrid grid, OverlapSpec overlap, RegistrationOptions options, ITileCodec codec, CancellationToken ct = default)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        ImageHeader header = codec.ReadHeader(grid.FirstTile);
        var (overlapX, overlapY) = overlap.ToPixels(header.Width, header.Height);
        int scale = options.DecodeScale ?? ChooseScale(Math.Min(overlapX, overlapY), options.MinScaledOverlap);
        var geometry = new StripGeometry(header.Width, header.Height, overlapX, overlapY, scale, options.SearchMargin);
        // FFT plans are made (measured, for FFTW) while the first row of tiles decodes.
        Task<(PairAligner West, PairAligner North)> planning = Task.Run(() => (
            new PairAligner(geometry.StripX, geometry.Height, geometry.NominalTx, geometry.Margin, options),
            new PairAligner(geometry.StripY, geometry.Width, geometry.NominalTy, geometry.Margin, options)));

        int columns = grid.Columns, rows = grid.Rows;
        var parallel = new ParallelOptions
        {
            CancellationToken = ct,
            MaxDegreeOfParallelism = options.Threads > 0 ? options.Threads : Environment.ProcessorCount,
        };
        var links = new List<PairLink>();
        var pool = new PixelMemoryPool(maxFreeArrays: 3 * parallel.MaxDegreeOfParallelism);
        int missingPairs = 0;
        var strips = new StripPool();
        TileStrips? Read(int c, int r) => grid[c, r] is { } path ? TileStrips.Read(path, codec, geometry, header, pool, strips) : null;

        // Row r's pairs are aligned in the same parallel pass that decodes row r + 1: one pass (and
        // one wait for its slowest item) per row. Strips alive: row r − 1's south edges, rows r and r + 1.
        TileStrips?[] previous = new TileStrips?[columns], current = new TileStrips?[columns], next = new TileStrips?[columns];
        Parallel.For(0, columns, parallel, c => current[c] = Read(c, 0));
        var (westAligner, northAligner) = planning.GetAwaiter().GetResult(); // a planning error surfaces as itself, not wrapped
        var rowLinks = new PairLink?[2 * columns];
        for (int row = 0; row < rows; row++)
        {
            int r = row;
            Parallel.For(0, 3 * columns, parallel, item =>
            {
                if (item < columns)
                {
                    next[item] = r + 1 < rows ? Read(item, r + 1) : null;
                    return;
                }

                int k = item - columns, c = k / 2;
                rowLinks[k] = null;
                if (current[c] is not { } tile)
                {
                    return;
                }

                int cell = (r * columns) + c;
                if (k % 2 == 0 && c > 0 && current[c - 1] is { } west)
                {
                    StripShift shift = westAligner.Align(west.East!, tile.West!);
                    var (dx, dy) = geometry.WestOffset(shift);
                    rowLinks[k] = new PairLink(cell - 1, cell, PairDirection.West, dx, dy, shift.Correlation, shift.Outcome);
                }
                else if (k % 2 == 1 && r > 0 && previous[c] is { } north)
                {
                    StripShift shift = northAligner.Align(north.South!, tile.North!);
                    var (dx, dy) = geometry.NorthOffset(shift);
                    rowLinks[k] = new PairLink(cell - columns, cell, PairDirection.North, dx, dy, shift.Correlation, shift.Outcome);
                }
            });

            for (int k = 0; k < rowLinks.Length; k++)
            {
                if (rowLinks[k] is { } link)
                {
                    links.Add(link);
                }
                else if (k % 2 == 0 ? k / 2 > 0 : row > 0)
                {
                    missingPairs++;
                }
            }

            for (int c = 0; c < columns; c++)
            {
                previous[c]?.Drop(strips);
                previous[c] = null;
                current[c]?.DropAllButSouth(strips);
            }

            (previous, current, next) = (current, next, previous);
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
        using PixelBuffer image = Decode(path, codec, g.Scale, pool);
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

    /// <summary>Gives back the strips only this row's pairs need; the south one stays for the row below.</summary>
    public void DropAllButSouth(StripPool pool)
    {
        pool.Return(East);
        pool.Return(West);
        pool.Return(North);
        East = West = North = null;
    }

    public void Drop(StripPool pool)
    {
        DropAllButSouth(pool);
        pool.Return(South);
        South = null;
    }

    private static PixelBuffer Decode(string path, ITileCodec codec, int scale, PixelMemoryPool pool)
    {
        if (scale == 1)
        {
            return codec.Decode(path, PixelFormat.Gray8, pool);
        }

        if (codec is IScaledDecoder scaled && scaled.TryDecodeScaled(path, PixelFormat.Gray8, scale, pool) is { } reduced)
        {
            return reduced;
        }

        using PixelBuffer full = codec.Decode(path, PixelFormat.Gray8, pool);
        return BoxReduce(full, scale, pool);
    }

    /// <summary>Mean of each scale × scale box (partial boxes at the right and bottom edges).</summary>
    private static PixelBuffer BoxReduce(PixelBuffer full, int scale, PixelMemoryPool pool)
    {
        int w = (full.Width + scale - 1) / scale, h = (full.Height + scale - 1) / scale;
        var reduced = new PixelBuffer(new PixelRect(0, 0, w, h), PixelFormat.Gray8, pool);
        var sums = new int[w];
        for (int y = 0; y < h; y++)
        {
            Array.Clear(sums);
            int y0 = y * scale, y1 = Math.Min(full.Height, y0 + scale);
            for (int fy = y0; fy < y1; fy++)
            {
                ReadOnlySpan<byte> row = full.Row(fy);
                for (int fx = 0; fx < full.Width; fx++)
                {
                    sums[fx / scale] += row[fx];
                }
            }

            Span<byte> target = reduced.Row(y);
            for (int x = 0; x < w; x++)
            {
                int count = (Math.Min(full.Width, (x + 1) * scale) - (x * scale)) * (y1 - y0);
                target[x] = (byte)((sums[x] + (count / 2)) / count);
            }
        }

        return reduced;
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
