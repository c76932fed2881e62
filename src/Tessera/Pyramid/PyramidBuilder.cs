using System.Runtime.ExceptionServices;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Sinks;

namespace Tessera.Pyramid;

/// <summary>
/// Builds every level of a Deep Zoom pyramid from an <see cref="IPixelSource"/> without ever holding
/// the image, or a whole row of it.
/// </summary>
/// <remarks>
/// The top level is cut into blocks of 2^K × 2^K tile cores. Each block is rendered once with a halo
/// wide enough that, after halving it K−1 times, every tile of those levels whose core lies in the
/// block still has its overlap pixels: so all those tiles are encoded at once, and blocks never wait
/// for each other. Halving once more gives the block's share of level top−K, which is stored (in
/// memory, or a temporary file when large) and becomes the source of the same procedure for the
/// levels below, until a level fits in one block and is finished whole. Memory is then one block per
/// thread plus the decoded-tile cache, whatever the size of the image.
/// </remarks>
public sealed class PyramidBuilder
{
    /// <summary>Block columns per band: blocks are taken band by band, row by row inside a band, so the
    /// tiles two neighbouring blocks share are still cached when the second needs them.</summary>
    private const int BandWidth = 8;

    private readonly PyramidOptions _options;
    private readonly ITileCodec _codec;
    private readonly ITileSink _sink;
    private readonly BuildProgress _progress;
    private readonly PixelMemoryPool _pool;
    private DziGeometry _geometry = null!;

    public PyramidBuilder(PyramidOptions options, ITileCodec codec, ITileSink sink, BuildProgress? progress = null, PixelMemoryPool? pool = null)
    {
        options.Validate();
        _options = options;
        _codec = codec;
        _sink = sink;
        _progress = progress ?? new BuildProgress();
        _pool = pool ?? new PixelMemoryPool();
    }

    public DziGeometry Build(IPixelSource source, CancellationToken cancellationToken = default)
    {
        _geometry = new DziGeometry(source.Width, source.Height, _options.TileSize, _options.Overlap);
        _progress.SetTotal(_geometry.TotalTileCount());
        BuildFrom(source, _geometry.TopLevel, cancellationToken);
        return _geometry;
    }

    private int BlockLevels => _options.BlockLevels;

    private int BlockSpan => _options.TileSize << BlockLevels;

    private void BuildFrom(IPixelSource source, int level, CancellationToken cancellationToken)
    {
        if (source.Width <= BlockSpan && source.Height <= BlockSpan)
        {
            BuildWhole(source, level, cancellationToken);
            return;
        }

        List<PixelRect> blocks = Blocks(source.Width, source.Height);
        // A tile shared with the block below is needed again about one band later; one shared with
        // the next band only after the whole band, so it is decoded again rather than kept.
        source.Plan(blocks.ConvertAll(block => block.Inflate(Halo(0)).Intersect(_geometry.LevelBounds(level))),
            lookahead: BandWidth + _options.Threads + 1);
        var (width, height) = _geometry.LevelSize(level - BlockLevels);
        using (RasterStore next = RasterStore.Create(width, height, source.Format, _options.InMemoryLevelBytes, _options.TemporaryDirectory))
        {
            RunInParallel(blocks.Count, i => BuildBlock(source, level, blocks[i], next), cancellationToken);
            BuildFrom(next, level - BlockLevels, cancellationToken);
        }
    }

    /// <summary>Every block at the top level, in band order; the last column and row of blocks reach past the image.</summary>
    private List<PixelRect> Blocks(int width, int height)
    {
        int span = BlockSpan;
        int across = DziGeometry.CeilDiv(width, span), down = DziGeometry.CeilDiv(height, span);
        var blocks = new List<PixelRect>(across * down);
        for (int band = 0; band < across; band += BandWidth)
        {
            for (int by = 0; by < down; by++)
            {
                for (int bx = band; bx < Math.Min(band + BandWidth, across); bx++)
                {
                    blocks.Add(new PixelRect(bx * span, by * span, span, span));
                }
            }
        }

        return blocks;
    }

    /// <summary>
    /// The halo a block needs k levels below its top: the tile overlap at the last level it emits,
    /// doubling for each level above (each pixel below is made from two above), none for the handover level.
    /// </summary>
    private int Halo(int k) => k >= BlockLevels ? 0 : _options.Overlap << (BlockLevels - 1 - k);

    private void BuildBlock(IPixelSource source, int level, PixelRect block, RasterStore next)
    {
        PixelRect levelBounds = _geometry.LevelBounds(level);
        var buffer = new PixelBuffer(block.Inflate(Halo(0)).Intersect(levelBounds), source.Format, _pool, BlockBufferLength(0, source.Format));
        try
        {
            source.Render(buffer);
            for (int k = 0; k < BlockLevels; k++)
            {
                PixelRect core = ShiftDown(block, k).Intersect(levelBounds);
                EmitTiles(buffer, level - k, core);

                PixelRect below = _geometry.LevelBounds(level - k - 1);
                PixelRect region = ShiftDown(block, k + 1).Intersect(below).Inflate(Halo(k + 1)).Intersect(below);
                PixelBuffer halved = Downsampler.Halve(buffer, levelBounds, region, _pool, BlockBufferLength(k + 1, source.Format));
                buffer.Dispose();
                buffer = halved;
                levelBounds = below;
            }

            next.Write(buffer);
        }
        finally
        {
            buffer.Dispose();
        }
    }

    /// <summary>
    /// Bytes of a whole block's buffer k levels below its top, halo included. Every block asks for
    /// this much, clipped or not, so the same few arrays serve all blocks of a build.
    /// </summary>
    private int BlockBufferLength(int k, PixelFormat format)
    {
        int side = (BlockSpan >> k) + (2 * Halo(k));
        return checked(side * side * format.BytesPerPixel());
    }

    /// <summary>A block's core k levels below its top (blocks are 2^K cores wide, so this is exact).</summary>
    private static PixelRect ShiftDown(PixelRect block, int k) => new(block.X >> k, block.Y >> k, block.Width >> k, block.Height >> k);

    private void BuildWhole(IPixelSource source, int level, CancellationToken cancellationToken)
    {
        PixelRect bounds = _geometry.LevelBounds(level);
        var buffer = new PixelBuffer(bounds, source.Format, _pool);
        try
        {
            source.Render(buffer);
            for (int l = level; ; l--)
            {
                var (columns, rows) = _geometry.TileCount(l);
                PixelBuffer current = buffer;
                int emitLevel = l;
                RunInParallel(columns * rows, i => EmitTile(current, emitLevel, i % columns, i / columns), cancellationToken);
                if (l == 0)
                {
                    break;
                }

                PixelRect below = _geometry.LevelBounds(l - 1);
                PixelBuffer halved = Downsampler.Halve(buffer, bounds, below, _pool);
                buffer.Dispose();
                buffer = halved;
                bounds = below;
            }
        }
        finally
        {
            buffer.Dispose();
        }
    }

    /// <summary>Encodes every tile of <paramref name="level"/> whose core lies in <paramref name="core"/>.</summary>
    private void EmitTiles(PixelBuffer buffer, int level, PixelRect core)
    {
        int t = _options.TileSize;
        for (int row = core.Y / t; row < DziGeometry.CeilDiv(core.Bottom, t); row++)
        {
            for (int column = core.X / t; column < DziGeometry.CeilDiv(core.Right, t); column++)
            {
                EmitTile(buffer, level, column, row);
            }
        }
    }

    private void EmitTile(PixelBuffer buffer, int level, int column, int row)
    {
        PixelRect rect = _geometry.TileRect(level, column, row);
        using IEncodedImage encoded = _codec.Encode(buffer, rect, _options.Encode);
        _sink.Write(level, column, row, encoded.Bytes);
        _progress.TileWritten();
    }

    /// <summary>
    /// Runs <paramref name="work"/> for 0..count−1 on the configured threads, in order of index as far
    /// as threads allow. The first failure stops the others and is rethrown as it was.
    /// </summary>
    private void RunInParallel(int count, Action<int> work, CancellationToken cancellationToken)
    {
        int threads = Math.Min(_options.Threads, count);
        int next = -1;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? failure = null;
        void Worker()
        {
            int i;
            while (!stop.IsCancellationRequested && (i = Interlocked.Increment(ref next)) < count)
            {
                try
                {
                    work(i);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                    stop.Cancel();
                }
            }
        }

        if (threads <= 1)
        {
            Worker();
        }
        else
        {
            var workers = new Thread[threads - 1];
            for (int w = 0; w < workers.Length; w++)
            {
                workers[w] = new Thread(Worker) { IsBackground = true, Name = $"tessera-worker-{w + 1}" };
                workers[w].Start();
            }

            Worker();
            foreach (Thread worker in workers)
            {
                worker.Join();
            }
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        cancellationToken.ThrowIfCancellationRequested();
    }
}
