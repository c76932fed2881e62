using System.Globalization;
using System.Text.Json;
using Tessera.Imaging;
using Tessera.Registration;
using Tessera.Outputs;

namespace Tessera.Viewer;

/// <summary>
/// Writes the tile overlay: the plane cut into chunks of about 32×32 input tiles, one small script
/// per chunk that hands its tiles and links to the page (<c>tesseraOverlayChunk(column, row, data)</c>).
/// Scripts, not JSON, because a page opened from a file may insert a script element but may not
/// fetch; the page loads only the chunks in view, so 360,000 tiles cost no more than a screenful.
/// A tile is in the chunk of its top-left corner, a link in the chunk of its second tile.
/// </summary>
public static class TileOverlayWriter
{
    /// <summary>Input tiles per chunk side.</summary>
    public const int TilesPerChunk = 32;

    /// <summary>The callback every chunk script calls.</summary>
    public const string Callback = "tesseraOverlayChunk";

    /// <summary>Chunk (column, row)'s file name.</summary>
    public static string ChunkFileName(int column, int row) => string.Create(CultureInfo.InvariantCulture, $"c{column}_{row}.js");

    /// <summary>Writes the chunks into <paramref name="folder"/> (made and marked as Tessera's; an earlier overlay there is replaced) and returns their index.</summary>
    public static OverlayIndex Write(string folder, ViewerContent content)
    {
        OverlayTiles tiles = OverlayTiles.From(content);
        OutputFolder.Delete(folder);
        OutputFolder.Create(folder);
        var (tileWidth, tileHeight, maxWidth, maxHeight) = Sizes(content);
        int chunkWidth = TilesPerChunk * tileWidth, chunkHeight = TilesPerChunk * tileHeight;
        int columns = Math.Max(1, (int)((content.Tiles.Width + (long)chunkWidth - 1) / chunkWidth));
        int rows = Math.Max(1, (int)((content.Tiles.Height + (long)chunkHeight - 1) / chunkHeight));
        // Each chunk's tiles and links as one flat list per chunk (CSR): a few bytes a tile, not a list object per chunk.
        var chunkOfTile = new int[content.Tiles.Count];
        for (int i = 0; i < chunkOfTile.Length; i++)
        {
            PixelRect rect = content.Tiles.RectOf(i);
            chunkOfTile[i] = (Math.Min(rect.Y / chunkHeight, rows - 1) * columns) + Math.Min(rect.X / chunkWidth, columns - 1);
        }

        var (tileStarts, members) = Group(columns * rows, chunkOfTile.Length, i => chunkOfTile[i]);
        var (linkStarts, links) = Group(columns * rows, tiles.Links.Count, l => chunkOfTile[tiles.Links[l].Second]);
        var present = new char[columns * rows];
        for (int c = 0; c < present.Length; c++)
        {
            bool any = tileStarts[c + 1] > tileStarts[c];
            present[c] = any ? '1' : '0';
            if (any)
            {
                WriteChunk(Path.Combine(folder, ChunkFileName(c % columns, c / columns)), c % columns, c / columns,
                    members.AsSpan(tileStarts[c], tileStarts[c + 1] - tileStarts[c]), links.AsSpan(linkStarts[c], linkStarts[c + 1] - linkStarts[c]), tiles);
            }
        }

        return new OverlayIndex(chunkWidth, chunkHeight, columns, rows, new string(present), tileWidth, tileHeight, maxWidth, maxHeight,
            content.Tiles.Count, content.Pairs is not null, content.Gains is not null);
    }

    /// <summary>Items 0..<paramref name="count"/> grouped by <paramref name="groupOf"/>, in ascending order within each group: group g's are items[starts[g]..starts[g + 1]].</summary>
    private static (int[] Starts, int[] Items) Group(int groups, int count, Func<int, int> groupOf)
    {
        var starts = new int[groups + 1];
        for (int i = 0; i < count; i++)
        {
            starts[groupOf(i) + 1]++;
        }

        for (int g = 0; g < groups; g++)
        {
            starts[g + 1] += starts[g];
        }

        var items = new int[count];
        var filled = new int[groups];
        for (int i = 0; i < count; i++)
        {
            int g = groupOf(i);
            items[starts[g] + filled[g]++] = i;
        }

        return (starts, items);
    }

    /// <summary>The median and the largest tile size: the median sets the chunk size, the largest how far a chunk's tiles reach.</summary>
    private static (int Width, int Height, int MaxWidth, int MaxHeight) Sizes(ViewerContent content)
    {
        int n = content.Tiles.Count;
        var widths = new int[n];
        var heights = new int[n];
        for (int i = 0; i < n; i++)
        {
            PixelRect rect = content.Tiles.RectOf(i);
            widths[i] = rect.Width;
            heights[i] = rect.Height;
        }

        int maxWidth = widths.Max(), maxHeight = heights.Max();
        Array.Sort(widths);
        Array.Sort(heights);
        return (Math.Max(1, widths[n / 2]), Math.Max(1, heights[n / 2]), maxWidth, maxHeight);
    }

    /// <summary>
    /// One chunk: <c>{"tiles":[[id, name, x, y, width, height, quality, gain], …], "links":[[first, second,
    /// "h"|"v", dx, dy, σx, σy, score, outcome, residual x, residual y], …]}</c>; ids are the tiles' places
    /// in the whole list, a σ or gain that does not exist is null.
    /// </summary>
    private static void WriteChunk(string path, int column, int row, ReadOnlySpan<int> members, ReadOnlySpan<int> links, OverlayTiles tiles)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        file.Write(System.Text.Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Callback}({column},{row},")));
        // The default encoder escapes <, >, & and non-ASCII characters: nothing in a name can end or break the script.
        using (var json = new Utf8JsonWriter(file))
        {
            json.WriteStartObject();
            json.WriteStartArray("tiles");
            foreach (int i in members)
            {
                WriteTile(json, i, tiles);
            }

            json.WriteEndArray();
            json.WriteStartArray("links");
            foreach (int l in links)
            {
                WriteLink(json, tiles.Links[l]);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        file.Write(");\n"u8);
    }

    private static void WriteTile(Utf8JsonWriter json, int i, OverlayTiles tiles)
    {
        PixelRect rect = tiles.Content.Tiles.RectOf(i);
        json.WriteStartArray();
        json.WriteNumberValue(i);
        json.WriteStringValue(tiles.NameOf(i));
        json.WriteNumberValue(rect.X);
        json.WriteNumberValue(rect.Y);
        json.WriteNumberValue(rect.Width);
        json.WriteNumberValue(rect.Height);
        json.WriteNumberValue((int)tiles.Quality[i]);
        if (tiles.Gains is { } gains && !double.IsNaN(gains[i]))
        {
            json.WriteNumberValue(Math.Round(gains[i], 6));
        }
        else
        {
            json.WriteNullValue();
        }

        json.WriteEndArray();
    }

    private static void WriteLink(Utf8JsonWriter json, OverlayLink link)
    {
        PairRecord p = link.Pair;
        json.WriteStartArray();
        json.WriteNumberValue(link.First);
        json.WriteNumberValue(link.Second);
        json.WriteStringValue(p.Direction == PairDirection.West ? "h" : "v");
        json.WriteNumberValue(Math.Round(p.Dx, 3));
        json.WriteNumberValue(Math.Round(p.Dy, 3));
        Sigma(p.SigmaX);
        Sigma(p.SigmaY);
        json.WriteNumberValue(Math.Round(p.Score, 3));
        json.WriteStringValue(link.Outcome);
        json.WriteNumberValue(Math.Round(link.ResidualX, 3));
        json.WriteNumberValue(Math.Round(link.ResidualY, 3));
        json.WriteEndArray();

        void Sigma(double sigma)
        {
            if (double.IsFinite(sigma))
            {
                json.WriteNumberValue(Math.Round(sigma, 3));
            }
            else
            {
                json.WriteNullValue();
            }
        }
    }
}
