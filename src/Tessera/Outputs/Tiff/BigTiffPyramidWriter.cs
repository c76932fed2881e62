using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.Win32.SafeHandles;

namespace Tessera.Outputs.Tiff;

/// <summary>
/// Writes a tiled pyramidal BigTIFF as libvips <c>tiffsave --pyramid --subifd --bigtiff</c> lays it
/// out: the full resolution in the first directory (with the description, OME-XML for an
/// OME-TIFF), each reduced level a SubIFD of it. Tiles arrive from any thread, in any order and
/// level; each is compressed by the thread that brings it and appended to the file, and only its
/// offset and length are kept (12 bytes a tile). <see cref="Complete"/> writes the tile tables and
/// the directories after the tiles and points the header at them.
/// </summary>
public sealed class BigTiffPyramidWriter : IRasterTileWriter, IDisposable
{
    private const int HeaderBytes = 16;
    private const ushort NewSubfileType = 254, ImageWidth = 256, ImageLength = 257, BitsPerSample = 258, CompressionTag = 259,
        Photometric = 262, ImageDescription = 270, SamplesPerPixel = 277, PlanarConfiguration = 284, Software = 305, Predictor = 317,
        TileWidth = 322, TileLength = 323, TileOffsets = 324, TileByteCounts = 325, SubIfds = 330, SampleFormat = 339, YCbCrSubSampling = 530;

    private readonly RasterPyramid _raster;
    private readonly TiffCompression _compression;
    private readonly string _description;
    private readonly FileStream _file;
    private readonly SafeFileHandle _handle;
    private readonly long[][] _offsets;
    private readonly uint[][] _lengths;
    private long _end = HeaderBytes;

    /// <summary>
    /// What a writer of <paramref name="raster"/> holds until it completes, whatever it has written:
    /// the offset and length of every tile of every level, which its directories list at the end.
    /// </summary>
    public static long IndexBytes(RasterPyramid raster)
    {
        long tiles = 0;
        for (int level = 0; level < raster.LevelCount; level++)
        {
            var (columns, rows) = raster.TileCount(level);
            tiles += (long)columns * rows;
        }

        return tiles * (sizeof(long) + sizeof(uint));
    }

    /// <param name="path">The file to create (replaced if it exists).</param>
    /// <param name="compression">Deflate and LZW tiles are compressed here, with the horizontal predictor; JPEG tiles come encoded (<see cref="WriteCompressedTile"/>).</param>
    /// <param name="description">The first directory's ImageDescription (OME-XML).</param>
    public BigTiffPyramidWriter(string path, RasterPyramid raster, TiffCompression compression, string description)
    {
        if (raster.TileSize % 16 != 0)
        {
            throw new ArgumentException($"TIFF tiles are a multiple of 16 pixels (got {raster.TileSize}).", nameof(raster));
        }

        if (compression == TiffCompression.Jpeg && raster.SampleType != SampleType.UInt8)
        {
            throw new ArgumentException("JPEG tiles hold 8-bit samples.", nameof(compression));
        }

        _raster = raster;
        _compression = compression;
        _description = description;
        _offsets = new long[raster.LevelCount][];
        _lengths = new uint[raster.LevelCount][];
        for (int level = 0; level < raster.LevelCount; level++)
        {
            var (columns, rows) = raster.TileCount(level);
            _offsets[level] = new long[(long)columns * rows];
            _lengths[level] = new uint[(long)columns * rows];
        }

        _file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, 1 << 16);
        _handle = _file.SafeFileHandle;
        Span<byte> header = stackalloc byte[HeaderBytes];
        "II"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], 43);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 8);
        RandomAccess.Write(_handle, header, 0); // the first directory's offset (bytes 8–15) stays 0 until Complete
    }

    public RasterPyramid Raster => _raster;

    /// <summary>
    /// Compresses and appends tile (<paramref name="column"/>, <paramref name="row"/>) of
    /// <paramref name="level"/>: <see cref="RasterPyramid.TileBytes"/> bytes of samples, row by row,
    /// interleaved, little-endian. Thread-safe.
    /// </summary>
    public void WriteTile(int level, int column, int row, ReadOnlySpan<byte> samples)
    {
        if (_compression == TiffCompression.Jpeg)
        {
            throw new InvalidOperationException("A JPEG TIFF takes encoded tiles (WriteCompressedTile).");
        }

        if (samples.Length != _raster.TileBytes)
        {
            throw new ArgumentException($"A tile is {_raster.TileBytes} bytes (got {samples.Length}).", nameof(samples));
        }

        byte[] work = ArrayPool<byte>.Shared.Rent(samples.Length);
        byte[] packed = ArrayPool<byte>.Shared.Rent(LzwEncoder.MaxEncodedLength(samples.Length));
        try
        {
            Span<byte> tile = work.AsSpan(0, samples.Length);
            samples.CopyTo(tile);
            HorizontalPredictor.Apply(tile, _raster.TileSize, _raster.Channels, _raster.SampleType);
            int length = _compression == TiffCompression.Lzw ? LzwEncoder.Encode(tile, packed) : Deflate(tile, packed);
            Append(level, column, row, packed.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(work);
            ArrayPool<byte>.Shared.Return(packed);
        }
    }

    /// <summary>Appends a tile already in the file's compression (a whole JPEG stream of a full tile). Thread-safe.</summary>
    public void WriteCompressedTile(int level, int column, int row, ReadOnlySpan<byte> data) => Append(level, column, row, data);

    /// <summary>Writes the tile tables, the description and the directories after the tiles, then points the header at the first directory.</summary>
    /// <exception cref="InvalidOperationException">A tile was never written.</exception>
    public void Complete()
    {
        for (int level = 0; level < _raster.LevelCount; level++)
        {
            int missing = Array.IndexOf(_lengths[level], 0u);
            if (missing >= 0)
            {
                throw new InvalidOperationException($"Tile {missing} of level {level} of the TIFF was never written.");
            }
        }

        _file.Position = _end;
        var subIfds = new long[_raster.LevelCount - 1];
        for (int level = 1; level < _raster.LevelCount; level++)
        {
            subIfds[level - 1] = Directory(level).WriteTo(_file);
        }

        IfdBuilder first = Directory(0).Text(ImageDescription, _description).Text(Software, "Tessera");
        if (subIfds.Length > 0)
        {
            first.Longs64(SubIfds, IfdBuilder.Ifd8, subIfds);
        }

        long firstIfd = first.WriteTo(_file);
        _file.Flush();
        Span<byte> offset = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(offset, firstIfd);
        RandomAccess.Write(_handle, offset, 8);
        _file.Flush(flushToDisk: true);
    }

    public void Dispose() => _file.Dispose();

    private void Append(int level, int column, int row, ReadOnlySpan<byte> data)
    {
        var (columns, rows) = _raster.TileCount(level);
        if ((uint)column >= (uint)columns || (uint)row >= (uint)rows)
        {
            throw new ArgumentOutOfRangeException(nameof(column), $"Tile ({column}, {row}) is outside level {level}'s {columns}×{rows}.");
        }

        // Only the place is taken under no lock at all; threads write their tiles side by side.
        long at = Interlocked.Add(ref _end, data.Length) - data.Length;
        RandomAccess.Write(_handle, data, at);
        long index = ((long)row * columns) + column;
        _offsets[level][index] = at;
        _lengths[level][index] = (uint)data.Length;
    }

    private static int Deflate(ReadOnlySpan<byte> tile, byte[] into)
    {
        using var target = new MemoryStream(into, 0, into.Length, writable: true);
        using (var zlib = new ZLibStream(target, CompressionLevel.Fastest, leaveOpen: true))
        {
            zlib.Write(tile);
        }

        return (int)target.Position;
    }

    private IfdBuilder Directory(int level)
    {
        var (width, height) = _raster.LevelSize(level);
        ushort bits = (ushort)_raster.SampleType.Bits();
        ushort[] perSample(ushort value) => [.. Enumerable.Repeat(value, _raster.Channels)];
        bool colour = _raster.Channels == 3;
        var ifd = new IfdBuilder()
            .Long32(NewSubfileType, level == 0 ? 0u : 1u) // 1: a reduced-resolution version of the image
            .Long32(ImageWidth, (uint)width)
            .Long32(ImageLength, (uint)height)
            .Shorts(BitsPerSample, perSample(bits))
            .Shorts(CompressionTag, (ushort)_compression)
            .Shorts(Photometric, colour ? (_compression == TiffCompression.Jpeg ? (ushort)6 : (ushort)2) : (ushort)1)
            .Shorts(SamplesPerPixel, (ushort)_raster.Channels)
            .Shorts(PlanarConfiguration, 1)
            .Long32(TileWidth, (uint)_raster.TileSize)
            .Long32(TileLength, (uint)_raster.TileSize)
            .Longs64(TileOffsets, IfdBuilder.Long8, _offsets[level])
            .Longs32(TileByteCounts, _lengths[level])
            .Shorts(SampleFormat, perSample(1));
        if (_compression != TiffCompression.Jpeg)
        {
            ifd.Shorts(Predictor, 2);
        }
        else if (colour)
        {
            // The codec writes 4:2:0 JPEG; libtiff checks the tag against the stream.
            ifd.Shorts(YCbCrSubSampling, 2, 2);
        }

        return ifd;
    }
}
