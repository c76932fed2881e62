using SkiaSharp;

namespace Tessera.Bench;

/// <summary>A complete grid of equally sized input tiles found in a directory.</summary>
internal sealed record InputGrid(string Directory, int Across, int Down, int TileWidth, int TileHeight)
{
    public int Count => Across * Down;

    public string PathOf(int x, int y) => Path.Combine(Directory, TileNames.Format(x, y));

    /// <summary>Path of the tile with row-major index <paramref name="index"/>.</summary>
    public string PathOf(int index) => PathOf(index % Across, index / Across);

    /// <summary>Size of the stitched mosaic when neighbours overlap by the given amounts.</summary>
    public (int Width, int Height) MosaicSize(int overlapX, int overlapY)
    {
        if (overlapX >= TileWidth || overlapY >= TileHeight)
        {
            throw new BenchException($"overlap {overlapX},{overlapY} must be smaller than the tiles ({TileWidth}x{TileHeight})");
        }

        return (((Across - 1) * (TileWidth - overlapX)) + TileWidth, ((Down - 1) * (TileHeight - overlapY)) + TileHeight);
    }

    /// <summary>Finds the <c>{x}_{y}.jpg</c> tiles in <paramref name="directory"/> and reads the size of tile 0_0.</summary>
    public static InputGrid Scan(string directory)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            throw new BenchException($"input directory '{directory}' does not exist");
        }

        int across = 0, down = 0, count = 0;
        foreach (var file in System.IO.Directory.EnumerateFiles(directory, TileNames.SearchPattern))
        {
            if (TileNames.TryParse(Path.GetFileName(file), out var x, out var y))
            {
                across = Math.Max(across, x + 1);
                down = Math.Max(down, y + 1);
                count++;
            }
        }

        if (count == 0)
        {
            throw new BenchException($"no {{x}}_{{y}}.jpg tiles in '{directory}'");
        }

        if (count != across * down)
        {
            throw new BenchException($"'{directory}' holds {count} tiles, but a {across}x{down} grid needs {across * down}");
        }

        var first = Path.Combine(directory, TileNames.Format(0, 0));
        using var codec = SKCodec.Create(first) ?? throw new BenchException($"cannot decode '{first}'");
        return new InputGrid(directory, across, down, codec.Info.Width, codec.Info.Height);
    }
}
