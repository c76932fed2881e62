using Tessera.Codecs;
using Tessera.Imaging;

namespace Tessera.Compositing;

/// <summary>
/// The stitched plane of a <see cref="GridMosaic"/>, rendered on demand from the tile files. Each
/// pixel is copied from the tile whose cell holds it; cells without a tile get the background.
/// </summary>
public sealed class MosaicSource : TiledSource
{
    private readonly GridMosaic _mosaic;
    private readonly Action<int, string, PixelBuffer> _validate;

    /// <param name="cacheBudgetBytes">The most decoded tile memory to keep for later renders.</param>
    /// <param name="pool">Where decoded tiles' memory comes from.</param>
    /// <param name="correction">Applied to each tile once, as it is decoded (flat-field, say); null for none.</param>
    public MosaicSource(GridMosaic mosaic, PixelFormat format, ITileCodec codec, Rgb background, long cacheBudgetBytes,
        PixelMemoryPool? pool = null, ITileCorrection? correction = null)
        : base(format, codec, background, cacheBudgetBytes, pool, correction)
    {
        _mosaic = mosaic;
        _validate = ValidateTile;
    }

    public override int Width => _mosaic.Width;
    public override int Height => _mosaic.Height;

    public override void Plan(IReadOnlyList<PixelRect> renders, int lookahead, IReadOnlyList<int>? bands = null) =>
        Cache.SetPlan(_mosaic.Grid.Columns * _mosaic.Grid.Rows, renders, CellsMeeting, lookahead, bands);

    /// <summary>The ids (row * columns + column) of the cells that meet <paramref name="rect"/>.</summary>
    private void CellsMeeting(PixelRect rect, List<int> cells)
    {
        cells.Clear();
        var (c0, c1, r0, r1) = _mosaic.CellsMeeting(rect);
        for (int row = r0; row < r1; row++)
        {
            for (int column = c0; column < c1; column++)
            {
                cells.Add((row * _mosaic.Grid.Columns) + column);
            }
        }
    }

    /// <remarks>
    /// A tile only this render uses is decoded straight into the target, and only the part shown; one
    /// the next renders down the same strip use too (the bands of a block) is streamed, each render's
    /// rows straight into it; one used again otherwise is decoded (its cell only) into the cache and
    /// copied. A tile another thread is decoding just then is left for last rather than waited for.
    /// </remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void Render(PixelBuffer target)
    {
        PixelRect bounds = target.Bounds;
        var (c0, c1, r0, r1) = _mosaic.CellsMeeting(bounds);
        List<(int Column, int Row)>? busy = null;
        for (int row = r0; row < r1; row++)
        {
            for (int column = c0; column < c1; column++)
            {
                if (!RenderCell(target, column, row, wait: false))
                {
                    (busy ??= []).Add((column, row));
                }
            }
        }

        if (busy is not null)
        {
            foreach (var (column, row) in busy)
            {
                RenderCell(target, column, row, wait: true);
            }
        }
    }

    /// <summary>The part of <paramref name="target"/> in cell (column, row); false if the tile was busy and <paramref name="wait"/> false.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private bool RenderCell(PixelBuffer target, int column, int row, bool wait)
    {
        PixelRect cell = _mosaic.CellRect(column, row);
        PixelRect part = cell.Intersect(target.Bounds);
        if (part.IsEmpty)
        {
            return true;
        }

        string? path = _mosaic.Grid[column, row];
        if (path is null)
        {
            for (int y = part.Y; y < part.Bottom; y++)
            {
                Background.Fill(target.RowAt(part.X, y, part.Width), Format);
            }

            return true;
        }

        int id = (row * _mosaic.Grid.Columns) + column;
        PixelRect origin = _mosaic.TileRect(column, row);
        var inTile = new PixelRect(part.X - origin.X, part.Y - origin.Y, part.Width, part.Height);
        if (Cache.TryDecodeInto(id, path, _mosaic.TileWidth, _mosaic.TileHeight, inTile, target, part.X, part.Y))
        {
            return true;
        }

        var inCell = new PixelRect(cell.X - origin.X, cell.Y - origin.Y, cell.Width, cell.Height);
        switch (Cache.TryStreamInto(id, path, _mosaic.TileWidth, _mosaic.TileHeight, inCell, inTile, target, part.X, part.Y, wait))
        {
            case DecodedTileCache.StreamResult.Written:
                return true;
            case DecodedTileCache.StreamResult.Busy:
                return false;
        }

        var used = new DecodedTileCache.UsedPart(_mosaic.TileWidth, _mosaic.TileHeight, inCell);
        DecodedTileCache.Lease lease;
        if (wait)
        {
            lease = Cache.Acquire(id, path, _validate, used);
        }
        else if (!Cache.TryAcquire(id, path, _validate, used, out lease))
        {
            return false;
        }

        using (lease)
        {
            PixelBuffer tile = lease.Pixels;
            int rowBytes = part.Width * target.BytesPerPixel;
            for (int y = part.Y; y < part.Bottom; y++)
            {
                tile.Data.AsSpan(tile.OffsetOf(inTile.X, y - origin.Y), rowBytes).CopyTo(target.RowAt(part.X, y, part.Width));
            }
        }

        return true;
    }

    private void ValidateTile(int id, string path, PixelBuffer pixels)
    {
        if (pixels.Width != _mosaic.TileWidth || pixels.Height != _mosaic.TileHeight)
        {
            throw new TileReadException(path,
                $"it is {pixels.Width}×{pixels.Height} px but the tiles of this grid are {_mosaic.TileWidth}×{_mosaic.TileHeight} px; tiles of different sizes need explicit positions");
        }
    }
}
