using System.Diagnostics;
using System.Globalization;
using Tessera.Codecs;
using Tessera.Compositing;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Pyramid;
using Tessera.Sinks;

namespace Tessera.Build;

/// <summary>
/// <c>tessera build</c> as a library call: finds the tiles, places them on their grid, and writes
/// the Deep Zoom pyramid — whole, or one shard of its first round, or the finishing step after the
/// shards. The .dzi is written last; a whole build that fails removes what it wrote, a shard that
/// fails keeps its finished blocks so that running it again continues.
/// </summary>
public static class PyramidBuild
{
    public static BuildResult Run(BuildRequest request, ITileCodec? codec = null, BuildProgress? progress = null,
        CancellationToken cancellationToken = default)
    {
        if (request.Shard is not null && request.Finish)
        {
            throw new TesseraException("A run is either one shard (--shard) or the finishing step (--finish), not both.");
        }

        if (request.Overwrite && (request.Shard is not null || request.Finish))
        {
            throw new TesseraException("--overwrite cannot be used with --shard or --finish: shards share one output; remove it before starting them.");
        }

        var clock = Stopwatch.StartNew();
        codec ??= TileCodecs.Create(CodecChoice.Auto, out _);
        progress ??= new BuildProgress();
        Job job = Job.Prepare(request, codec);
        using var sink = new DirectoryTileSink(job.Paths, job.Pyramid.Encode.Format);
        var store = new BlockStore(job.Paths.WorkDirectory, job.Plan, job.PixelFormat);
        var pool = new PixelMemoryPool();
        using var source = new MosaicSource(job.Mosaic, job.PixelFormat, codec, request.Background, request.TileCacheBytes, pool);
        var builder = new PyramidBuilder(job.Plan, job.Pyramid, codec, sink, progress, pool);

        BuildResult Result(int built, int skipped, bool complete) => new(job.Paths, job.Geometry, job.Grid.Columns, job.Grid.Rows,
            job.First.Width, job.First.Height, job.OverlapX, job.OverlapY, job.Grid.MissingCells().ToList(),
            progress.TilesWritten, source.Decodes, clock.Elapsed)
        {
            Shard = request.Shard, BlocksBuilt = built, BlocksSkipped = skipped, Complete = complete,
        };

        if (request.Shard is { } shard)
        {
            RefuseIfComplete(job.Paths);
            sink.Open(job.Geometry.LevelCount);
            job.Manifest(codec).WriteOrCheck(job.Paths.WorkDirectory);
            var (start, end) = job.Plan.Shard(shard.Index, shard.Count);
            int skipped = Enumerable.Range(start, end - start).Count(store.IsDone);
            progress.SetTotal(Enumerable.Range(start, end - start).Where(b => !store.IsDone(b)).Sum(b => job.Plan.TileCount(b, b + 1)));
            builder.BuildBlocks(source, start, end, store, cancellationToken);
            return Result(end - start - skipped, skipped, complete: false);
        }

        if (request.Finish)
        {
            RefuseIfComplete(job.Paths);
            JobManifest existing = JobManifest.ReadFrom(job.Paths.WorkDirectory)
                ?? throw new TesseraException($"Nothing to finish: no shard has run for \"{job.Paths.DziFile}\" (its work folder \"{job.Paths.WorkDirectory}\" is missing).");
            job.Manifest(codec).CheckAgainst(existing, Path.Combine(job.Paths.WorkDirectory, JobManifest.FileName));
            List<int> missing = store.Missing();
            if (missing.Count > 0)
            {
                throw new TesseraException(string.Create(CultureInfo.InvariantCulture,
                    $"{missing.Count} of {job.Plan.Blocks.Count} blocks are not built yet (first: block {missing[0]}): run the missing or failed shards again, then --finish."));
            }

            sink.Open(job.Geometry.LevelCount);
            progress.SetTotal(job.Geometry.TotalTileCount() - job.Plan.TileCount(0, job.Plan.Blocks.Count));
            builder.Finish(source, store, cancellationToken);
            sink.Commit(job.Geometry);
            return Result(0, job.Plan.Blocks.Count, complete: true);
        }

        sink.Create(job.Geometry.LevelCount, request.Overwrite);
        try
        {
            job.Manifest(codec).WriteOrCheck(job.Paths.WorkDirectory);
            progress.SetTotal(job.Geometry.TotalTileCount());
            builder.Build(source, store, cancellationToken);
            sink.Commit(job.Geometry);
            return Result(job.Plan.Blocks.Count, 0, complete: true);
        }
        catch
        {
            sink.Delete();
            throw;
        }
    }

    private static void RefuseIfComplete(DziPaths paths)
    {
        if (paths.IsComplete)
        {
            throw new TesseraException($"\"{paths.DziFile}\" is already complete; remove it (and its _files folder) to build it again.");
        }
    }

    /// <summary>Everything known about a build before any pixel is read.</summary>
    internal sealed record Job(
        BuildRequest Request, TileGrid Grid, ImageHeader First, int OverlapX, int OverlapY, GridMosaic Mosaic,
        DziPaths Paths, PyramidOptions Pyramid, DziGeometry Geometry, PyramidPlan Plan)
    {
        /// <summary>Grey if the first tile is grey, else colour; every tile is converted to it.</summary>
        public PixelFormat PixelFormat => First.Format;

        public static Job Prepare(BuildRequest request, ITileCodec codec)
        {
            request.Pyramid.Validate();
            TileGrid grid = GridScanner.Scan(request.InputDirectory, request.Layout);
            ImageHeader first = codec.ReadHeader(grid.FirstTile);
            var (overlapX, overlapY) = request.Overlap.ToPixels(first.Width, first.Height);
            var mosaic = new GridMosaic(grid, first.Width, first.Height, overlapX, overlapY);
            var paths = new DziPaths(request.OutputPath);
            PyramidOptions pyramid = request.Pyramid with { TemporaryDirectory = Path.GetDirectoryName(paths.DziFile)! };
            var geometry = new DziGeometry(mosaic.Width, mosaic.Height, pyramid.TileSize, pyramid.Overlap);
            return new Job(request, grid, first, overlapX, overlapY, mosaic, paths, pyramid, geometry, new PyramidPlan(geometry, pyramid.BlockLevels));
        }

        public JobManifest Manifest(ITileCodec codec) => new(
            Path.GetFullPath(Request.InputDirectory),
            $"{Request.Layout.Order} {Request.Layout.Pattern ?? "(default)"} across={Request.Layout.Across?.ToString(CultureInfo.InvariantCulture) ?? "-"}",
            Grid.Columns, Grid.Rows, First.Width, First.Height, OverlapX, OverlapY, Request.Background.ToString(),
            Geometry.Width, Geometry.Height, Geometry.TileSize, Geometry.Overlap,
            Pyramid.Encode.Format.DziName(), Pyramid.Encode.Quality, Pyramid.BlockLevels, PixelFormat.ToString(), codec.Name);
    }
}
