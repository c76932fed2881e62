using System.Buffers.Binary;
using NetVips;
using Tessera.Imaging;
using Tessera.Outputs;
using Tessera.Outputs.Tiff;
using Tessera.Outputs.Zarr;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>
/// The OME writers on their own, at 16 bits (the engine's pixels are 8-bit today): tiles of every
/// level handed over in a shuffled order from several threads read back exactly, as uint16, with
/// the reference readers.
/// </summary>
public sealed class OmeWriterTests : IDisposable
{
    private const int Width = 150, Height = 100, Tile = 32;
    private readonly TempDirectory _dir = new();

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Sixteen_bit_ome_tiff_reads_back_exactly_with_tifffile(int channels)
    {
        var raster = new RasterPyramid(Width, Height, channels, SampleType.UInt16, Tile);
        ushort[][] levels = RandomLevels(raster, seed: channels);
        string path = _dir.Combine("sixteen.ome.tif");
        using (var writer = new BigTiffPyramidWriter(path, raster, TiffCompression.Deflate, OmeXml.For("sixteen", raster, new PixelSize(0.5))))
        {
            WriteShuffled(raster, levels, (l, c, r, t) => writer.WriteTile(l, c, r, t));
            writer.Complete();
        }

        OmeReaders.Check(Expect("tiff", path, raster, levels));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Sixteen_bit_ome_zarr_reads_back_exactly_with_zarr(int channels)
    {
        var raster = new RasterPyramid(Width, Height, channels, SampleType.UInt16, Tile);
        ushort[][] levels = RandomLevels(raster, seed: 10 + channels);
        string path = _dir.Combine("sixteen.ome.zarr");
        using (var writer = new ZarrPyramidWriter(path, "sixteen", raster, new PixelSize(0.5)))
        {
            writer.Open();
            WriteShuffled(raster, levels, (l, c, r, t) => writer.WriteTile(l, c, r, t));

            // Every row is complete, so none is still held open (what is held is the rows in flight).
            Assert.Equal(0, writer.OpenRows);
            writer.Complete();
        }

        OmeReaders.Check(Expect("zarr", path, raster, levels));
    }

    /// <summary>Random 16-bit samples fill LZW's code table many times over: every reset must be where libtiff expects it.</summary>
    [Fact]
    public void Sixteen_bit_lzw_ome_tiff_reads_back_exactly_with_libtiff()
    {
        var raster = new RasterPyramid(Width, Height, 3, SampleType.UInt16, Tile);
        ushort[][] levels = RandomLevels(raster, seed: 7);
        string path = _dir.Combine("lzw.ome.tif");
        using (var writer = new BigTiffPyramidWriter(path, raster, TiffCompression.Lzw, OmeXml.For("lzw", raster, null)))
        {
            WriteShuffled(raster, levels, (l, c, r, t) => writer.WriteTile(l, c, r, t));
            writer.Complete();
        }

        for (int level = 0; level < raster.LevelCount; level++)
        {
            var (w, h) = raster.LevelSize(level);
            using Image read = level == 0 ? Image.NewFromFile(path, access: Enums.Access.Random)
                : Image.NewFromFile(path, access: Enums.Access.Random, kwargs: new VOption { { "subifd", level - 1 } });
            Assert.Equal((w, h, 3, Enums.BandFormat.Ushort), (read.Width, read.Height, read.Bands, read.Format));
            using Image expected = Image.NewFromMemory(levels[level], w, h, 3, Enums.BandFormat.Ushort);
            Assert.True((read - expected).Abs().Max() == 0, $"level {level}: LZW tiles decode to other samples");
        }
    }

    private static ushort[][] RandomLevels(RasterPyramid raster, int seed)
    {
        var random = new Random(seed);
        var levels = new ushort[raster.LevelCount][];
        for (int level = 0; level < raster.LevelCount; level++)
        {
            var (w, h) = raster.LevelSize(level);
            levels[level] = new ushort[w * h * raster.Channels];
            for (int i = 0; i < levels[level].Length; i++)
            {
                // Smooth with noise, over the whole 16-bit range: the predictor and the byte order both show.
                levels[level][i] = (ushort)((i * 37 % 60000) + random.Next(0, 5000));
            }
        }

        return levels;
    }

    /// <summary>Hands every tile of every level to <paramref name="write"/>, in a shuffled order, from several threads.</summary>
    private static void WriteShuffled(RasterPyramid raster, ushort[][] levels, Action<int, int, int, byte[]> write)
    {
        var tiles = new List<(int Level, int Column, int Row)>();
        for (int level = 0; level < raster.LevelCount; level++)
        {
            var (columns, rows) = raster.TileCount(level);
            for (int i = 0; i < columns * rows; i++)
            {
                tiles.Add((level, i % columns, i / columns));
            }
        }

        var order = tiles.ToArray();
        new Random(3).Shuffle(order);
        Parallel.ForEach(order, new ParallelOptions { MaxDegreeOfParallelism = 4 }, t =>
            write(t.Level, t.Column, t.Row, TileOf(raster, levels[t.Level], t.Level, t.Column, t.Row)));
    }

    /// <summary>One tile as the writers take it: T×T pixels, samples interleaved, little-endian, zeros past the edge.</summary>
    private static byte[] TileOf(RasterPyramid raster, ushort[] level, int levelIndex, int column, int row)
    {
        var (w, h) = raster.LevelSize(levelIndex);
        int c = raster.Channels;
        var tile = new byte[raster.TileBytes];
        for (int y = 0; y < Tile && (row * Tile) + y < h; y++)
        {
            for (int x = 0; x < Tile && (column * Tile) + x < w; x++)
            {
                for (int s = 0; s < c; s++)
                {
                    ushort value = level[(((((row * Tile) + y) * w) + (column * Tile) + x) * c) + s];
                    BinaryPrimitives.WriteUInt16LittleEndian(tile.AsSpan((((y * Tile) + x) * c + s) * 2), value);
                }
            }
        }

        return tile;
    }

    private OmeReaders.Expectation Expect(string kind, string path, RasterPyramid raster, ushort[][] levels)
    {
        var files = new List<string>();
        var shapes = new List<int[]>();
        for (int level = 0; level < levels.Length; level++)
        {
            string raw = _dir.Combine($"level{level}.raw");
            var bytes = new byte[levels[level].Length * 2];
            for (int i = 0; i < levels[level].Length; i++)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), levels[level][i]);
            }

            File.WriteAllBytes(raw, bytes);
            files.Add(raw);
            var (w, h) = raster.LevelSize(level);
            shapes.Add([h, w]);
        }

        return new OmeReaders.Expectation(kind, path, files, shapes, raster.Channels, "uint16", Tile, Halve: false, PixelSizeMicrometres: 0.5);
    }

    public void Dispose() => _dir.Dispose();
}
