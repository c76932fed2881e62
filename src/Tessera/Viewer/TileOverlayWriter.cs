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
        var chunks = new List<int>?[columns * rows];
        for (int i = 0; i < content.Tiles.Count; i++)
        {
            PixelRect rect = content.Tiles.RectOf(i);
            int chunk = (Math.Min(rect.Y / chunkHeight, rows - 1) * columns) + Math.Min(rect.X / chunkWidth, columns - 1);
            (chunks[chunk] ??= []).Add(i);
        }

        var chunkOfTile = new int[content.Tiles.Count];
        for (int c = 0; c < chunks.Length; c++)
        {
            foreach (int tile in chunks[c] ?? [])
            {
                chunkOfTile[tile] = c;
            }
        }

        var linksOfChunk = new List<int>?[chunks.Length];
        for (int l = 0; l < tiles.Links.Count; l++)
        {
            (linksOfChunk[chunkOfTile[tiles.Links[l].Second]] ??= []).Add(l);
        }

        var present = new char[chunks.Length];
        for (int c = 0; c < chunks.Length; c++)
        {
            present[c] = chunks[c] is null ? '0' : '1';
            if (chunks[c] is { } members)
            {
                WriteChunk(Path.Combine(folder, ChunkFileName(c % columns, c / columns)), c % columns, c / columns, members, linksOfChunk[c] ?? [], tiles);
            }
        }

        return new OverlayIndex(chunkWidth, chunkHeight, columns, rows, new string(present), tileWidth, tileHeight, maxWidth, maxHeight,
            content.Tiles.Count, content.Pairs is not null, content.Gains is not null);
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
    private static void WriteChunk(string path, int column, int row, List<int> members, List<int> links, OverlayTiles tiles)
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
        json.WriteStringValue(tiles.Names[i]);
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
