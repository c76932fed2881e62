using Tessera.Imaging;

namespace Tessera.Pyramid;

/// <summary>
/// How a pyramid is cut into work: the DZI geometry and, when the top level is larger than one
/// block, the blocks of the first round. That round holds all but about 1/4^K of the pixels; it is
/// what threads share and what shards split. Pure geometry: planning reads no pixels.
/// </summary>
public sealed class PyramidPlan
{
    /// <summary>The most block columns a band has (see <see cref="BandBlocks"/>).</summary>
    public const int MaxBandBlocks = 8;

    /// <summary>
    /// Input tile steps a band spans at least (see <see cref="BandBlocksFor"/>): the tiles across a
    /// band's edge are decoded once for each band, so they add at most about 1/32 (3 %) to the decodes.
    /// </summary>
    public const int MinBandSteps = 32;

    private readonly long[] _costBefore;

    /// <param name="bandBlocks">Block columns per band (see <see cref="BandBlocks"/>, <see cref="BandBlocksFor"/>).</param>
    public PyramidPlan(DziGeometry geometry, int blockLevels, int bandBlocks = MaxBandBlocks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockLevels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bandBlocks, 1);
        Geometry = geometry;
        BlockLevels = blockLevels;
        BandBlocks = bandBlocks;
        HasBlockRound = geometry.Width > BlockSpan || geometry.Height > BlockSpan;
        Blocks = HasBlockRound ? BlocksCovering(geometry.Width, geometry.Height, BlockSpan, bandBlocks) : [];
        _costBefore = new long[Blocks.Count + 1];
        for (int i = 0; i < Blocks.Count; i++)
        {
            _costBefore[i + 1] = _costBefore[i] + Cost(i);
        }
    }

    public DziGeometry Geometry { get; }

    /// <summary>Levels each block emits (K); a block is 2^K × 2^K tile cores.</summary>
    public int BlockLevels { get; }

    /// <summary>
    /// Block columns per band. Blocks are taken band by band, row by row inside a band, so the input
    /// tiles a block shares with the block below it are still cached when that block comes: what
    /// the cache holds is a row of input tiles across one band, so the band's width, not the
    /// image's, sets the memory.
    /// </summary>
    public int BandBlocks { get; }

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

    /// <summary>
    /// The narrowest band, in blocks <paramref name="blockSpan"/> px wide, that spans
    /// <see cref="MinBandSteps"/> input tiles placed <paramref name="tileStepX"/> px apart, and at
    /// most <see cref="MaxBandBlocks"/>. Narrower bands hold fewer decoded tiles and decode more of
    /// them twice; counted in tiles, both are the same on a grid of any size: a grid at least a
    /// band wide holds the same row of tiles as one many bands wide.
    /// </summary>
    public static int BandBlocksFor(int blockSpan, int tileStepX)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSpan, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tileStepX, 1);
        long blocks = ((long)MinBandSteps * tileStepX + blockSpan - 1) / blockSpan;
        return (int)Math.Clamp(blocks, 1, MaxBandBlocks);
    }

    /// <summary>Blocks of side <paramref name="span"/> covering a width × height level, in bands of <paramref name="bandBlocks"/> columns.</summary>
    public static List<PixelRect> BlocksCovering(int width, int height, int span, int bandBlocks = MaxBandBlocks)
    {
        int across = DziGeometry.CeilDiv(width, span), down = DziGeometry.CeilDiv(height, span);
        var blocks = new List<PixelRect>(across * down);
        for (int band = 0; band < across; band += bandBlocks)
        {
            for (int by = 0; by < down; by++)
            {
                for (int bx = band; bx < Math.Min(band + bandBlocks, across); bx++)
                {
                    blocks.Add(new PixelRect(bx * span, by * span, span, span));
                }
            }
        }

        return blocks;
    }

    /// <summary>The band of blocks (see <see cref="BandBlocks"/>) <paramref name="block"/> is in, counted from the left.</summary>
    public int BandOf(int block) => Blocks[block].X / BlockSpan / BandBlocks;

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
    /// <see cref="PyramidBuilder"/>): what it can hold when the next piece comes, plus that piece
    /// (<see cref="LargestPiece"/>), and 4 to spare. A window holds rows from the top of its next
    /// tile row (or the first not yet halved, if that is higher and less than a row above the
    /// end): less than a tile row (T + 2·overlap) before a piece. At the top level every band
    /// ends where a tile row does, which is written at once, so only the overlap's 2·overlap rows
    /// (1 at least, for a pair half halved) wait for the next band.
    /// </summary>
    public int WindowRows(int k)
    {
        int tile = Geometry.TileSize, overlap = Geometry.Overlap;
        int waiting = k == 0 ? Math.Max(2 * overlap, 1) : tile + (2 * overlap) - 1;
        return waiting + LargestPiece(k) + 4;
    }

    /// <summary>
    /// The most rows that arrive at once in a block's window k levels below its top: at the top a
    /// band, a tile row with the overlap below it and, the first, the halo above (T + overlap +
    /// halo); below, the halving of what came into the level above (half, rounded up), and one
    /// more where the level's last row is repeated.
    /// </summary>
    public int LargestPiece(int k)
    {
        int piece = Geometry.TileSize + Geometry.Overlap + Halo(0);
        for (int i = 0; i < k; i++)
        {
            piece = ((piece + 1) / 2) + 1;
        }

        return piece;
    }

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
