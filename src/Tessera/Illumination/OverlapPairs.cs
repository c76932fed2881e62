using Tessera.Compositing;
using Tessera.Imaging;

namespace Tessera.Illumination;

/// <summary>
/// The neighbour pairs of a placed mosaic whose overlap runs along an edge (not only a corner):
/// those whose brightness can be compared. Kept as flat arrays, with each tile's pairs listed for it.
/// </summary>
internal sealed class OverlapPairs
{
    /// <summary>An overlap thinner than this (px) holds too few samples to compare.</summary>
    private const int MinThickness = 8;

    private readonly int[] _first;
    private readonly int[] _second;
    private readonly int[] _starts;
    private readonly int[] _byTile;

    private OverlapPairs(int[] first, int[] second, int tiles, int typicalThickness)
    {
        _first = first;
        _second = second;
        TypicalThickness = typicalThickness;
        _starts = new int[tiles + 1];
        foreach (int[] side in (ReadOnlySpan<int[]>)[first, second])
        {
            foreach (int t in side)
            {
                _starts[t + 1]++;
            }
        }

        for (int t = 0; t < tiles; t++)
        {
            _starts[t + 1] += _starts[t];
        }

        _byTile = new int[_starts[tiles]];
        var filled = new int[tiles];
        for (int p = 0; p < first.Length; p++)
        {
            _byTile[_starts[first[p]] + filled[first[p]]++] = p;
            _byTile[_starts[second[p]] + filled[second[p]]++] = p;
        }
    }

    public int Count => _first.Length;

    /// <summary>The median of the pairs' overlap thickness (the smaller side of each overlap), px.</summary>
    public int TypicalThickness { get; }

    public (int First, int Second) this[int pair] => (_first[pair], _second[pair]);

    /// <summary>
    /// Which way the pair lies: 0 side by side, 1 one above the other; and +1 where the first tile
    /// is the left (upper) one, −1 where it is the right (lower) one.
    /// </summary>
    public (int Direction, int Sign) Orientation(PlacedMosaic mosaic, int pair)
    {
        PixelRect a = mosaic.RectOf(_first[pair]), b = mosaic.RectOf(_second[pair]), overlap = a.Intersect(b);
        bool sideBySide = overlap.Width < overlap.Height;
        long ca = sideBySide ? (2L * a.X) + a.Width : (2L * a.Y) + a.Height, cb = sideBySide ? (2L * b.X) + b.Width : (2L * b.Y) + b.Height;
        return (sideBySide ? 0 : 1, ca <= cb ? 1 : -1);
    }

    /// <summary>The pairs tile <paramref name="tile"/> belongs to.</summary>
    public ReadOnlySpan<int> Of(int tile) => _byTile.AsSpan(_starts[tile], _starts[tile + 1] - _starts[tile]);

    public static OverlapPairs Find(PlacedMosaic mosaic)
    {
        var first = new List<int>();
        var second = new List<int>();
        var thickness = new List<int>();
        var meeting = new List<int>();
        for (int a = 0; a < mosaic.Count; a++)
        {
            PixelRect ra = mosaic.RectOf(a);
            mosaic.TilesMeeting(ra, meeting);
            foreach (int b in meeting)
            {
                PixelRect rb = mosaic.RectOf(b), overlap = ra.Intersect(rb);
                if (b > a && IsEdgeOverlap(overlap, ra, rb))
                {
                    first.Add(a);
                    second.Add(b);
                    thickness.Add(Math.Min(overlap.Width, overlap.Height));
                }
            }
        }

        thickness.Sort();
        int typical = thickness.Count == 0 ? 0 : thickness[thickness.Count / 2];
        return new OverlapPairs([.. first], [.. second], mosaic.Count, typical);
    }

    /// <summary>
    /// The tiles that belong to any pair, top to bottom (then left to right): the order that keeps
    /// the fewest tiles waiting for their partners on a grid.
    /// </summary>
    public int[] ReadingOrder(PlacedMosaic mosaic)
    {
        var tiles = new List<int>();
        for (int t = 0; t < mosaic.Count; t++)
        {
            if (_starts[t + 1] > _starts[t])
            {
                tiles.Add(t);
            }
        }

        tiles.Sort((a, b) =>
        {
            PixelRect ra = mosaic.RectOf(a), rb = mosaic.RectOf(b);
            return ra.Y != rb.Y ? ra.Y.CompareTo(rb.Y) : ra.X != rb.X ? ra.X.CompareTo(rb.X) : a.CompareTo(b);
        });
        return [.. tiles];
    }

    /// <summary>An overlap at least <see cref="MinThickness"/> px thick that covers half of the smaller tile's side along it.</summary>
    private static bool IsEdgeOverlap(PixelRect overlap, PixelRect a, PixelRect b) =>
        !overlap.IsEmpty && Math.Min(overlap.Width, overlap.Height) >= MinThickness
        && ((2 * overlap.Width) >= Math.Min(a.Width, b.Width) || (2 * overlap.Height) >= Math.Min(a.Height, b.Height));
}
