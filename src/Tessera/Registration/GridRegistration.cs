using System.Diagnostics;
using Tessera.Codecs;
using Tessera.Illumination;
using Tessera.Imaging;
using Tessera.Layout;

namespace Tessera.Registration;

/// <summary>Where registration put every tile, and what it found on the way.</summary>
/// <param name="Placements">One per present tile, row-major, with Column and Row set; shifted so that the smallest X and the smallest Y are 0.</param>
/// <param name="Report">Pairs measured and rejected, the stage model, the worst residuals.</param>
public sealed record RegistrationResult(IReadOnlyList<TilePlacement> Placements, RegistrationReport Report)
{
    /// <summary>The tiles' gains, measured on the same strips, where the registration was asked for them (<see cref="GainSampling"/>); else null.</summary>
    public GainMeasurement? Gains { get; init; }
}

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
    /// <param name="progress">Counts the neighbour pairs as they are measured (those with a missing tile at once).</param>
    /// <param name="gains">Also measure the tiles' gains, on the same strips; null measures none.</param>
    public static RegistrationResult Run(TileGrid grid, OverlapSpec overlap, RegistrationOptions options, ITileCodec codec, CancellationToken ct = default,
        WorkProgress? progress = null, GainSampling? gains = null)
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
        var westAligner = new PairAligner(geometry.StripX, geometry.Height, geometry.NominalTx, geometry.Margin, options);
        var northAligner = new PairAligner(geometry.StripY, geometry.Width, geometry.NominalTy, geometry.Margin, options);
        StripGeometry? full = geometry.Full;
        PairAligner? westFull = full is null ? null : new PairAligner(full.StripX, full.LengthX, full.NominalTx, full.Margin, options, refining: true);
        PairAligner? northFull = full is null ? null : new PairAligner(full.StripY, full.LengthY, full.NominalTy, full.Margin, options, refining: true);
        int columns = grid.Columns, rows = grid.Rows, count = columns * rows;
        int threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        var pool = new PixelMemoryPool(maxFreeArrays: 3 * threads);
        var strips = new StripPool();
        StripGains? stripGains = gains is null ? null : new StripGains(geometry, gains, columns, rows, Math.Min(overlapX, overlapY));
        progress?.Start(((long)(columns - 1) * rows) + ((long)columns * (rows - 1)));
        long start = RegistrationTimings.Start(options.Timings);
        NullSample sample = NullDistribution.Measure(grid, geometry, header, codec, pool, strips, westAligner, northAligner, options, threads, ct);
        NullModel westNoise = sample.West, northNoise = sample.North;
        options.Timings?.Add(RegistrationStage.NullDistribution, start);

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
                NullModel noise = west ? westNoise : northNoise;
                double clear = PairJudgement.ClearlySignificant(noise);
                StripMeasurement m = west ? westAligner.Align(a.East!, b.West!, clear) : northAligner.Align(a.South!, b.North!, clear);
                var (dx, dy) = west ? geometry.WestOffset(m.Tx, m.Ty) : geometry.NorthOffset(m.Tx, m.Ty);
                if (m.Blank || full is null)
                {
                    link = PairJudgement.Judge(first, second, direction, m, noise, noise.Noise, geometry, options.SearchMargin);
                }
                else
                {
                    // The decode scale finds the shift; full resolution places it, without the bias
                    // that sampling both tiles at different phases of a reduced grid leaves.
                    var (tx, ty) = full.Shift(direction, dx, dy);
                    m = west ? westFull!.Polish(a.Full!.East!, b.Full!.West!, tx, ty, m) : northFull!.Polish(a.Full!.South!, b.Full!.North!, tx, ty, m);
                    link = PairJudgement.Judge(first, second, direction, m, noise, noise.Noise / geometry.Scale, full, options.SearchMargin);
                    (dx, dy) = west ? full.WestOffset(m.Tx, m.Ty) : full.NorthOffset(m.Tx, m.Ty);
                }

                if (stripGains is not null)
                {
                    long begin = RegistrationTimings.Start(options.Timings);
                    stripGains.Measure(second, direction, a, b, dx, dy);
                    options.Timings?.Add(RegistrationStage.Gains, begin);
                }
            }

            GiveBack(first, west ? Edge.East : Edge.South);
            GiveBack(second, west ? Edge.West : Edge.North);
            progress?.Advance();
            return link;
        }

        void Decode(int i)
        {
            int c = i % columns, r = i / columns;
            Volatile.Write(ref tiles[i], grid[c, r] is { } path
                ? sample.Take(i) ?? TileStrips.Read(path, codec, geometry, header, pool, strips, options.Timings)
                : null);
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
        var links = new List<PairLink>(2 * count);
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

        start = RegistrationTimings.Start(options.Timings);
        StageModel westModel = StageModel.Fit(PairDirection.West, links, header.Width - overlapX, 0, header.Width, options.SearchMargin);
        StageModel northModel = StageModel.Fit(PairDirection.North, links, 0, header.Height - overlapY, header.Height, options.SearchMargin);
        WeakBridges.Admit(count, grid.PresentCount, links, options.MinCorrelation);
        (double, double) Model(PairDirection d) => d == PairDirection.West ? (westModel.OffsetX, westModel.OffsetY) : (northModel.OffsetX, northModel.OffsetY);

        var present = new bool[columns * rows];
        for (int i = 0; i < present.Length; i++)
        {
            present[i] = grid[i % columns, i / columns] is not null;
        }

        var x = new double[present.Length];
        var y = new double[present.Length];
        double ModelSigma(PairDirection d) => d == PairDirection.West ? westModel.Repeatability : northModel.Repeatability;
        GlobalSolver.Solve(present, columns, links, Model, ModelSigma, options.MaxResidual, x, y);
        westModel = westModel.AfterSolve(links);
        northModel = northModel.AfterSolve(links);
        options.Timings?.Add(RegistrationStage.Solve, start);

        List<TilePlacement> placements = Placements(grid, present, x, y);
        start = RegistrationTimings.Start(options.Timings);
        GainMeasurement? measuredGains = stripGains?.Solve(grid, present, x, y, placements, codec, threads, ct);
        options.Timings?.Add(RegistrationStage.Gains, start);
        var report = new RegistrationReportBuilder(grid, links, x, y, options.SearchMargin)
            .Build(missingPairs, scale, westModel, northModel, westNoise, northNoise, clock.Elapsed);
        return new RegistrationResult(placements, report) { Gains = measuredGains };
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
}
