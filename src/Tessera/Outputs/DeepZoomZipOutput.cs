using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Pyramid;
using Tessera.Viewer;

namespace Tessera.Outputs;

/// <summary>
/// Writes a Deep Zoom pyramid straight into one zip as libvips <c>dzsave --container zip</c> lays
/// it out — <c>NAME_files/LEVEL/COLUMN_ROW.SUFFIX</c> and <c>NAME.dzi</c>, every entry stored — so
/// the disk it needs is the zip's and hardly more: no folder pyramid is made and packed.
/// </summary>
/// <remarks>
/// Tiles are appended as they come, a local header and the data in one write, under the build's
/// work folder (<c>NAME.tessera/NAME.zip.partial</c>). A run that is killed leaves whole entries
/// and at most one cut short at the end; the next run reads the local headers back, cuts the file
/// after the last whole entry, and appends the rest (a tile already there is not written again:
/// the same build makes the same bytes). Only <see cref="Complete"/> writes the .dzi, the central
/// directory and the end records, and then renames the file to <c>NAME.zip</c>: so a zip without
/// its end records is never mistaken for a pyramid, and a <c>NAME.zip</c> that exists is whole.
/// Where each tile's entry is, is kept in a sparse file of 16-byte slots beside it, not in memory,
/// so that the central directory is written in pyramid order (level, row, column) whatever order
/// the threads wrote the tiles in, with memory of one bit per tile. The viewer page NAME.html
/// stays beside the zip. One file has one writer: shards are refused (<see cref="AllowsShards"/>).
/// </remarks>
public sealed class DeepZoomZipOutput : IPyramidOutput
{
    private const int SlotBytes = 16;
    private const int MaxNameBytes = 255;

    /// <summary>The central directory is written, and the slots read, this much at a time.</summary>
    private const int ChunkBytes = 1 << 20;

    private readonly DziPaths _paths;
    private readonly string _workDirectory;
    private readonly DziGeometry _geometry;
    private readonly ITileCodec _codec;
    private readonly EncodeSettings _encode;
    private readonly Func<ViewerContent>? _viewer;
    private readonly string _suffix;
    private readonly string _tilePrefix;
    private readonly long[] _levelStart;
    private readonly object _gate = new();
    private SafeFileHandle? _zip;
    private SafeFileHandle? _slots;
    private ulong[] _present = [];
    private long _end;
    private ZipTime _time;

    /// <param name="workDirectory">The build's work folder, where the zip is written until it is complete.</param>
    /// <param name="viewer">What the viewer's tile overlay shows, asked for when the zip is complete; null for a page without one.</param>
    public DeepZoomZipOutput(DziPaths paths, string workDirectory, DziGeometry geometry, ITileCodec codec, EncodeSettings encode,
        Func<ViewerContent>? viewer = null)
    {
        _viewer = viewer;
        _paths = paths;
        _workDirectory = workDirectory;
        _geometry = geometry;
        _codec = codec;
        _encode = encode;
        TileFormat format = encode.Format;
        Format = format;
        ZipFile = paths.Name + ".zip";
        _suffix = "." + format.DziName();
        _tilePrefix = DziPaths.FilesFolderName(Path.GetFileNameWithoutExtension(paths.DziFile)) + "/";
        _levelStart = new long[geometry.LevelCount + 1];
        for (int level = 0; level < geometry.LevelCount; level++)
        {
            var (columns, rows) = geometry.TileCount(level);
            _levelStart[level + 1] = _levelStart[level] + ((long)columns * rows);
        }
    }

    public TileFormat Format { get; }

    /// <summary>NAME.zip, the complete output.</summary>
    public string ZipFile { get; }

    /// <summary>The zip while it is written: in the work folder, renamed to <see cref="ZipFile"/> when complete.</summary>
    public string PartialFile => Path.Combine(_workDirectory, Path.GetFileName(ZipFile) + ".partial");

    private string SlotFile => Path.Combine(_workDirectory, Path.GetFileName(ZipFile) + ".slots");

    public string Location => ZipFile;

    public string CompleteFile => ZipFile;

    public bool IsComplete => File.Exists(ZipFile);

    public bool AnyExists => IsComplete || File.Exists(PartialFile) || File.Exists(_paths.HtmlFile);

    /// <summary>The viewer's overlay beside the zip; the zip itself is written in the build's work folder, which is the build's.</summary>
    public IReadOnlyList<string> Folders => [new ViewerPaths(_paths.DziFile).OverlayDirectory];

    public IReadOnlyList<string> Files => [ZipFile, _paths.HtmlFile, new ViewerPaths(_paths.DziFile).MetadataFile];

    public bool KeepsTilesAcrossRuns => true;

    public bool AllowsShards => false;

    public bool OnlyCompletionLeft => false;

    public int LevelsOf(DziGeometry geometry) => geometry.LevelCount;

    public void RemoveIntermediates()
    {
    }

    /// <summary>Entries in the zip so far (tiles of this and earlier runs).</summary>
    public long TileCount { get; private set; }

    private long SlotCount => _levelStart[^1];

    /// <summary>Opens the zip being written, continuing after the last whole entry an earlier run left.</summary>
    public void Open(int levelCount)
    {
        Close();
        try
        {
            OutputFolder.Create(_workDirectory);
            _zip = File.OpenHandle(PartialFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
            _slots = File.OpenHandle(SlotFile, FileMode.Create, FileAccess.ReadWrite, FileShare.Read);
            RandomAccess.SetLength(_slots, SlotCount * SlotBytes);
            _present = new ulong[(SlotCount + 63) / 64];
            _time = ZipTime.From(DateTime.Now);
            _end = Recover();
            RandomAccess.SetLength(_zip, _end);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Close();
            throw new TesseraException($"Cannot write \"{PartialFile}\": {e.Message}", e);
        }
    }

    /// <summary>Encodes the tile and appends it, unless an earlier run's entry for it is already in the zip.</summary>
    public void Write(int level, int column, int row, PixelBuffer source, PixelRect tile)
    {
        if (IsPresent(SlotOf(level, column, row)))
        {
            return;
        }

        using IEncodedImage encoded = _codec.Encode(source, tile, _encode);
        Write(level, column, row, encoded.Bytes);
    }

    /// <summary>Appends one encoded tile, unless it is already in the zip.</summary>
    public void Write(int level, int column, int row, ReadOnlySpan<byte> encoded)
    {
        long slot = SlotOf(level, column, row);
        if (IsPresent(slot))
        {
            return;
        }

        byte[] name = Encoding.ASCII.GetBytes(TileName(level, column, row));
        uint crc = Crc32.HashToUInt32(encoded);
        lock (_gate)
        {
            if (!IsPresent(slot))
            {
                long offset = Append(name, encoded, crc);
                Record(slot, offset, encoded.Length, crc);
            }
        }
    }

    /// <summary>
    /// Writes the viewer's files beside the zip (overlay, sidecar, page), then appends NAME.dzi, the central directory in
    /// pyramid order and the end records, and renames the zip into place.
    /// </summary>
    public void Complete(DziGeometry geometry)
    {
        ViewerFiles.Write(_paths, geometry, Format, zipped: true, _viewer?.Invoke());
        SafeFileHandle zip = _zip ?? throw new InvalidOperationException("The zip is not open.");
        try
        {
            byte[] descriptor = DziDescriptor.ToBytes(geometry, Format);
            byte[] name = Encoding.ASCII.GetBytes(Path.GetFileName(_paths.DziFile));
            uint crc = Crc32.HashToUInt32(descriptor);
            long descriptorOffset = Append(name, descriptor, crc);
            long directoryStart = _end;
            using (var directory = new AppendBuffer(zip, directoryStart, ChunkBytes))
            {
                WriteTileRecords(directory);
                directory.Add(ZipRecords.CentralLength(name.Length, descriptorOffset),
                    span => ZipRecords.WriteCentral(span, name, crc, descriptor.Length, descriptorOffset, _time));
                long directorySize = directory.Position - directoryStart;
                directory.Add(ZipRecords.MaxEndBytes, span => ZipRecords.WriteEnd(span, TileCount + 1, directoryStart, directorySize));
            }

            RandomAccess.FlushToDisk(zip);
            Close();
            File.Move(PartialFile, ZipFile, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TesseraException($"Cannot write \"{ZipFile}\": {e.Message}", e);
        }
    }

    /// <summary>Removes the zip (complete or not) and its viewer page; the work folder is the build's.</summary>
    public void Delete()
    {
        Close();
        File.Delete(ZipFile);
        File.Delete(PartialFile);
        File.Delete(SlotFile);
        ViewerFiles.Delete(_paths);
    }

    public void Dispose() => Close();

    private void Close()
    {
        _zip?.Dispose();
        _slots?.Dispose();
        _zip = null;
        _slots = null;
    }

    private string TileName(int level, int column, int row) =>
        string.Create(CultureInfo.InvariantCulture, $"{_tilePrefix}{level}/{column}_{row}{_suffix}");

    private long SlotOf(int level, int column, int row)
    {
        var (columns, rows) = _geometry.TileCount(level);
        if ((uint)column >= (uint)columns || (uint)row >= (uint)rows)
        {
            throw new ArgumentOutOfRangeException(nameof(column), $"Tile {column}_{row} is not on level {level} ({columns}×{rows} tiles).");
        }

        return _levelStart[level] + ((long)row * columns) + column;
    }

    private bool IsPresent(long slot) => (Volatile.Read(ref _present[slot >> 6]) & (1UL << (int)(slot & 63))) != 0;

    /// <summary>Writes one entry, header and data in one write, at the end; returns where its header starts. Callers hold the gate, or are alone.</summary>
    private long Append(ReadOnlySpan<byte> name, ReadOnlySpan<byte> data, uint crc)
    {
        int length = ZipRecords.LocalSize + name.Length + data.Length;
        byte[] entry = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            int header = ZipRecords.WriteLocal(entry, name, crc, data.Length, _time);
            data.CopyTo(entry.AsSpan(header));
            long offset = _end;
            RandomAccess.Write(_zip!, entry.AsSpan(0, length), offset);
            _end += length;
            return offset;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TesseraException($"Cannot write \"{PartialFile}\": {e.Message}", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(entry);
        }
    }

    /// <summary>Keeps where a tile's entry is (its slot) and marks it present.</summary>
    private void Record(long slot, long offset, int size, uint crc)
    {
        Span<byte> record = stackalloc byte[SlotBytes];
        BinaryPrimitives.WriteInt64LittleEndian(record, offset);
        BinaryPrimitives.WriteInt32LittleEndian(record[8..], size);
        BinaryPrimitives.WriteUInt32LittleEndian(record[12..], crc);
        RandomAccess.Write(_slots!, record, slot * SlotBytes);
        Volatile.Write(ref _present[slot >> 6], _present[slot >> 6] | (1UL << (int)(slot & 63)));
        TileCount++;
    }

    /// <summary>The central records of every tile present, level by level, row by row, reading the slots in order.</summary>
    private void WriteTileRecords(AppendBuffer directory)
    {
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            const int perChunk = ChunkBytes / SlotBytes;
            long slot = 0, loaded = -1;
            for (int level = 0; level < _geometry.LevelCount; level++)
            {
                var (columns, rows) = _geometry.TileCount(level);
                for (int row = 0; row < rows; row++)
                {
                    for (int column = 0; column < columns; column++, slot++)
                    {
                        if (!IsPresent(slot))
                        {
                            continue;
                        }

                        long inChunk = slot % perChunk;
                        if (slot / perChunk != loaded)
                        {
                            loaded = slot / perChunk;
                            LoadChunk(chunk, slot - inChunk);
                        }

                        ReadOnlySpan<byte> record = chunk.AsSpan((int)inChunk * SlotBytes, SlotBytes);
                        long offset = BinaryPrimitives.ReadInt64LittleEndian(record);
                        int size = BinaryPrimitives.ReadInt32LittleEndian(record[8..]);
                        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(record[12..]);
                        byte[] name = Encoding.ASCII.GetBytes(TileName(level, column, row));
                        directory.Add(ZipRecords.CentralLength(name.Length, offset), span => ZipRecords.WriteCentral(span, name, crc, size, offset, _time));
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private void LoadChunk(byte[] chunk, long firstSlot)
    {
        long bytes = Math.Min(ChunkBytes, (SlotCount - firstSlot) * SlotBytes);
        RandomAccess.Read(_slots!, chunk.AsSpan(0, (int)bytes), firstSlot * SlotBytes);
    }

    /// <summary>
    /// Reads back the entries an earlier run wrote, from the first local header on, and returns
    /// where the last whole tile entry ends: the next is written there. What follows — an entry
    /// cut short, the .dzi or central directory of a commit that was stopped — is dropped.
    /// </summary>
    private long Recover()
    {
        long length = RandomAccess.GetLength(_zip!);
        byte[] header = new byte[ZipRecords.LocalSize + MaxNameBytes];
        long at = 0, last = -1;
        while (at < length)
        {
            int read = RandomAccess.Read(_zip!, header, at);
            if (ZipRecords.ReadLocal(header.AsSpan(0, read)) is not { } local || local.ExtraLength != 0 || local.NameLength > MaxNameBytes
                || read < ZipRecords.LocalSize + local.NameLength)
            {
                break;
            }

            long next = at + ZipRecords.LocalSize + local.NameLength + local.Size;
            string name = Encoding.ASCII.GetString(header, ZipRecords.LocalSize, local.NameLength);
            if (next > length || TileSlot(name) is not { } slot || IsPresent(slot))
            {
                break;
            }

            if (at == 0)
            {
                _time = new ZipTime(BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(10)), BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(12)));
            }

            Record(slot, at, (int)local.Size, local.Crc);
            last = at;
            at = next;
        }

        // Writes are appended one at a time, so only the last whole-looking entry can hold a write cut short: its data is checked.
        if (last >= 0 && !LastEntryIsWhole(last, at))
        {
            Forget(last);
            at = last;
        }

        return at;
    }

    private bool LastEntryIsWhole(long start, long end)
    {
        byte[] header = new byte[ZipRecords.LocalSize];
        RandomAccess.Read(_zip!, header, start);
        var local = ZipRecords.ReadLocal(header)!.Value;
        long dataStart = start + ZipRecords.LocalSize + local.NameLength;
        byte[] data = ArrayPool<byte>.Shared.Rent((int)(end - dataStart));
        try
        {
            int read = RandomAccess.Read(_zip!, data.AsSpan(0, (int)(end - dataStart)), dataStart);
            return read == end - dataStart && Crc32.HashToUInt32(data.AsSpan(0, read)) == local.Crc;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(data);
        }
    }

    /// <summary>Unmarks the tile whose entry starts at <paramref name="start"/> (the last one recovered).</summary>
    private void Forget(long start)
    {
        byte[] header = new byte[ZipRecords.LocalSize + MaxNameBytes];
        int read = RandomAccess.Read(_zip!, header, start);
        var local = ZipRecords.ReadLocal(header.AsSpan(0, read))!.Value;
        long slot = TileSlot(Encoding.ASCII.GetString(header, ZipRecords.LocalSize, local.NameLength))!.Value;
        _present[slot >> 6] &= ~(1UL << (int)(slot & 63));
        TileCount--;
    }

    /// <summary>The slot of a tile entry's name, exactly as <see cref="TileName"/> writes it; null for any other name.</summary>
    private long? TileSlot(string name)
    {
        if (!name.StartsWith(_tilePrefix, StringComparison.Ordinal) || !name.EndsWith(_suffix, StringComparison.Ordinal))
        {
            return null;
        }

        string[] parts = name[_tilePrefix.Length..^_suffix.Length].Split('/', '_');
        if (parts.Length != 3 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int level)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int column)
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int row) || level >= _geometry.LevelCount)
        {
            return null;
        }

        var (columns, rows) = _geometry.TileCount(level);
        return column < columns && row < rows && TileName(level, column, row) == name ? SlotOf(level, column, row) : null;
    }
}
