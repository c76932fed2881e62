using Tessera.Imaging;
using Tessera.Layout;

namespace Tessera.Compositing;

/// <summary>
/// Tiles at arbitrary whole-pixel positions on the plane, of any sizes, with a bucket index that
/// answers "which tiles meet this rectangle" without looking at every tile. Tile ids are the
/// order the tiles were given in; <see cref="BlendMode.Overlay"/> draws later ids on top.
/// </summary>
public sealed class PlacedMosaic
{
    // A grid's view (see TileGrid.Files) or a positions list's paths: no string per tile of its own.
    private readonly IReadOnlyList<string> _paths;
    private readonly PixelRect[] _rects;
    private readonly int _bucketWidth;
    private readonly int _bucketHeight;
    private readonly int _bucketsAcross;
    private readonly int _bucketsDown;
    private readonly int[] _bucketStarts;
    private readonly int[] _bucketTiles;

    /// <param name="tiles">Each tile's file and where it lies on the plane (non-negative coordinates).</param>
    public PlacedMosaic(IReadOnlyList<(string Path, PixelRect Rect)> tiles)
        : this(Paths(tiles), Rects(tiles))
    {
    }

    /// <param name="paths">Tile i's file.</param>
    /// <param name="rects">Where tile i lies on the plane (non-negative coordinates).</param>
    private PlacedMosaic(IReadOnlyList<string> paths, PixelRect[] rects)
    {
        if (rects.Length == 0)
        {
            throw new LayoutException("There are no tiles to place.");
        }

        _paths = paths;
        _rects = rects;
        long width = 0, height = 0;
        int largestWidth = 1, largestHeight = 1;
        for (int i = 0; i < rects.Length; i++)
        {
            PixelRect rect = rects[i];
            if (rect.X < 0 || rect.Y < 0 || rect.IsEmpty)
            {
                throw new ArgumentException($"Tile {i} ({paths[i]}) has an invalid place {rect}.", nameof(rects));
            }

            width = Math.Max(width, (long)rect.X + rect.Width);
            height = Math.Max(height, (long)rect.Y + rect.Height);
            largestWidth = Math.Max(largestWidth, rect.Width);
            largestHeight = Math.Max(largestHeight, rect.Height);
        }

        if (width > int.MaxValue || height > int.MaxValue)
        {
            throw new LayoutException($"The mosaic would be {width}×{height} px, larger than the {int.MaxValue} px a side Tessera supports.");
        }

        Width = (int)width;
        Height = (int)height;

        // Buckets as large as the largest tile: a tile falls in at most 2×2 of them.
        _bucketWidth = largestWidth;
        _bucketHeight = largestHeight;
        _bucketsAcross = (int)((width + _bucketWidth - 1) / _bucketWidth);
        _bucketsDown = (int)((height + _bucketHeight - 1) / _bucketHeight);
        _bucketStarts = new int[checked((_bucketsAcross * _bucketsDown) + 1)];
        ForEachBucket((bucket, _) => _bucketStarts[bucket + 1]++);
        for (int b = 0; b < _bucketsAcross * _bucketsDown; b++)
        {
            _bucketStarts[b + 1] += _bucketStarts[b];
        }

        _bucketTiles = new int[_bucketStarts[^1]];
        var filled = new int[_bucketsAcross * _bucketsDown];
        ForEachBucket((bucket, tile) => _bucketTiles[_bucketStarts[bucket] + filled[bucket]++] = tile);
    }

    public int Count => _rects.Length;
    public int Width { get; }
    public int Height { get; }

    public string PathOf(int tile) => _paths[tile];

    /// <summary>Where tile <paramref name="tile"/> lies on the plane.</summary>
    public PixelRect RectOf(int tile) => _rects[tile];

    /// <summary>
    /// Places tiles given with subpixel positions: each position is rounded to the nearest pixel
    /// and the whole set shifted so the smallest lands on 0. Tiles keep the order given.
    /// </summary>
    /// <param name="sizeOf">The width and height of tile i (its file's header).</param>
    public static PlacedMosaic FromPlacements(IReadOnlyList<TilePlacement> placements, Func<int, (int Width, int Height)> sizeOf)
    {
        if (placements.Count == 0)
        {
            throw new LayoutException("The positions list no tiles.");
        }

        var xs = new long[placements.Count];
        var ys = new long[placements.Count];
        for (int i = 0; i < placements.Count; i++)
        {
            TilePlacement p = placements[i];
            if (!double.IsFinite(p.X) || !double.IsFinite(p.Y) || Math.Abs(p.X) > int.MaxValue || Math.Abs(p.Y) > int.MaxValue)
            {
                throw new LayoutException($"Tile \"{p.Path}\" has an impossible position ({p.X}, {p.Y}).");
            }

            xs[i] = (long)Math.Round(p.X, MidpointRounding.ToEven);
            ys[i] = (long)Math.Round(p.Y, MidpointRounding.ToEven);
        }

        long minX = xs.Min(), minY = ys.Min();
        var rects = new PixelRect[placements.Count];
        for (int i = 0; i < placements.Count; i++)
        {
            var (w, h) = sizeOf(i);
            long x = xs[i] - minX, y = ys[i] - minY;
            if (x + w > int.MaxValue || y + h > int.MaxValue)
            {
                throw new LayoutException($"Tile \"{placements[i].Path}\" lies {x},{y} px from the first: the mosaic would be larger than Tessera supports.");
            }

            rects[i] = new PixelRect((int)x, (int)y, w, h);
        }

        return new PlacedMosaic(new PlacementPaths(placements), rects);
    }

    /// <summary>The tiles of a grid on their nominal places, row by row; missing cells get no tile.</summary>
    public static PlacedMosaic FromGrid(GridMosaic grid)
    {
        var rects = new PixelRect[grid.Grid.PresentCount];
        for (int i = 0; i < rects.Length; i++)
        {
            int cell = grid.Grid.CellOf(i);
            rects[i] = grid.TileRect(cell % grid.Grid.Columns, cell / grid.Grid.Columns);
        }

        return new PlacedMosaic(grid.Grid.Files(), rects);
    }

    private static string[] Paths(IReadOnlyList<(string Path, PixelRect Rect)> tiles)
    {
        var paths = new string[tiles.Count];
        for (int i = 0; i < paths.Length; i++)
        {
            paths[i] = tiles[i].Path;
        }

        return paths;
    }

    private static PixelRect[] Rects(IReadOnlyList<(string Path, PixelRect Rect)> tiles)
    {
        var rects = new PixelRect[tiles.Count];
        for (int i = 0; i < rects.Length; i++)
        {
            rects[i] = tiles[i].Rect;
        }

        return rects;
    }

    /// <summary>The paths of a positions list, read from it rather than copied.</summary>
    private sealed class PlacementPaths(IReadOnlyList<TilePlacement> placements) : IReadOnlyList<string>
    {
        public int Count => placements.Count;

        public string this[int index] => placements[index].Path;

        public IEnumerator<string> GetEnumerator()
        {
            for (int i = 0; i < placements.Count; i++)
            {
                yield return placements[i].Path;
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Adds the ids of the tiles that meet <paramref name="rect"/> to <paramref name="result"/>, once each, in ascending order.</summary>
    public void TilesMeeting(PixelRect rect, List<int> result)
    {
        result.Clear();
        rect = rect.Intersect(new PixelRect(0, 0, Width, Height));
        if (rect.IsEmpty)
        {
            return;
        }

        int bx0 = rect.X / _bucketWidth, bx1 = (rect.Right - 1) / _bucketWidth;
        int by0 = rect.Y / _bucketHeight, by1 = (rect.Bottom - 1) / _bucketHeight;
        for (int by = by0; by <= by1; by++)
        {
            for (int bx = bx0; bx <= bx1; bx++)
            {
                int bucket = (by * _bucketsAcross) + bx;
                for (int k = _bucketStarts[bucket]; k < _bucketStarts[bucket + 1]; k++)
                {
                    int tile = _bucketTiles[k];
                    if (_rects[tile].IntersectsWith(rect))
                    {
                        result.Add(tile);
                    }
                }
            }
        }

        result.Sort();
        int unique = 0;
        for (int i = 0; i < result.Count; i++)
        {
            if (unique == 0 || result[unique - 1] != result[i])
            {
                result[unique++] = result[i];
            }
        }

        result.RemoveRange(unique, result.Count - unique);
    }

    private void ForEachBucket(Action<int, int> visit)
    {
        for (int tile = 0; tile < _rects.Length; tile++)
        {
            PixelRect r = _rects[tile];
            for (int by = r.Y / _bucketHeight; by <= (r.Bottom - 1) / _bucketHeight; by++)
            {
                for (int bx = r.X / _bucketWidth; bx <= (r.Right - 1) / _bucketWidth; bx++)
                {
                    visit((by * _bucketsAcross) + bx, tile);
                }
            }
        }
    }
}
