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
/// Tiles are read in bands of columns, each band row by row (<see cref="PassBands"/>), at reduced
/// scale (JPEG DCT scaling where the codec offers it), and only their four edge strips are kept,
/// each only until the pair that needs it is aligned: the strips held are about a band's row,
/// whatever the grid's width; beside them a few numbers per tile and link, which grow with the grid.
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
        int columns = grid.Columns, rows = grid.Rows, count = columns * rows;
        int threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        StripGains? stripGains = gains is null ? null : new StripGains(geometry, gains, columns, rows, Math.Min(overlapX, overlapY));
        progress?.Start(((long)(columns - 1) * rows) + ((long)columns * (rows - 1)));

        // The scan's large arrays, garbage now, would leave holes in the large-object heap that the
        // pass's arrays do not fit (4.2 MiB of free space at its peak on 200×200, 8.9 on 300×300):
        // given back and compacted first, 0.3 MiB.
        StageMemory.Release();
        var (links, missingPairs, westNoise, northNoise) = PairPass.Measure(grid, geometry, header, codec, options, threads, stripGains, progress, ct);
        StageMemory.Release();

        long start = RegistrationTimings.Start(options.Timings);
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
        (double, double) Spread(PairDirection d) => d == PairDirection.West ? (westModel.SpreadX, westModel.SpreadY) : (northModel.SpreadX, northModel.SpreadY);
        void Solve() => GlobalSolver.Solve(present, columns, links, Model, ModelSigma, options.MaxResidual, x, y, PairJudgement.RidgeSigma(options.SearchMargin), Spread);
        Solve();

        // The pairs found not significant, searched again around the shifts the accepted ones predict.
        SecondPassSummary? second = !options.SecondPass ? null : SecondPass.Run(grid, geometry, header, codec, options, threads, links, present, Solve, x, y, ct);
        westModel = westModel.AfterSolve(links);
        northModel = northModel.AfterSolve(links);
        options.Timings?.Add(RegistrationStage.Solve, start);
        StageMemory.Release();

        var placements = new SolvedPlacements(grid, present, x, y);
        start = RegistrationTimings.Start(options.Timings);
        GainMeasurement? measuredGains = stripGains?.Solve(grid, present, x, y, placements, codec, threads, ct);
        options.Timings?.Add(RegistrationStage.Gains, start);
        StageMemory.Release();
        var report = new RegistrationReportBuilder(grid, links, x, y, options.SearchMargin)
            .Build(missingPairs, scale, westModel, northModel, westNoise, northNoise, clock.Elapsed, second);
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
}
