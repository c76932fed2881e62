using System.Globalization;
using NetVips;

namespace Tessera.Tests.Support;

/// <summary>
/// A grid of 16-bit tiles (grey or RGB, interleaved samples) on the nominal grid that
/// <c>--overlap OverlapX,OverlapY</c> describes, written as 16-bit PNG or TIFF files named
/// <c>{x}_{y}.SUFFIX</c>, and the plane they were cut from.
/// </summary>
public sealed record SixteenBitGrid(int Across, int Down, int TileWidth, int TileHeight, int OverlapX, int OverlapY, int Channels)
{
    public int StepX => TileWidth - OverlapX;
    public int StepY => TileHeight - OverlapY;
    public int PlaneWidth => ((Across - 1) * StepX) + TileWidth;
    public int PlaneHeight => ((Down - 1) * StepY) + TileHeight;

    public string OverlapOption => string.Create(CultureInfo.InvariantCulture, $"{OverlapX},{OverlapY}");

    /// <summary>
    /// Noise over the whole 0–65535 range (an 8-bit path could not keep it), with 0 and 65535
    /// themselves at the first two pixels.
    /// </summary>
    public static ushort[] Noise(int width, int height, int channels, uint seed)
    {
        var samples = new ushort[width * height * channels];
        for (int i = 0; i < samples.Length; i++)
        {
            uint h = ((uint)i * 2654435761u) ^ (seed * 40503u);
            h ^= h >> 15;
            h *= 2246822519u;
            h ^= h >> 13;
            samples[i] = (ushort)(h >> 8);
        }

        for (int c = 0; c < channels && samples.Length >= 2 * channels; c++)
        {
            samples[c] = 0;
            samples[channels + c] = ushort.MaxValue;
        }

        return samples;
    }

    /// <summary>The part of <paramref name="plane"/> under tile (column, row).</summary>
    public ushort[] Cut(ushort[] plane, int column, int row)
    {
        var tile = new ushort[TileWidth * TileHeight * Channels];
        for (int y = 0; y < TileHeight; y++)
        {
            plane.AsSpan((((row * StepY) + y) * PlaneWidth * Channels) + (column * StepX * Channels), TileWidth * Channels)
                .CopyTo(tile.AsSpan(y * TileWidth * Channels));
        }

        return tile;
    }

    /// <summary>Writes every tile, <paramref name="tileOf"/>(column, row), into <paramref name="directory"/>.</summary>
    public void Write(string directory, Func<int, int, ushort[]> tileOf, string suffix)
    {
        Directory.CreateDirectory(directory);
        for (int row = 0; row < Down; row++)
        {
            for (int column = 0; column < Across; column++)
            {
                Save(Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{column}_{row}{suffix}")),
                    tileOf(column, row), TileWidth, TileHeight, Channels);
            }
        }
    }

    /// <summary>Every tile cut from <paramref name="plane"/>.</summary>
    public void WriteCut(string directory, ushort[] plane, string suffix) => Write(directory, (c, r) => Cut(plane, c, r), suffix);

    public static void Save(string path, ushort[] samples, int width, int height, int channels)
    {
        using Image image = Image.NewFromMemory(samples, width, height, channels, Enums.BandFormat.Ushort)
            .Copy(interpretation: channels == 1 ? Enums.Interpretation.Grey16 : Enums.Interpretation.Rgb16);
        if (path.EndsWith(".png", StringComparison.Ordinal))
        {
            image.Pngsave(path, bitdepth: 16);
        }
        else
        {
            image.Tiffsave(path, compression: Enums.ForeignTiffCompression.Deflate);
        }
    }

    /// <summary>The samples as a little-endian raw file, as the reference readers load it.</summary>
    public static void WriteRaw(string path, ushort[] samples)
    {
        var bytes = new byte[samples.Length * 2];
        for (int i = 0; i < samples.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), samples[i]);
        }

        File.WriteAllBytes(path, bytes);
    }

    /// <summary>(height, width) of each OME level, halving (rounding up) until one fits in a tile.</summary>
    public IReadOnlyList<int[]> Shapes(int tileSize)
    {
        var shapes = new List<int[]> { new[] { PlaneHeight, PlaneWidth } };
        while (shapes[^1][0] > tileSize || shapes[^1][1] > tileSize)
        {
            shapes.Add([(shapes[^1][0] + 1) / 2, (shapes[^1][1] + 1) / 2]);
        }

        return shapes;
    }
}
