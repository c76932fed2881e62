using System.Buffers;
using System.Runtime.InteropServices;
using Tessera.Imaging;

namespace Tessera.Outputs;

/// <summary>
/// The engine's tiles as OME writers take them: a full square tile of 8- or 16-bit samples
/// (little-endian, as the engine holds them), grey or RGB interleaved (the engine's fourth colour
/// sample dropped), zeros past the level's edge.
/// </summary>
internal static class TilePacker
{
    public static int Channels(PixelFormat format) => format.IsGrey() ? 1 : 3;

    /// <summary>The OME sample type of the engine's <paramref name="format"/>.</summary>
    public static SampleType SampleTypeOf(PixelFormat format) => format.IsSixteenBit() ? SampleType.UInt16 : SampleType.UInt8;

    /// <summary>Packs <paramref name="tile"/> of <paramref name="source"/> into <paramref name="into"/>, <paramref name="tileSize"/> pixels square.</summary>
    public static void Pack(PixelBuffer source, PixelRect tile, int tileSize, Span<byte> into)
    {
        if (tile.Width < tileSize || tile.Height < tileSize)
        {
            into.Clear();
        }

        if (source.Format.IsSixteenBit())
        {
            Pack<ushort>(source, tile, tileSize, MemoryMarshal.Cast<byte, ushort>(into));
        }
        else
        {
            Pack<byte>(source, tile, tileSize, into);
        }
    }

    private static void Pack<T>(PixelBuffer source, PixelRect tile, int tileSize, Span<T> into)
        where T : unmanaged
    {
        int channels = Channels(source.Format), rowSamples = tileSize * channels;
        for (int y = 0; y < tile.Height; y++)
        {
            ReadOnlySpan<T> from = MemoryMarshal.Cast<byte, T>(source.RowAt(tile.X, tile.Y + y, tile.Width));
            Span<T> to = into.Slice(y * rowSamples, tile.Width * channels);
            if (channels == 1)
            {
                from.CopyTo(to);
                continue;
            }

            for (int x = 0, i = 0, o = 0; x < tile.Width; x++, i += 4, o += 3)
            {
                to[o] = from[i];
                to[o + 1] = from[i + 1];
                to[o + 2] = from[i + 2];
            }
        }
    }

    /// <summary>Packs <paramref name="tile"/> of <paramref name="source"/> into a pooled buffer and hands it to <paramref name="writer"/> at <paramref name="level"/>.</summary>
    public static void Write(IRasterTileWriter writer, int level, int column, int row, PixelBuffer source, PixelRect tile)
    {
        RasterPyramid raster = writer.Raster;
        byte[] samples = ArrayPool<byte>.Shared.Rent(raster.TileBytes);
        try
        {
            Pack(source, tile, raster.TileSize, samples.AsSpan(0, raster.TileBytes));
            writer.WriteTile(level, column, row, samples.AsSpan(0, raster.TileBytes));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(samples);
        }
    }
}
