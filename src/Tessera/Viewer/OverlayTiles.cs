using Tessera.Imaging;
using Tessera.Registration;

namespace Tessera.Viewer;

/// <summary>The overlay's view of the input tiles: each one's name, quality and gain, and the report's pairs tied to them by file name.</summary>
internal sealed class OverlayTiles
{
    private readonly string _root;

    private OverlayTiles(ViewerContent content, string root, TileQuality[] quality, double[]? gains, List<OverlayLink> links)
    {
        Content = content;
        _root = root;
        Quality = quality;
        Gains = gains;
        Links = links;
    }

    public ViewerContent Content { get; }

    /// <summary>Tile <paramref name="tile"/>'s name relative to the input folder, with '/' between folders; made when asked, not kept for every tile.</summary>
    public string NameOf(int tile) => Path.GetRelativePath(_root, Path.GetFullPath(Content.Tiles.PathOf(tile))).Replace('\\', '/');

    public TileQuality[] Quality { get; }

    /// <summary>Each tile's gain, NaN where none is known; null when brightness was not balanced.</summary>
    public double[]? Gains { get; }

    public List<OverlayLink> Links { get; }

    public static OverlayTiles From(ViewerContent content)
    {
        int n = content.Tiles.Count;
        string root = Path.GetFullPath(content.InputDirectory);
        List<OverlayLink> links = content.Pairs is { } pairs ? Tie(pairs, ByFileName(content), content) : [];
        return new OverlayTiles(content, root, Qualities(n, links, content.Pairs is not null), GainsOf(content), links);
    }

    /// <summary>The report names tiles by file name; where two share one, the first keeps it. Only a registered build has a report to tie.</summary>
    private static Dictionary<string, int> ByFileName(ViewerContent content)
    {
        var byFileName = new Dictionary<string, int>(content.Tiles.Count, StringComparer.Ordinal);
        for (int i = 0; i < content.Tiles.Count; i++)
        {
            byFileName.TryAdd(Path.GetFileName(content.Tiles.PathOf(i)), i);
        }

        return byFileName;
    }

    private static List<OverlayLink> Tie(IReadOnlyList<PairRecord> pairs, Dictionary<string, int> byFileName, ViewerContent content)
    {
        var links = new List<OverlayLink>(pairs.Count);
        foreach (PairRecord pair in pairs)
        {
            if (byFileName.TryGetValue(pair.First, out int first) && byFileName.TryGetValue(pair.Second, out int second))
            {
                var (x1, y1) = Position(content, first);
                var (x2, y2) = Position(content, second);
                links.Add(new OverlayLink(first, second, pair, ReportPairs.OutcomeName(pair.Outcome), x2 - x1 - pair.Dx, y2 - y1 - pair.Dy));
            }
        }

        return links;
    }

    /// <summary>The subpixel position a tile was placed from, where there is one (residuals below a pixel mean something); else its rectangle's corner.</summary>
    private static (double X, double Y) Position(ViewerContent content, int tile)
    {
        if (content.Placements is { } placements && placements.Count == content.Tiles.Count)
        {
            return (placements[tile].X, placements[tile].Y);
        }

        PixelRect rect = content.Tiles.RectOf(tile);
        return (rect.X, rect.Y);
    }

    private static TileQuality[] Qualities(int n, List<OverlayLink> links, bool registered)
    {
        var quality = new TileQuality[n];
        if (!registered)
        {
            return quality;
        }

        var ofTile = new List<PairRecord>?[n];
        foreach (OverlayLink link in links)
        {
            (ofTile[link.First] ??= []).Add(link.Pair);
            (ofTile[link.Second] ??= []).Add(link.Pair);
        }

        for (int i = 0; i < n; i++)
        {
            quality[i] = TileQualityRule.Of(ofTile[i] ?? []);
        }

        return quality;
    }

    private static double[]? GainsOf(ViewerContent content)
    {
        if (content.Gains is not { } gains)
        {
            return null;
        }

        var byPath = new Dictionary<string, double>(gains.Count, StringComparer.Ordinal);
        for (int i = 0; i < gains.Count; i++)
        {
            byPath[Path.GetFullPath(gains.PathOf(i))] = gains.GainOf(i);
        }

        var result = new double[content.Tiles.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = byPath.GetValueOrDefault(Path.GetFullPath(content.Tiles.PathOf(i)), double.NaN);
        }

        return result;
    }
}
