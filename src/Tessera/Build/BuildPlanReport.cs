using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Outputs;
using Tessera.Outputs.Tiff;
using Tessera.Pyramid;

namespace Tessera.Build;

/// <summary>The work of one shard, as the plan splits it.</summary>
public sealed record ShardWork(int Index, int Blocks, long Tiles, double Share);

/// <summary>
/// What one build process holds at most, by what it grows with: nothing (the runtime, codecs and
/// their buffers), the threads (the pixels of the blocks at work and the tiles kept between them), and
/// the grid (the tiles' names and bookkeeping; for an OME-TIFF, the offset and length of every tile it
/// writes, which its directories need at the end).
/// </summary>
/// <param name="BaseBytes">The runtime, the codecs and the file cache of the handover level.</param>
/// <param name="PixelBytes">The pixel buffers: blocks at work, decoded tiles kept between blocks, the last levels' tile.</param>
/// <param name="GridBytes">What grows with the input grid and the output's tile count.</param>
public sealed record MemoryEstimate(long BaseBytes, long PixelBytes, long GridBytes)
{
    public long TotalBytes => BaseBytes + PixelBytes + GridBytes;
}

/// <summary>
/// What a build will do, worked out from file names and one tile header, without decoding: sizes,
/// levels, tiles, how shards split the work, and the memory and disk it will need.
/// </summary>
/// <param name="OutputTiles">Tiles the build writes: those of the levels the output holds (<paramref name="OutputLevels"/>, from the top down).</param>
/// <param name="OutputBytes">The output's size: as the input compresses for lossy tiles; for lossless ones (deflate, LZW, zlib) the samples uncompressed, which the output does not exceed.</param>
/// <param name="Output">What the output is named by: NAME.dzi, the IIIF folder's info.json, NAME.ome.tif, NAME.ome.zarr.</param>
/// <param name="Layout">The output's layout.</param>
/// <param name="Lossless">Whether <paramref name="OutputBytes"/> is the uncompressed size of lossless tiles.</param>
/// <param name="AllowsShards">Whether the output can be written by shards.</param>
public sealed record BuildPlanReport(
    int Columns,
    int Rows,
    int TilesPresent,
    int TilesMissing,
    int TileWidth,
    int TileHeight,
    int OverlapX,
    int OverlapY,
    DziGeometry Geometry,
    long OutputTiles,
    int Blocks,
    IReadOnlyList<ShardWork> Shards,
    int Threads,
    MemoryEstimate PeakMemory,
    long OutputBytes,
    string Output,
    PyramidLayout Layout,
    int OutputLevels,
    bool Lossless,
    bool AllowsShards)
{
    /// <summary>
    /// Memory of a Tessera process besides its pixel buffers (runtime, codecs, file cache of the
    /// handover level, bookkeeping): set from the benchmark of 2026-11-27, where the estimate with
    /// 90 MiB fell 8–40 MiB short of the measured peaks with 1 and 2 threads.
    /// </summary>
    public const long BaseMemoryBytes = 130L << 20;

    /// <summary>
    /// Memory a build's peak grows by per input tile besides pixels, as measured on 2026-12-04 (the
    /// 50×50 and 200×200 photograph grids of 256×192 tiles, peak resident size less the growth of the
    /// pixel pool's peak): 590 bytes for Deep Zoom, 1,065 for OME-TIFF. Of it the build keeps about
    /// 50 bytes a tile live (the names and the fingerprint 30 of them); the rest is the collector's
    /// slack over a longer run's garbage, which grows with the grid all the same.
    /// </summary>
    public const long BytesPerInputTile = 1088;

    public static BuildPlanReport Describe(BuildRequest request, ITileCodec codec, int shards)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        // A plan reads names and one header, never pixels: a registration's positions are not known yet, the grid's are.
        PyramidBuild.Job job = PyramidBuild.Job.Prepare(request with { Registration = null, Gains = request.Registration is null ? request.Gains : null }, codec);
        PyramidPlan plan = job.Plan;
        using IPyramidOutput output = PyramidOutputs.Create(job, codec);
        int levels = output.LevelsOf(job.Geometry), lowest = PyramidBuild.LowestLevelOf(output, job.Geometry);
        var work = new List<ShardWork>(shards);
        long total = Math.Max(1, plan.CostOf(0, plan.Blocks.Count));
        for (int i = 0; i < shards; i++)
        {
            var (start, end) = plan.Shard(i, shards);
            work.Add(new ShardWork(i, end - start, plan.TileCount(start, end, lowest), (double)plan.CostOf(start, end) / total));
        }

        RasterPyramid? lossless = LosslessRaster(output, job.Request);
        long outputBytes = lossless is not null ? UncompressedBytes(lossless) : CompressedLikeInput(job, lowest);
        return new BuildPlanReport(job.Grid?.Columns ?? 0, job.Grid?.Rows ?? 0, job.TileCount, job.MissingCells.Count,
            job.First.Width, job.First.Height, job.OverlapX, job.OverlapY, job.Geometry, job.Geometry.TotalTileCount(lowest),
            plan.Blocks.Count, work, job.Pyramid.Threads, EstimateMemory(job, output), outputBytes,
            output.Location, job.Request.PyramidLayout, levels, lossless is not null, output.AllowsShards);
    }

    /// <summary>The samples of an OME output whose tiles are compressed losslessly; null for JPEG tiles and the tile layouts.</summary>
    private static RasterPyramid? LosslessRaster(IPyramidOutput output, BuildRequest request) => output switch
    {
        OmeZarrOutput zarr => zarr.Raster,
        OmeTiffOutput tiff when request.Compression != RasterCompression.Jpeg => tiff.Raster,
        _ => null,
    };

    private static long UncompressedBytes(RasterPyramid raster)
    {
        long bytes = 0;
        for (int level = 0; level < raster.LevelCount; level++)
        {
            var (w, h) = raster.LevelSize(level);
            bytes += (long)w * h * raster.PixelBytes;
        }

        return bytes;
    }

    /// <summary>The tiles of the levels from <paramref name="lowest"/> up, at the input's bytes per pixel.</summary>
    private static long CompressedLikeInput(PyramidBuild.Job job, int lowest)
    {
        long inputBytes = new FileInfo(job.FirstTile).Length;
        double bytesPerPixel = (double)inputBytes / ((long)job.First.Width * job.First.Height);
        return (long)(PyramidPixels(job.Geometry, lowest) * bytesPerPixel);
    }

    private static MemoryEstimate EstimateMemory(PyramidBuild.Job job, IPyramidOutput output)
    {
        long gridBytes = job.TileCount * BytesPerInputTile;
        long indexBytes = output is OmeTiffOutput tiff ? BigTiffPyramidWriter.IndexBytes(tiff.Raster) : 0;
        return new MemoryEstimate(BaseMemoryBytes, PixelMemory(job), gridBytes + indexBytes);
    }

    /// <summary>
    /// The pixels a build holds at most: each thread's block working set (see
    /// <see cref="PyramidPlan.BlockWorkingBytes"/>) and the decoded tiles kept between blocks (the
    /// rows of them across one band that meet the block row below, and for each block at work a
    /// column on either side, shared with its neighbours). The last levels stream through one
    /// block's windows, the same pooled arrays, and hand over at most one tile. None of it depends
    /// on the grid's size.
    /// </summary>
    private static long PixelMemory(PyramidBuild.Job job)
    {
        PyramidPlan plan = job.Plan;
        int bpp = job.PixelFormat.BytesPerPixel();
        int blocksAtOnce = plan.HasBlockRound ? job.Pyramid.Threads : 1;
        long bandPixels = Math.Min((long)plan.BlockSpan * plan.BandBlocks, plan.Geometry.Width);
        var (stepX, stepY) = job.Step;

        // Both blocks of a block-row edge render its halo: a row of tiles whose seam falls inside it is shared too.
        long sharedRows = 1 + DziGeometry.CeilDiv(2 * plan.Halo(0), stepY);
        long keptTiles = Math.Min(job.TileCount,
            (sharedRows * ((bandPixels / stepX) + 2)) + (blocksAtOnce * 2 * (((plan.BlockSpan + 16L) / stepY) + 2)));
        long tileBytes = (long)job.First.Width * job.First.Height * bpp;
        long blocks = (blocksAtOnce * plan.BlockWorkingBytes(bpp)) + (keptTiles * tileBytes);
        long lastTile = (long)plan.Geometry.TileSize * plan.Geometry.TileSize * bpp * 5 / 4;
        return blocks + lastTile;
    }

    private static double PyramidPixels(DziGeometry geometry, int lowest)
    {
        double pixels = 0;
        for (int level = lowest; level <= geometry.TopLevel; level++)
        {
            var (w, h) = geometry.LevelSize(level);
            var (c, r) = geometry.TileCount(level);
            pixels += ((double)w + (2.0 * geometry.Overlap * c)) * (h + (2.0 * geometry.Overlap * r));
        }

        return pixels;
    }
}
