using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
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
/// for each other. Halving once more gives the block's share of level top−K. The first round's
/// blocks (see <see cref="PyramidPlan"/>) leave theirs in a <see cref="BlockStore"/>, so that they can
/// be built by several processes and the rest finished by one; the rest runs the same procedure on
/// that level (kept in memory, or a temporary file when large) until a level fits in one block and is
/// finished whole. Memory is then one block per thread plus the decoded-tile cache, whatever the
/// size of the image.
/// </remarks>
public sealed class PyramidBuilder
{
    private readonly PyramidPlan _plan;
    private readonly DziGeometry _geometry;
    private readonly PyramidOptions _options;
    private readonly ITileCodec _codec;
    private readonly ITileSink _sink;
    private readonly BuildProgress _progress;
    private readonly PixelMemoryPool _pool;

    public PyramidBuilder(PyramidPlan plan, PyramidOptions options, ITileCodec codec, ITileSink sink,
        BuildProgress? progress = null, PixelMemoryPool? pool = null)
    {
        options.Validate();
        if (plan.Geometry.TileSize != options.TileSize || plan.Geometry.Overlap != options.Overlap || plan.BlockLevels != options.BlockLevels)
        {
            throw new ArgumentException("The plan was made for other pyramid options.", nameof(plan));
        }

        _plan = plan;
        _geometry = plan.Geometry;
        _options = options;
        _codec = codec;
        _sink = sink;
        _progress = progress ?? new BuildProgress();
        _pool = pool ?? new PixelMemoryPool();
    }

    /// <summary>Builds the whole pyramid: every block of the first round, then the rest.</summary>
    public void Build(IPixelSource source, BlockStore store, CancellationToken cancellationToken = default)
    {
        BuildBlocks(source, 0, _plan.Blocks.Count, store, cancellationToken);
        Finish(source, store, cancellationToken);
    }

    /// <summary>
    /// Builds first-round blocks [start, end) — their tiles, and their cores in <paramref name="store"/>.
    /// Blocks the store already has are skipped, so a rerun continues where a run stopped.
    /// </summary>
    public void BuildBlocks(IPixelSource source, int start, int end, BlockStore store, CancellationToken cancellationToken = default)
    {
        var todo = Enumerable.Range(start, end - start).Where(block => !store.IsDone(block)).ToList();
        if (todo.Count == 0)
        {
            return;
        }

        PixelRect top = _geometry.LevelBounds(_geometry.TopLevel);

        // A tile shared with the block below is needed again about one band later; one shared with
        // the next band only after the whole band, so it is decoded again rather than kept.
        source.Plan(todo.ConvertAll(block => _plan.Blocks[block].Inflate(Halo(0)).Intersect(top)),
            lookahead: PyramidPlan.BandWidth + _options.Threads + 1);
        RunInParallel(todo.Count, i =>
        {
            int block = todo[i];
            using PixelBuffer core = BuildBlock(source, _geometry.TopLevel, _plan.Blocks[block]);
            store.Save(block, core);
        }, cancellationToken);
    }

    /// <summary>
    /// Builds every level below the first round from the cores in <paramref name="store"/> (all blocks
    /// must be done), or, for an image of one block, the whole pyramid from <paramref name="source"/>.
    /// </summary>
    public void Finish(IPixelSource source, BlockStore store, CancellationToken cancellationToken = default)
    {
        if (!_plan.HasBlockRound)
        {
            BuildWhole(source, _geometry.TopLevel, cancellationToken);
            return;
        }

        var (width, height) = _geometry.LevelSize(_plan.HandoverLevel);
        using RasterStore handover = RasterStore.Create(width, height, source.Format, _options.InMemoryLevelBytes, _options.TemporaryDirectory);
        store.LoadAll(handover, _pool);
        BuildFrom(handover, _plan.HandoverLevel, cancellationToken);
    }

    private int BlockLevels => _plan.BlockLevels;

    private int BlockSpan => _plan.BlockSpan;

    /// <summary>The later rounds: blocks of a level kept whole in a <see cref="RasterStore"/>, until one block holds a level.</summary>
    private void BuildFrom(IPixelSource source, int level, CancellationToken cancellationToken)
    {
        if (source.Width <= BlockSpan && source.Height <= BlockSpan)
        {
            BuildWhole(source, level, cancellationToken);
            return;
        }

        List<PixelRect> blocks = PyramidPlan.BlocksCovering(source.Width, source.Height, BlockSpan);
        var (width, height) = _geometry.LevelSize(level - BlockLevels);
        using RasterStore next = RasterStore.Create(width, height, source.Format, _options.InMemoryLevelBytes, _options.TemporaryDirectory);
        RunInParallel(blocks.Count, i =>
        {
            using PixelBuffer core = BuildBlock(source, level, blocks[i]);
            next.Write(core);
        }, cancellationToken);
        BuildFrom(next, level - BlockLevels, cancellationToken);
    }

    private int Halo(int k) => _plan.Halo(k);

    /// <summary>
    /// Renders <paramref name="block"/> of <paramref name="level"/> with its halo, writes the tiles of the
    /// K levels from there down whose cores lie in the block, and returns its core one level further down.
    /// </summary>
    private PixelBuffer BuildBlock(IPixelSource source, int level, PixelRect block)
    {
        PixelRect levelBounds = _geometry.LevelBounds(level);
        var buffer = new PixelBuffer(block.Inflate(Halo(0)).Intersect(levelBounds), source.Format, _pool, BlockBufferLength(0, source.Format));
        try
        {
            source.Render(buffer);
            for (int k = 0; k < BlockLevels; k++)
            {
                PixelRect core = PyramidPlan.Shift(block, k).Intersect(levelBounds);
                EmitTiles(buffer, level - k, core);

                PixelRect below = _geometry.LevelBounds(level - k - 1);
                PixelRect region = PyramidPlan.Shift(block, k + 1).Intersect(below).Inflate(Halo(k + 1)).Intersect(below);
                PixelBuffer halved = Downsampler.Halve(buffer, levelBounds, region, _pool, BlockBufferLength(k + 1, source.Format));
                buffer.Dispose();
                buffer = halved;
                levelBounds = below;
            }

            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Bytes of a whole block's buffer k levels below its top. Every block asks for this much,
    /// clipped or not, so the same few arrays serve all blocks of a build.
    /// </summary>
    private int BlockBufferLength(int k, PixelFormat format)
    {
        int side = _plan.BlockBufferSide(k);
        return checked(side * side * format.BytesPerPixel());
    }

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
        var (c0, c1, r0, r1) = _geometry.TilesIn(core);
        for (int row = r0; row < r1; row++)
        {
            for (int column = c0; column < c1; column++)
            {
                EmitTile(buffer, level, column, row);
            }
        }
    }

    private void EmitTile(PixelBuffer buffer, int level, int column, int row)
    {
        PixelRect rect = _geometry.TileRect(level, column, row);
        if (_options.SkipBlank is { } blank && IsAll(buffer, rect, blank))
        {
            _progress.TileSkipped();
            return;
        }

        using IEncodedImage encoded = _codec.Encode(buffer, rect, _options.Encode);
        _sink.Write(level, column, row, encoded.Bytes);
        _progress.TileWritten();
    }

    /// <summary>Whether every pixel of <paramref name="rect"/> is <paramref name="colour"/>.</summary>
    private static bool IsAll(PixelBuffer buffer, PixelRect rect, Rgb colour)
    {
        for (int y = rect.Y; y < rect.Bottom; y++)
        {
            Span<byte> row = buffer.RowAt(rect.X, y, rect.Width);
            bool uniform = buffer.Format == PixelFormat.Gray8
                ? row.IndexOfAnyExcept(colour.Gray) < 0
                : MemoryMarshal.Cast<byte, uint>(row).IndexOfAnyExcept(colour.ToRgbx()) < 0;
            if (!uniform)
            {
                return false;
            }
        }

        return true;
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
