using System.Runtime.InteropServices;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Outputs;

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
/// that level (kept in memory, or a temporary file when large) until a level fits in one block,
/// which goes through as one last block and hands over at most one tile, finished whole. A block
/// streams through in bands (see <see cref="BuildBlock"/>), so memory is a few windows about a
/// tile row high per thread (see <see cref="PyramidPlan.WindowRows"/>) plus the decoded-tile cache (a row of tiles across one band of blocks,
/// see <see cref="PyramidPlan.BandBlocks"/>), whatever the size of the image.
/// </remarks>
public sealed class PyramidBuilder
{
    private readonly PyramidPlan _plan;
    private readonly DziGeometry _geometry;
    private readonly PyramidOptions _options;
    private readonly ITileWriter _output;
    private readonly BuildProgress _progress;
    private readonly PixelMemoryPool _pool;

    /// <param name="output">Takes each tile's pixels and encodes them as it stores them.</param>
    public PyramidBuilder(PyramidPlan plan, PyramidOptions options, ITileWriter output,
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
        _output = output;
        _progress = progress ?? new BuildProgress();
        _pool = pool ?? new PixelMemoryPool();
    }

    /// <summary>Tiles the first-round blocks [start, end) write: those of the levels the output holds.</summary>
    public long BlockTileCount(int start, int end) => _plan.TileCount(start, end, LowestLevel);

    /// <summary>Tiles <see cref="Finish"/> writes: every level the output holds, less the first round's.</summary>
    public long FinishTileCount => _geometry.TotalTileCount(LowestLevel) - BlockTileCount(0, _plan.Blocks.Count);

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

        // Blocks are rendered band by band (see BuildBlock). A tile shared with the block below is
        // needed again about one band of blocks later; one shared with the next band of blocks only
        // after the whole band, so it is decoded again rather than kept: on a grid a few blocks
        // high the whole band would come within the lookahead, and a column of tiles as high as
        // the grid would be kept.
        int bandsPerBlock = (1 << BlockLevels) + 1;
        var renders = new List<PixelRect>();
        var bandOfRender = new List<int>();
        foreach (int block in todo)
        {
            List<PixelRect> blockBands = BandsOf(_geometry.TopLevel, _plan.Blocks[block]);
            renders.AddRange(blockBands);
            bandOfRender.AddRange(Enumerable.Repeat(_plan.BandOf(block), blockBands.Count));
        }

        source.Plan(renders, lookahead: (_plan.BandBlocks + _options.Threads + 1) * bandsPerBlock, bandOfRender);
        RunInParallel(todo.Count, i =>
        {
            int block = todo[i];
            using (PixelBuffer core = BuildBlock(source, _geometry.TopLevel, _plan.Blocks[block], tileThreads: 1, cancellationToken))
            {
                store.Save(block, core);
            }

            CollectBlockGarbage();
        }, cancellationToken);
    }

    /// <summary>
    /// A full collection after each block, so that the heap holds the garbage of a block, not of
    /// the build. What a block leaves is small objects that lived as long as some of its bands
    /// (a streamed tile's decoder and file, a cached tile's entry): they outlive a collection or
    /// two, reach the oldest generation and would wait there for its next collection, which the
    /// runtime puts off as long as that generation grows, so on a large grid the heap grew with the
    /// tiles written (measured: 85 to 108 MiB resident over a 200×200 Deep Zoom build). The live
    /// heap is a few large pixel arrays (which a collection does not move) and a few MB of objects:
    /// a full collection of it takes milliseconds, against a block's seconds; compacting, it also
    /// hands back the small objects' room.
    /// </summary>
    private static void CollectBlockGarbage() =>
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);

    /// <summary>
    /// Builds every level below the first round from the cores in <paramref name="store"/> (all blocks
    /// must be done), or, for an image of one block, the whole pyramid from <paramref name="source"/>.
    /// </summary>
    public void Finish(IPixelSource source, BlockStore store, CancellationToken cancellationToken = default)
    {
        if (!_plan.HasBlockRound)
        {
            BuildLast(source, _geometry.TopLevel, cancellationToken);
            return;
        }

        var (width, height) = _geometry.LevelSize(_plan.HandoverLevel);
        using RasterStore handover = RasterStore.Create(width, height, source.Format, _options.InMemoryLevelBytes, _options.TemporaryDirectory);
        List<(int Start, int End)> runs = store.Runs();
        RunInParallel(runs.Count, i => store.LoadRun(runs[i].Start, runs[i].End, handover, _pool), cancellationToken);
        BuildFrom(handover, _plan.HandoverLevel, cancellationToken);
    }

    private int BlockLevels => _plan.BlockLevels;

    private int LowestLevel => _options.LowestLevel;

    private int BlockSpan => _plan.BlockSpan;

    /// <summary>The later rounds: blocks of a level kept whole in a <see cref="RasterStore"/>, until one block holds a level.</summary>
    private void BuildFrom(IPixelSource source, int level, CancellationToken cancellationToken)
    {
        if (level < LowestLevel)
        {
            return;
        }

        if (source.Width <= BlockSpan && source.Height <= BlockSpan)
        {
            BuildLast(source, level, cancellationToken);
            return;
        }

        List<PixelRect> blocks = PyramidPlan.BlocksCovering(source.Width, source.Height, BlockSpan);
        var (width, height) = _geometry.LevelSize(level - BlockLevels);
        using RasterStore next = RasterStore.Create(width, height, source.Format, _options.InMemoryLevelBytes, _options.TemporaryDirectory);
        RunInParallel(blocks.Count, i =>
        {
            using PixelBuffer core = BuildBlock(source, level, blocks[i], tileThreads: 1, cancellationToken);
            next.Write(core);
        }, cancellationToken);
        BuildFrom(next, level - BlockLevels, cancellationToken);
    }

    /// <summary>
    /// The last levels, from the first that fits in one block: streamed through as that one block,
    /// in the same windows as every other block (its tiles encoded by all threads, a tile row at a
    /// time), so that no buffer holds a whole level, however close to a block's size it is; the
    /// level it hands over is at most one tile and is built whole.
    /// </summary>
    private void BuildLast(IPixelSource source, int level, CancellationToken cancellationToken)
    {
        if (level < BlockLevels)
        {
            // Under 2^K px a side: no level K below to hand over to.
            var whole = new PixelBuffer(_geometry.LevelBounds(level), source.Format, _pool);
            try
            {
                source.Render(whole);
            }
            catch
            {
                whole.Dispose();
                throw;
            }

            BuildWhole(whole, level, cancellationToken);
            return;
        }

        var block = new PixelRect(0, 0, BlockSpan, BlockSpan);
        List<PixelRect> bands = BandsOf(level, block);
        source.Plan(bands, lookahead: bands.Count);
        BuildWhole(BuildBlock(source, level, block, _options.Threads, cancellationToken), level - BlockLevels, cancellationToken);
    }

    private int Halo(int k) => _plan.Halo(k);

    /// <summary>
    /// Renders <paramref name="block"/> of <paramref name="level"/> with its halo, writes the tiles of the
    /// K levels from there down whose cores lie in the block, and returns its core one level further down.
    /// </summary>
    /// <remarks>
    /// The block streams through in bands (<see cref="BandsOf"/>), one tile row of the top level
    /// each: a band is rendered into that level's window, the tile row it completes is encoded, and
    /// every pair of rows in is halved at once into the next level's window, where the same happens.
    /// Each window holds at most a tile row and the piece that completes it, so a thread works in a few megabytes that stay
    /// in the processor's cache rather than streaming a whole block through memory three times
    /// (render, encode, halve); only the core handed over is kept whole. The tiles of a tile row
    /// are encoded on <paramref name="tileThreads"/> threads: more than one where this block is all
    /// the work there is.
    /// </remarks>
    private PixelBuffer BuildBlock(IPixelSource source, int level, PixelRect block, int tileThreads, CancellationToken cancellationToken)
    {
        var windows = new LevelWindow[BlockLevels];
        PixelBuffer? handover = null;
        try
        {
            for (int k = 0; k < BlockLevels; k++)
            {
                PixelRect levelBounds = _geometry.LevelBounds(level - k);
                PixelRect core = PyramidPlan.Shift(block, k).Intersect(levelBounds);
                windows[k] = new LevelWindow(level - k, levelBounds, core.Inflate(Halo(k)).Intersect(levelBounds), _geometry.TilesIn(core),
                    source.Format, _pool, _plan.WindowRows(k), _plan.BlockBufferSide(k));
            }

            PixelRect handoverLevel = _geometry.LevelBounds(level - BlockLevels);
            handover = new PixelBuffer(PyramidPlan.Shift(block, BlockLevels).Intersect(handoverLevel), source.Format, _pool,
                BlockBufferLength(BlockLevels, source.Format));
            int handoverRows = 0;
            foreach (PixelRect band in BandsOf(level, block))
            {
                using (PixelBuffer rows = windows[0].Append(band.Height))
                {
                    source.Render(rows);
                }

                Advance(windows, 0, handover, ref handoverRows, tileThreads, cancellationToken);
            }

            foreach (LevelWindow window in windows)
            {
                window.CheckDone();
            }

            if (handoverRows != handover.Height)
            {
                throw new InvalidOperationException($"Block {block} made {handoverRows} of its {handover.Height} handover rows.");
            }

            return handover;
        }
        catch
        {
            handover?.Dispose();
            throw;
        }
        finally
        {
            foreach (LevelWindow? window in windows)
            {
                window?.Dispose();
            }
        }
    }

    /// <summary>
    /// The bands a block of <paramref name="level"/> is rendered in, top to bottom, together its
    /// whole render (the block with its halo): each ends with a tile row of the level, the last
    /// with the render.
    /// </summary>
    private List<PixelRect> BandsOf(int level, PixelRect block)
    {
        PixelRect levelBounds = _geometry.LevelBounds(level);
        PixelRect render = block.Inflate(Halo(0)).Intersect(levelBounds);
        var (c0, _, r0, r1) = _geometry.TilesIn(block.Intersect(levelBounds));
        var bands = new List<PixelRect>(r1 - r0);
        int y = render.Y;
        for (int row = r0; row < r1 - 1; row++)
        {
            int end = _geometry.TileRect(level, c0, row).Bottom;
            bands.Add(new PixelRect(render.X, y, render.Width, end - y));
            y = end;
        }

        // Where the last tile row's core is no taller than the tile overlap, the row above already
        // reaches the end of the level: the last band would be empty, and the rows are all there.
        if (render.Bottom > y)
        {
            bands.Add(new PixelRect(render.X, y, render.Width, render.Bottom - y));
        }

        return bands;
    }

    /// <summary>
    /// After rows arrive in window <paramref name="k"/>: encodes the tile rows now complete, halves
    /// the row pairs now complete into the next window (or the handover core) and goes on there, and
    /// lets go of the rows nothing needs any more.
    /// </summary>
    private void Advance(LevelWindow[] windows, int k, PixelBuffer handover, ref int handoverRows, int tileThreads, CancellationToken cancellationToken)
    {
        LevelWindow window = windows[k];
        while (window.NextTileRow < window.EndTileRow
               && _geometry.TileRect(window.Level, window.FirstColumn, window.NextTileRow).Bottom <= window.Bottom)
        {
            using PixelBuffer view = window.View();
            int first = window.FirstColumn, row = window.NextTileRow, level = window.Level;
            if (tileThreads > 1 && level >= LowestLevel)
            {
                WorkerThreads.For(window.EndColumn - first, tileThreads, i => EmitTile(view, level, first + i, row), "tessera-worker", cancellationToken);
            }
            else
            {
                for (int column = first; column < window.EndColumn; column++)
                {
                    EmitTile(view, level, column, row);
                }
            }

            window.NextTileRow++;
        }

        // Row j below is made from rows 2j and 2j+1 (the last row repeated where the level ends).
        bool last = k + 1 == BlockLevels;
        PixelRect below = last ? handover.Bounds : windows[k + 1].Region;
        int done = last ? below.Y + handoverRows : windows[k + 1].Bottom;
        int ready = window.Bottom >= window.LevelBounds.Bottom ? below.Bottom : Math.Min(below.Bottom, window.Bottom / 2);
        if (ready > done)
        {
            using (PixelBuffer from = window.View())
            using (PixelBuffer into = last
                ? new PixelBuffer(handover.Data, handover.OffsetOf(below.X, done), new PixelRect(below.X, done, below.Width, ready - done), handover.Format, handover.Stride)
                : windows[k + 1].Append(ready - done))
            {
                Downsampler.HalveInto(from, window.LevelBounds, into);
            }

            if (last)
            {
                handoverRows += ready - done;
            }
            else
            {
                Advance(windows, k + 1, handover, ref handoverRows, tileThreads, cancellationToken);
            }
        }

        int nextTileTop = window.NextTileRow < window.EndTileRow
            ? _geometry.TileRect(window.Level, window.FirstColumn, window.NextTileRow).Y
            : int.MaxValue;
        window.Release(Math.Min(nextTileTop, 2 * Math.Max(ready, done)));
    }

    /// <summary>
    /// Consecutive rows of one level of a block, [<see cref="Top"/>, <see cref="Bottom"/>) of its
    /// <see cref="Region"/>, in a buffer a few tile rows high that rows are appended to at the bottom
    /// and let go of at the top, and the tile rows of the level the block writes.
    /// </summary>
    private sealed class LevelWindow : IDisposable
    {
        private readonly PixelMemoryPool _pool;
        private readonly int _capacity;
        private readonly int _stride;
        private byte[]? _data;
        private int _first; // the row at the start of the buffer

        public LevelWindow(int level, PixelRect levelBounds, PixelRect region, (int C0, int C1, int R0, int R1) tiles,
            PixelFormat format, PixelMemoryPool pool, int capacityRows, int widestRegion)
        {
            Level = level;
            LevelBounds = levelBounds;
            Region = region;
            Format = format;
            (FirstColumn, EndColumn, NextTileRow, EndTileRow) = tiles;
            _pool = pool;
            _capacity = capacityRows;
            _stride = region.Width * format.BytesPerPixel();

            // Every block asks for the same length, so the pool hands the same arrays round.
            _data = pool.Rent(checked(widestRegion * format.BytesPerPixel() * capacityRows));
            Top = Bottom = _first = region.Y;
        }

        public int Level { get; }
        public PixelRect LevelBounds { get; }
        public PixelRect Region { get; }
        public PixelFormat Format { get; }
        public int FirstColumn { get; }
        public int EndColumn { get; }
        public int NextTileRow { get; set; }
        public int EndTileRow { get; }
        public int Top { get; private set; }
        public int Bottom { get; private set; }

        private byte[] Data => _data ?? throw new ObjectDisposedException(nameof(LevelWindow));

        /// <summary>The rows held, as a view.</summary>
        public PixelBuffer View() => new(Data, (Top - _first) * _stride, new PixelRect(Region.X, Top, Region.Width, Bottom - Top), Format, _stride);

        /// <summary>Room for the next <paramref name="rows"/> rows, as a view to fill; they count as held from now on.</summary>
        public PixelBuffer Append(int rows)
        {
            if (Bottom + rows > Region.Bottom)
            {
                throw new InvalidOperationException($"Rows {Bottom}–{Bottom + rows} are past the block's {Region} at level {Level}.");
            }

            if (Bottom + rows - _first > _capacity)
            {
                // Move what is held to the start; after a tile row is written that is a few rows.
                int held = Bottom - Top;
                if (held + rows > _capacity)
                {
                    throw new InvalidOperationException($"Level {Level} would hold {held + rows} rows of a block, more than its {_capacity}.");
                }

                MoveHeldToStart();
            }

            var view = new PixelBuffer(Data, (Bottom - _first) * _stride, new PixelRect(Region.X, Bottom, Region.Width, rows), Format, _stride);
            Bottom += rows;
            return view;
        }

        /// <summary>Lets go of the rows above <paramref name="row"/>.</summary>
        /// <remarks>
        /// Right after a tile row is written a window holds only a row or two: that is when moving
        /// them to the start is cheap. Left for <see cref="Append"/> to do when the room runs out, the
        /// move would often carry most of a half-made tile row of a lower level (measured: 0.8 % of a
        /// build's processor time on the 50×50 bench grid).
        /// </remarks>
        public void Release(int row)
        {
            Top = Math.Clamp(row, Top, Bottom);
            if (Top > _first && (Bottom - Top) * 8 <= Top - _first)
            {
                MoveHeldToStart();
            }
        }

        private void MoveHeldToStart()
        {
            Data.AsSpan((Top - _first) * _stride, (Bottom - Top) * _stride).CopyTo(Data);
            _first = Top;
        }

        /// <summary>Checks that every row of the region came in and every tile row went out.</summary>
        public void CheckDone()
        {
            if (Bottom != Region.Bottom || NextTileRow != EndTileRow)
            {
                throw new InvalidOperationException($"Level {Level} of a block ended at row {Bottom} of {Region}, tile row {NextTileRow} of {EndTileRow}.");
            }
        }

        public void Dispose()
        {
            byte[]? data = Interlocked.Exchange(ref _data, null);
            if (data is not null)
            {
                _pool.Return(data);
            }
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

    /// <summary>Writes the tiles of <paramref name="buffer"/>, all of <paramref name="level"/>, and of every level below it; disposes the buffer.</summary>
    private void BuildWhole(PixelBuffer buffer, int level, CancellationToken cancellationToken)
    {
        PixelRect bounds = buffer.Bounds;
        try
        {
            for (int l = level; ; l--)
            {
                var (columns, rows) = _geometry.TileCount(l);
                PixelBuffer current = buffer;
                int emitLevel = l;
                RunInParallel(columns * rows, i => EmitTile(current, emitLevel, i % columns, i / columns), cancellationToken);
                if (l <= LowestLevel)
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

    private void EmitTile(PixelBuffer buffer, int level, int column, int row)
    {
        if (level < LowestLevel)
        {
            return; // halved on the way to the next round's blocks, but not part of the output
        }

        PixelRect rect = _geometry.TileRect(level, column, row);
        if (_options.SkipBlank is { } blank && BlankTile.IsBlank(buffer, rect, blank, _options.SkipBlankTolerance))
        {
            _progress.TileSkipped();
            return;
        }

        _output.Write(level, column, row, buffer, rect);
        _progress.TileWritten();
    }

    /// <summary>Runs <paramref name="work"/> for 0..count−1 on the configured threads, in order of index as far as threads allow.</summary>
    private void RunInParallel(int count, Action<int> work, CancellationToken cancellationToken) =>
        WorkerThreads.For(count, _options.Threads, work, "tessera-worker", cancellationToken);
}
