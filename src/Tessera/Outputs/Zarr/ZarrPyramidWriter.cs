using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Tessera.Imaging;

namespace Tessera.Outputs.Zarr;

/// <summary>
/// An OME-NGFF 0.4 image in zarr v2: folder NAME.ome.zarr, one array per level ("0" the full
/// resolution), dimensions (c, y, x) for colour and (y, x) for grey, one chunk a tile, each chunk a
/// file (LEVEL/C/ROW/COLUMN, zlib, as numcodecs' zlib codec reads it). Chunks are independent files,
/// so several processes can write them and a rerun keeps those written; the metadata is written
/// at the end, <c>.zgroup</c> last, so a reader sees no image until it is whole.
/// </summary>
public sealed class ZarrPyramidWriter : IRasterTileWriter, IDisposable
{
    private readonly RasterPyramid _raster;
    private readonly string _name;
    private readonly PixelSize? _pixelSize;
    private readonly ConcurrentDictionary<(int Level, int Row), ChunkRow> _rows = new();

    public ZarrPyramidWriter(string folder, string name, RasterPyramid raster, PixelSize? pixelSize)
    {
        Folder = folder;
        _name = name;
        _raster = raster;
        _pixelSize = pixelSize;
    }

    public string Folder { get; }

    /// <summary>Written last: while it is missing, zarr readers find no group here.</summary>
    public string GroupFile => Path.Combine(Folder, ".zgroup");

    public RasterPyramid Raster => _raster;

    /// <summary>Creates the folder (marked as Tessera's) and keeps the chunks already in it.</summary>
    public void Open() => OutputFolder.Create(Folder);

    /// <summary>
    /// Writes chunk (<paramref name="column"/>, <paramref name="row"/>) of <paramref name="level"/>
    /// from <see cref="RasterPyramid.TileBytes"/> bytes of samples, row by row, interleaved,
    /// little-endian. Thread-safe.
    /// </summary>
    public void WriteTile(int level, int column, int row, ReadOnlySpan<byte> samples)
    {
        if (samples.Length != _raster.TileBytes)
        {
            throw new ArgumentException($"A tile is {_raster.TileBytes} bytes (got {samples.Length}).", nameof(samples));
        }

        byte[] planar = ArrayPool<byte>.Shared.Rent(samples.Length);
        byte[] packed = ArrayPool<byte>.Shared.Rent(samples.Length + (samples.Length / 8) + 1024);
        try
        {
            ReadOnlySpan<byte> chunk = _raster.Channels == 1 ? samples : ToPlanar(samples, planar.AsSpan(0, samples.Length));
            using var target = new MemoryStream(packed, 0, packed.Length, writable: true);
            using (var zlib = new ZLibStream(target, CompressionLevel.Fastest, leaveOpen: true))
            {
                zlib.Write(chunk);
            }

            ChunkRow chunkRow = RowDirectory(level, row);
            TileDirectory directory = chunkRow.Directory;
            string file = column.ToString(CultureInfo.InvariantCulture);
            try
            {
                directory.Write(file, packed.AsSpan(0, (int)target.Position));
            }
            catch (IOException e)
            {
                throw new TesseraException($"Cannot write chunk \"{directory.PathOf(file)}\": {e.Message}", e);
            }

            // A row whose every chunk is written is let go (its folder handle closed), so what is held
            // is the rows in flight, not every row of the pyramid. A row with chunks kept from an
            // earlier run never fills up here and is closed at the end.
            if (Interlocked.Increment(ref chunkRow.Written) == _raster.TileCount(level).Columns && _rows.TryRemove((level, row), out _))
            {
                directory.Dispose();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(planar);
            ArrayPool<byte>.Shared.Return(packed);
        }
    }

    /// <summary>Writes every level's .zarray, the multiscales in .zattrs, and .zgroup last.</summary>
    public void Complete()
    {
        for (int level = 0; level < _raster.LevelCount; level++)
        {
            WriteJson(Path.Combine(Folder, LevelName(level), ".zarray"), ArrayMetadata(level));
        }

        WriteJson(Path.Combine(Folder, ".zattrs"), NgffMetadata.Multiscales(_name, _raster, _pixelSize));
        WriteJson(GroupFile, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("zarr_format", 2);
            w.WriteEndObject();
        });
    }

    public void Dispose()
    {
        foreach (ChunkRow row in _rows.Values)
        {
            row.Directory.Dispose();
        }

        _rows.Clear();
    }

    private static string LevelName(int level) => level.ToString(CultureInfo.InvariantCulture);

    /// <summary>The folder of one row of chunks, made the first time a chunk of the row comes.</summary>
    private ChunkRow RowDirectory(int level, int row) => _rows.GetOrAdd((level, row), key =>
    {
        string path = _raster.Channels == 1
            ? Path.Combine(Folder, LevelName(key.Level), key.Row.ToString(CultureInfo.InvariantCulture))
            : Path.Combine(Folder, LevelName(key.Level), "0", key.Row.ToString(CultureInfo.InvariantCulture));
        try
        {
            return new ChunkRow(new TileDirectory(Directory.CreateDirectory(path).FullName));
        }
        catch (IOException e)
        {
            throw new TesseraException($"Cannot create the chunk folder \"{path}\": {e.Message}", e);
        }
    });

    /// <summary>Rows of chunks open for writing (tests: rows let go once complete).</summary>
    internal int OpenRows => _rows.Count;

    /// <summary>A row of chunks being written: its folder, and how many of its chunks this run wrote.</summary>
    private sealed class ChunkRow(TileDirectory directory)
    {
        public TileDirectory Directory { get; } = directory;

        public int Written;
    }

    /// <summary>Interleaved samples (y, x, c) to planes (c, y, x), as a chunk of a C-order (c, y, x) array holds them.</summary>
    private ReadOnlySpan<byte> ToPlanar(ReadOnlySpan<byte> samples, Span<byte> planar)
    {
        int channels = _raster.Channels, sampleBytes = _raster.SampleType.Bytes(), pixels = _raster.TileSize * _raster.TileSize;
        for (int c = 0; c < channels; c++)
        {
            Span<byte> plane = planar.Slice(c * pixels * sampleBytes, pixels * sampleBytes);
            int from = c * sampleBytes, step = channels * sampleBytes;
            if (sampleBytes == 1)
            {
                for (int i = 0; i < pixels; i++, from += step)
                {
                    plane[i] = samples[from];
                }
            }
            else
            {
                for (int i = 0; i < pixels; i++, from += step)
                {
                    plane[2 * i] = samples[from];
                    plane[(2 * i) + 1] = samples[from + 1];
                }
            }
        }

        return planar;
    }

    private Action<Utf8JsonWriter> ArrayMetadata(int level) => w =>
    {
        var (width, height) = _raster.LevelSize(level);
        bool colour = _raster.Channels > 1;
        w.WriteStartObject();
        w.WriteNumber("zarr_format", 2);
        WriteDimensions(w, "shape", colour, _raster.Channels, height, width);
        WriteDimensions(w, "chunks", colour, _raster.Channels, _raster.TileSize, _raster.TileSize);
        w.WriteString("dtype", _raster.SampleType.ZarrDtype());
        w.WriteStartObject("compressor");
        w.WriteString("id", "zlib");
        w.WriteNumber("level", 1);
        w.WriteEndObject();
        w.WriteNumber("fill_value", 0);
        w.WriteString("order", "C");
        w.WriteNull("filters");
        w.WriteString("dimension_separator", "/");
        w.WriteEndObject();
    };

    private static void WriteDimensions(Utf8JsonWriter w, string name, bool colour, int channels, int y, int x)
    {
        w.WriteStartArray(name);
        if (colour)
        {
            w.WriteNumberValue(channels);
        }

        w.WriteNumberValue(y);
        w.WriteNumberValue(x);
        w.WriteEndArray();
    }

    /// <summary>Writes a metadata file under a temporary name and renames it, so that one that exists is whole.</summary>
    private static void WriteJson(string path, Action<Utf8JsonWriter> write)
    {
        string temporary = path + ".partial";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using (var stream = File.Create(temporary))
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                write(writer);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            throw new TesseraException($"Cannot write \"{path}\": {e.Message}", e);
        }
    }
}
