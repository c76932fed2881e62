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
/// shards. The .dzi is written last. Finished blocks are recorded as they complete, so a build that
/// is stopped (Ctrl-C, SIGKILL, power loss of the process) or fails after some work continues where
/// it was when the same command runs again; a build that fails before finishing any block leaves
/// nothing behind.
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
        using IPyramidSink sink = CreateSink(job);
        var store = new BlockStore(job.Paths.WorkDirectory, job.Plan, job.PixelFormat);
        var pool = new PixelMemoryPool();
        using var source = new MosaicSource(job.Mosaic, job.PixelFormat, codec, request.Background, request.TileCacheBytes, pool);
        var builder = new PyramidBuilder(job.Plan, job.Pyramid, codec, sink, progress, pool);

        BuildResult Result(int built, int skipped, bool complete) => new(job.Paths, job.Geometry, job.Grid.Columns, job.Grid.Rows,
            job.First.Width, job.First.Height, job.OverlapX, job.OverlapY, job.Grid.MissingCells().ToList(),
            progress.TilesWritten - progress.BlankTiles, progress.BlankTiles, source.Decodes, clock.Elapsed)
        {
            Shard = request.Shard, BlocksBuilt = built, BlocksSkipped = skipped, Complete = complete, Written = Finished(job, sink),
        };

        if (request.Shard is { } shard)
        {
            RefuseIfComplete(job, sink);
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
            RefuseIfComplete(job, sink);
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
            Complete(job, sink);
            return Result(0, job.Plan.Blocks.Count, complete: true);
        }

        if (request.Container == OutputContainer.Zip && !request.Overwrite && !IsComplete(job, sink) && sink.IsComplete)
        {
            // Stopped while packing: the folder pyramid is whole, only the zip is left to write.
            Complete(job, sink);
            return Result(0, job.Plan.Blocks.Count, complete: true);
        }

        PrepareWholeBuild(job, codec, sink, request.Overwrite);
        int alreadyDone = Enumerable.Range(0, job.Plan.Blocks.Count).Count(store.IsDone);
        try
        {
            job.Manifest(codec).WriteOrCheck(job.Paths.WorkDirectory);
            progress.SetTotal(job.Geometry.TotalTileCount()
                - Enumerable.Range(0, job.Plan.Blocks.Count).Where(store.IsDone).Sum(b => job.Plan.TileCount(b, b + 1)));
            builder.Build(source, store, cancellationToken);
            Complete(job, sink);
            return Result(job.Plan.Blocks.Count - alreadyDone, alreadyDone, complete: true);
        }
        catch (OperationCanceledException)
        {
            // Stopped on request: everything finished so far is kept for the next run.
            throw;
        }
        catch (Exception e) when (store.Missing().Count < job.Plan.Blocks.Count && e is TesseraException)
        {
            throw new TesseraException($"{e.Message} The part already built is kept: fix this and run the same command to continue (--overwrite starts over).", e);
        }
        catch (Exception) when (store.Missing().Count == job.Plan.Blocks.Count || !job.Plan.HasBlockRound)
        {
            sink.Delete();
            throw;
        }
    }

    /// <summary>
    /// A whole build starts afresh, or continues one that was interrupted: a work folder whose job
    /// file matches means finished blocks are kept and only the rest is built. A complete pyramid,
    /// another job's leftovers or stray files are refused without <paramref name="overwrite"/>, and
    /// removed with it.
    /// </summary>
    private static void PrepareWholeBuild(Job job, ITileCodec codec, IPyramidSink sink, bool overwrite)
    {
        DziPaths paths = job.Paths;
        if (overwrite)
        {
            sink.Delete();
            if (job.Request.Container == OutputContainer.Zip)
            {
                File.Delete(paths.ZipFile);
            }
        }
        else if (IsComplete(job, sink))
        {
            throw new TesseraException($"Output \"{Finished(job, sink)}\" already exists; use --overwrite to replace it.");
        }
        else if (JobManifest.ReadFrom(paths.WorkDirectory) is { } existing)
        {
            job.Manifest(codec).CheckAgainst(existing, Path.Combine(paths.WorkDirectory, JobManifest.FileName));
        }
        else if (sink.AnyExists)
        {
            throw new TesseraException($"Output \"{sink.CompleteFile}\" is not complete but its folder exists, from something else than this build; use --overwrite to replace it.");
        }

        sink.Open(job.Geometry.LevelCount);
    }

    private static IPyramidSink CreateSink(Job job)
    {
        BuildRequest request = job.Request;
        if (request.PyramidLayout == PyramidLayout.DeepZoom)
        {
            return new DirectoryTileSink(job.Paths, job.Pyramid.Encode.Format);
        }

        if (request.Container == OutputContainer.Zip)
        {
            throw new TesseraException("--container zip holds a Deep Zoom pyramid; IIIF tiles are written as a folder.");
        }

        var iiif = new IiifTileSink(job.Paths, job.Pyramid.Encode.Format, request.IiifBaseId);
        iiif.Prepare(job.Geometry);
        return iiif;
    }

    private static void RefuseIfComplete(Job job, IPyramidSink sink)
    {
        if (IsComplete(job, sink))
        {
            throw new TesseraException($"\"{Finished(job, sink)}\" is already complete; remove it to build it again.");
        }
    }

    private static bool IsComplete(Job job, IPyramidSink sink) => job.Request.Container == OutputContainer.Zip ? File.Exists(job.Paths.ZipFile) : sink.IsComplete;

    private static string Finished(Job job, IPyramidSink sink) => job.Request.Container == OutputContainer.Zip ? job.Paths.ZipFile : sink.CompleteFile;

    /// <summary>Marks the pyramid complete: writes the .dzi last, then, for a zip, packs the folder into NAME.zip and removes it.</summary>
    private static void Complete(Job job, IPyramidSink sink)
    {
        sink.Commit(job.Geometry);
        if (job.Request.Container == OutputContainer.Zip)
        {
            ZipPacker.Pack(job.Paths, job.Paths.ZipFile);
            sink.Delete();
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
            PyramidOptions pyramid = request.Pyramid with
            {
                TemporaryDirectory = Path.GetDirectoryName(paths.DziFile)!,
                SkipBlank = request.SkipBlank ? request.Background : null,
            };
            var geometry = new DziGeometry(mosaic.Width, mosaic.Height, pyramid.TileSize, pyramid.Overlap);
            return new Job(request, grid, first, overlapX, overlapY, mosaic, paths, pyramid, geometry, new PyramidPlan(geometry, pyramid.BlockLevels));
        }

        public JobManifest Manifest(ITileCodec codec) => new(
            Path.GetFullPath(Request.InputDirectory),
            $"{Request.Layout.Order} {Request.Layout.Pattern ?? "(default)"} across={Request.Layout.Across?.ToString(CultureInfo.InvariantCulture) ?? "-"}",
            Grid.Columns, Grid.Rows, First.Width, First.Height, OverlapX, OverlapY, Request.Background.ToString(),
            Geometry.Width, Geometry.Height, Geometry.TileSize, Geometry.Overlap,
            Pyramid.Encode.Format.DziName(), Pyramid.Encode.Quality, Pyramid.BlockLevels, PixelFormat.ToString(), codec.Name,
            Request.SkipBlank, Request.PyramidLayout.ToString());
    }
}
