using Tessera.Imaging;

namespace Tessera.Pyramid;

/// <summary>
/// How a pyramid is cut into work: the DZI geometry and, when the top level is larger than one
/// block, the blocks of the first round. That round holds all but about 1/4^K of the pixels; it is
/// what threads share and what shards split. Pure geometry: planning reads no pixels.
/// </summary>
public sealed class PyramidPlan
{
    /// <summary>
    /// Block columns per band. Blocks are taken band by band, row by row inside a band, so the input
    /// tiles a block shares with the block below it are still cached when that block comes.
    /// </summary>
    public const int BandWidth = 8;

    private readonly long[] _costBefore;

    public PyramidPlan(DziGeometry geometry, int blockLevels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockLevels, 1);
        Geometry = geometry;
        BlockLevels = blockLevels;
        HasBlockRound = geometry.Width > BlockSpan || geometry.Height > BlockSpan;
        Blocks = HasBlockRound ? BlocksCovering(geometry.Width, geometry.Height, BlockSpan) : [];
        _costBefore = new long[Blocks.Count + 1];
        for (int i = 0; i < Blocks.Count; i++)
        {
            _costBefore[i + 1] = _costBefore[i] + Cost(i);
        }
    }

    public DziGeometry Geometry { get; }

    /// <summary>Levels each block emits (K); a block is 2^K × 2^K tile cores.</summary>
    public int BlockLevels { get; }

    /// <summary>Side of a block at the level it starts from, in pixels.</summary>
    public int BlockSpan => Geometry.TileSize << BlockLevels;

    /// <summary>Whether the top level is larger than one block; if not, the whole pyramid is one piece of work.</summary>
    public bool HasBlockRound { get; }

    /// <summary>The first round's blocks at the top level, in band order (the last ones reach past the image).</summary>
    public IReadOnlyList<PixelRect> Blocks { get; }

    /// <summary>The level the first round hands over to the rest: K levels below the top.</summary>
    public int HandoverLevel => Geometry.TopLevel - BlockLevels;

    /// <summary>The levels the first round writes, from the top down.</summary>
    public IEnumerable<int> BlockRoundLevels => HasBlockRound
        ? Enumerable.Range(HandoverLevel + 1, BlockLevels).Reverse()
        : [];

    /// <summary>Blocks of side <paramref name="span"/> covering a width × height level, in band order.</summary>
    public static List<PixelRect> BlocksCovering(int width, int height, int span)
    {
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

    /// <summary>The core of <paramref name="block"/> k levels below the top, clipped to that level.</summary>
    public PixelRect Core(int block, int k) => Shift(Blocks[block], k).Intersect(Geometry.LevelBounds(Geometry.TopLevel - k));

    /// <summary>A block (of any round) k levels below the level it starts from; exact, since blocks are 2^K cores wide.</summary>
    public static PixelRect Shift(PixelRect block, int k) => new(block.X >> k, block.Y >> k, block.Width >> k, block.Height >> k);

    /// <summary>
    /// The halo a block needs k levels below its top: the tile overlap at the last level it emits,
    /// doubling for each level above (each pixel below is made from two above), none for the handover level.
    /// </summary>
    public int Halo(int k) => k >= BlockLevels ? 0 : Geometry.Overlap << (BlockLevels - 1 - k);

    /// <summary>Side of a whole block's buffer k levels below its top, halo included.</summary>
    public int BlockBufferSide(int k) => (BlockSpan >> k) + (2 * Halo(k));

    /// <summary>
    /// Rows of a block's window k levels below its top (a block streams through in bands, see
    /// <see cref="PyramidBuilder"/>): a tile row waiting for its last rows, plus the largest piece
    /// that can arrive at once (a band, or the halving of one), with room to spare.
    /// </summary>
    public int WindowRows(int k) => (2 * (Geometry.TileSize + (2 * Geometry.Overlap))) + (2 * Halo(k)) + 4;

    /// <summary>Bytes one thread's block holds at once: its K windows and the core it hands over.</summary>
    public long BlockWorkingBytes(int bytesPerPixel)
    {
        long bytes = (long)(BlockSpan >> BlockLevels) * (BlockSpan >> BlockLevels) * bytesPerPixel;
        for (int k = 0; k < BlockLevels; k++)
        {
            bytes += (long)BlockBufferSide(k) * WindowRows(k) * bytesPerPixel;
        }

        return bytes;
    }

    /// <summary>Work in a block, as the top-level pixels it covers: encoding and decoding both scale with them.</summary>
    public long Cost(int block) => Core(block, 0).Area;

    /// <summary>Pyramid tiles the blocks [start, end) write, at the levels from <paramref name="lowestLevel"/> up.</summary>
    public long TileCount(int start, int end, int lowestLevel = 0)
    {
        long tiles = 0;
        int levels = Math.Min(BlockLevels, Geometry.TopLevel - lowestLevel + 1);
        for (int block = start; block < end; block++)
        {
            for (int k = 0; k < levels; k++)
            {
                var (c0, c1, r0, r1) = Geometry.TilesIn(Core(block, k));
                tiles += (long)(c1 - c0) * (r1 - r0);
            }
        }

        return tiles;
    }

    /// <summary>
    /// The blocks shard <paramref name="index"/> of <paramref name="count"/> builds: a run of blocks in
    /// band order (so neighbours share decoded tiles), cut where the work adds up to equal shares.
    /// A shard may be empty when there are more shards than blocks.
    /// </summary>
    public (int Start, int End) Shard(int index, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
        return (FirstBlockOfShare(index, count), FirstBlockOfShare(index + 1, count));
    }

    /// <summary>The first block whose middle lies at or past share <paramref name="index"/> of the total work.</summary>
    private int FirstBlockOfShare(int index, int count)
    {
        long total = _costBefore[^1];
        int block = 0;
        while (block < Blocks.Count &&
               (2 * _costBefore[block]) + Cost(block) < 2 * (total * (Int128)index / count))
        {
            block++;
        }

        return block;
    }

    /// <summary>Work of blocks [start, end) in top-level pixels.</summary>
    public long CostOf(int start, int end) => _costBefore[end] - _costBefore[start];
}
