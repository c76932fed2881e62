using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Tessera.Outputs;

/// <summary>
/// A zip whose entries are all stored (not compressed), read from its central directory: the kind
/// libvips and <see cref="DeepZoomZipOutput"/> write. Nothing is unpacked and nothing written; an entry is read
/// straight from its place in the file, by any number of threads at once. Opening refuses what such a
/// zip cannot hold — compressed or encrypted entries, two entries of one name, absolute names or names
/// that step up (<c>..</c>), local headers that disagree with the central directory, data beyond the
/// file — so that no reader inflates, allocates or writes what an entry merely claims.
/// </summary>
public sealed class StoredZip : IDisposable
{
    private const uint EndSignature = 0x06054b50;
    private const uint Zip64EndSignature = 0x06064b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const uint CentralSignature = 0x02014b50;
    private const uint LocalSignature = 0x04034b50;
    private const int EndSize = 22;
    private const int Zip64LocatorSize = 20;
    private const int Zip64EndSize = 56;
    private const int CentralSize = 46;
    private const int LocalSize = 30;
    private const int MaxCommentSize = ushort.MaxValue;
    private const ushort FlagEncrypted = 0x0001;
    private const ushort FlagDataDescriptor = 0x0008;
    private const ushort FlagUtf8 = 0x0800;

    /// <summary>The central directory is read this much at a time.</summary>
    private const int ChunkSize = 1 << 20;

    private readonly SafeFileHandle _file;
    private readonly Dictionary<string, StoredZipEntry> _entries;

    private StoredZip(string path, SafeFileHandle file, Dictionary<string, StoredZipEntry> entries)
    {
        Path = path;
        _file = file;
        _entries = entries;
    }

    /// <summary>The zip file, as given to <see cref="Open"/>.</summary>
    public string Path { get; }

    /// <summary>Every entry, by its full name.</summary>
    public IReadOnlyDictionary<string, StoredZipEntry> Entries => _entries;

    /// <exception cref="TesseraException">The file cannot be read, is not a zip, or has an entry this reader refuses; the message names the file and the entry.</exception>
    public static StoredZip Open(string path)
    {
        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TesseraException($"Cannot read \"{path}\": {e.Message}", e);
        }

        try
        {
            return new StoredZip(path, file, ReadEntries(path, file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            file.Dispose();
            throw new TesseraException($"Cannot read \"{path}\": {e.Message}", e);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads the whole of <paramref name="entry"/> into <paramref name="into"/>, which is exactly as long.</summary>
    /// <exception cref="TesseraException">The file is shorter than when it was opened.</exception>
    public void Read(StoredZipEntry entry, Span<byte> into)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(into.Length, entry.Length, nameof(into));
        try
        {
            if (FileReads.ReadAtMost(_file, into, entry.DataOffset) < into.Length)
            {
                throw new TesseraException($"\"{Path}\": entry \"{entry.Name}\" ends beyond the file (was it cut short since it was opened?).");
            }
        }
        catch (IOException e)
        {
            throw new TesseraException($"Cannot read \"{Path}\": {e.Message}", e);
        }
    }

    public void Dispose() => _file.Dispose();

    private static Dictionary<string, StoredZipEntry> ReadEntries(string path, SafeFileHandle file)
    {
        long length = RandomAccess.GetLength(file);
        (long count, long offset, long size, long end) = FindCentralDirectory(path, file, length);
        if (offset < 0 || size < 0 || offset > end || size > end - offset)
        {
            throw NotAZip(path, "its central directory lies outside the file");
        }

        if (count > size / CentralSize)
        {
            throw NotAZip(path, "its central directory is shorter than its entry count");
        }

        var entries = new Dictionary<string, StoredZipEntry>((int)Math.Min(count, 1 << 20), StringComparer.Ordinal);
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            long chunkStart = offset;
            int chunkLength = Fill(file, chunk, chunkStart, offset + size);
            long position = offset;
            for (long i = 0; i < count; i++)
            {
                // A record is at most 46 + 3 × 65,535 bytes, less than a chunk: refill from its start when it straddles the end.
                int at = (int)(position - chunkStart);
                if (chunkLength - at < CentralSize || chunkLength - at < CentralSize + VariableLength(chunk.AsSpan(at)))
                {
                    chunkStart = position;
                    chunkLength = Fill(file, chunk, chunkStart, offset + size);
                    at = 0;
                    if (chunkLength < CentralSize || chunkLength < CentralSize + VariableLength(chunk))
                    {
                        throw NotAZip(path, "its central directory ends in the middle of an entry");
                    }
                }

                ReadOnlySpan<byte> record = chunk.AsSpan(at, CentralSize + VariableLength(chunk.AsSpan(at)));
                StoredZipEntry entry = ReadEntry(path, file, record, offset);
                if (!entries.TryAdd(entry.Name, entry))
                {
                    throw BadEntry(path, entry.Name, "appears twice");
                }

                position += record.Length;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return entries;
    }

    /// <summary>Reads as much of [<paramref name="start"/>, <paramref name="end"/>) as fits in <paramref name="chunk"/>.</summary>
    private static int Fill(SafeFileHandle file, byte[] chunk, long start, long end) =>
        FileReads.ReadAtMost(file, chunk.AsSpan(0, (int)Math.Min(chunk.Length, end - start)), start);

    /// <summary>The name, extra field and comment lengths of a central record that starts <paramref name="record"/>; 0 when its fixed part is not all there.</summary>
    private static int VariableLength(ReadOnlySpan<byte> record) => record.Length < CentralSize ? 0
        : BinaryPrimitives.ReadUInt16LittleEndian(record[28..]) + BinaryPrimitives.ReadUInt16LittleEndian(record[30..]) + BinaryPrimitives.ReadUInt16LittleEndian(record[32..]);

    /// <summary>The entry count, offset and size of the central directory, and where it must end (where the end records start).</summary>
    private static (long Count, long Offset, long Size, long End) FindCentralDirectory(string path, SafeFileHandle file, long length)
    {
        int tail = (int)Math.Min(length, EndSize + MaxCommentSize + Zip64LocatorSize);
        byte[] buffer = new byte[tail];
        if (FileReads.ReadAtMost(file, buffer, length - tail) < tail)
        {
            throw NotAZip(path, "it shrank while it was read");
        }

        // The end record is the last signature whose comment runs exactly to the end of the file.
        for (int at = tail - EndSize; at >= 0; at--)
        {
            ReadOnlySpan<byte> end = buffer.AsSpan(at);
            if (BinaryPrimitives.ReadUInt32LittleEndian(end) != EndSignature || at + EndSize + BinaryPrimitives.ReadUInt16LittleEndian(end[20..]) != tail)
            {
                continue;
            }

            long endStart = length - tail + at;
            if (BinaryPrimitives.ReadUInt16LittleEndian(end[4..]) != 0 || BinaryPrimitives.ReadUInt16LittleEndian(end[6..]) != 0)
            {
                throw NotAZip(path, "it is split over several disks");
            }

            if (at >= Zip64LocatorSize && BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(at - Zip64LocatorSize)) == Zip64LocatorSignature)
            {
                return FindZip64CentralDirectory(path, file, buffer.AsSpan(at - Zip64LocatorSize, Zip64LocatorSize), endStart - Zip64LocatorSize);
            }

            return (BinaryPrimitives.ReadUInt16LittleEndian(end[10..]), BinaryPrimitives.ReadUInt32LittleEndian(end[16..]),
                BinaryPrimitives.ReadUInt32LittleEndian(end[12..]), endStart);
        }

        throw NotAZip(path, "it has no end of central directory record");
    }

    private static (long Count, long Offset, long Size, long End) FindZip64CentralDirectory(string path, SafeFileHandle file, ReadOnlySpan<byte> locator, long locatorStart)
    {
        long recordStart = checked((long)BinaryPrimitives.ReadUInt64LittleEndian(locator[8..]));
        Span<byte> record = stackalloc byte[Zip64EndSize];
        if (recordStart < 0 || recordStart > locatorStart - Zip64EndSize || FileReads.ReadAtMost(file, record, recordStart) < Zip64EndSize
            || BinaryPrimitives.ReadUInt32LittleEndian(record) != Zip64EndSignature)
        {
            throw NotAZip(path, "its ZIP64 end record is missing or misplaced");
        }

        ulong count = BinaryPrimitives.ReadUInt64LittleEndian(record[32..]);
        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(record[40..]);
        ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(record[48..]);
        if (count > long.MaxValue || size > long.MaxValue || offset > long.MaxValue)
        {
            throw NotAZip(path, "its ZIP64 end record is corrupt");
        }

        return ((long)count, (long)offset, (long)size, recordStart);
    }

    /// <summary>One central directory record, checked against its local header.</summary>
    private static StoredZipEntry ReadEntry(string path, SafeFileHandle file, ReadOnlySpan<byte> record, long centralStart)
    {
        if (BinaryPrimitives.ReadUInt32LittleEndian(record) != CentralSignature)
        {
            throw NotAZip(path, "its central directory is corrupt");
        }

        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(record[8..]);
        ushort method = BinaryPrimitives.ReadUInt16LittleEndian(record[10..]);
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(record[16..]);
        long compressed = BinaryPrimitives.ReadUInt32LittleEndian(record[20..]);
        long uncompressed = BinaryPrimitives.ReadUInt32LittleEndian(record[24..]);
        int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(record[28..]);
        int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(record[30..]);
        long localStart = BinaryPrimitives.ReadUInt32LittleEndian(record[42..]);
        ReadOnlySpan<byte> rawName = record.Slice(CentralSize, nameLength);
        string name = ((flags & FlagUtf8) != 0 ? Encoding.UTF8 : Encoding.Latin1).GetString(rawName);
        ReadZip64Sizes(record.Slice(CentralSize + nameLength, extraLength), ref uncompressed, ref compressed, ref localStart);

        if (NameProblem(name) is { } problem)
        {
            throw BadEntry(path, name, problem);
        }

        if ((flags & FlagEncrypted) != 0)
        {
            throw BadEntry(path, name, "is encrypted");
        }

        if (method != 0)
        {
            throw BadEntry(path, name, $"is compressed ({MethodName(method)}); only stored entries are read");
        }

        if (compressed != uncompressed)
        {
            throw BadEntry(path, name, $"is stored but its sizes disagree ({compressed:N0} and {uncompressed:N0} bytes)");
        }

        long dataStart = CheckLocalHeader(path, file, name, rawName, flags, uncompressed, localStart, centralStart);
        var modified = DosTime(BinaryPrimitives.ReadUInt16LittleEndian(record[12..]), BinaryPrimitives.ReadUInt16LittleEndian(record[14..]));
        return new StoredZipEntry(name, dataStart, uncompressed, crc, modified);
    }

    /// <summary>Where the entry's data starts, once its local header is found to agree with the central directory.</summary>
    private static long CheckLocalHeader(string path, SafeFileHandle file, string name, ReadOnlySpan<byte> rawName, ushort flags, long size, long localStart, long centralStart)
    {
        Span<byte> local = stackalloc byte[LocalSize];
        if (localStart > centralStart - LocalSize || FileReads.ReadAtMost(file, local, localStart) < LocalSize
            || BinaryPrimitives.ReadUInt32LittleEndian(local) != LocalSignature)
        {
            throw BadEntry(path, name, "has no local header where the central directory says");
        }

        int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(local[26..]);
        int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(local[28..]);
        byte[] variable = new byte[nameLength + extraLength];
        if (FileReads.ReadAtMost(file, variable, localStart + LocalSize) < variable.Length || !variable.AsSpan(0, nameLength).SequenceEqual(rawName))
        {
            throw BadEntry(path, name, "has a local header with another name");
        }

        if (BinaryPrimitives.ReadUInt16LittleEndian(local[8..]) != 0)
        {
            throw BadEntry(path, name, "is compressed in its local header");
        }

        // With a data descriptor (bit 3) the local header may leave the sizes out; the central directory's are the ones that count.
        if ((flags & FlagDataDescriptor) == 0)
        {
            long compressed = BinaryPrimitives.ReadUInt32LittleEndian(local[18..]);
            long uncompressed = BinaryPrimitives.ReadUInt32LittleEndian(local[22..]);
            long ignored = 0;
            ReadZip64Sizes(variable.AsSpan(nameLength), ref uncompressed, ref compressed, ref ignored);
            if (compressed != size || uncompressed != size)
            {
                throw BadEntry(path, name, $"has a local header whose size ({uncompressed:N0} bytes) disagrees with the central directory's ({size:N0} bytes)");
            }
        }

        long dataStart = localStart + LocalSize + nameLength + extraLength;
        if (size > centralStart - dataStart)
        {
            throw BadEntry(path, name, $"claims {size:N0} bytes, more than the zip holds before its central directory");
        }

        return dataStart;
    }

    /// <summary>Replaces the 32-bit values that say "see the ZIP64 extra field" (all ones) by the 64-bit ones, in the order the format gives them.</summary>
    private static void ReadZip64Sizes(ReadOnlySpan<byte> extra, ref long uncompressed, ref long compressed, ref long localStart)
    {
        while (extra.Length >= 4)
        {
            ushort id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
            int size = Math.Min(BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]), extra.Length - 4);
            ReadOnlySpan<byte> data = extra.Slice(4, size);
            if (id == 0x0001)
            {
                Take(ref data, ref uncompressed);
                Take(ref data, ref compressed);
                Take(ref data, ref localStart);
                return;
            }

            extra = extra[(4 + size)..];
        }

        static void Take(ref ReadOnlySpan<byte> data, ref long value)
        {
            if (value == uint.MaxValue && data.Length >= 8)
            {
                ulong wide = BinaryPrimitives.ReadUInt64LittleEndian(data);
                value = wide > long.MaxValue ? -1 : (long)wide;
                data = data[8..];
            }
        }
    }

    /// <summary>Why a name is unsafe to read as a relative path (null when it is not): unpackers would put it elsewhere than where it says.</summary>
    private static string? NameProblem(string name)
    {
        if (name.Length == 0)
        {
            return "has an empty name";
        }

        if (name.StartsWith('/') || (name.Length >= 2 && name[1] == ':'))
        {
            return "has an absolute name";
        }

        if (name.Contains('\\', StringComparison.Ordinal) || name.Any(char.IsControl))
        {
            return "has a backslash or a control character in its name";
        }

        string[] segments = (name.EndsWith('/') ? name[..^1] : name).Split('/');
        if (segments.Contains(".."))
        {
            return "steps out of the zip (\"..\" in its name)";
        }

        return segments.Any(s => s is "" or ".") ? "has an empty or \".\" folder in its name" : null;
    }

    private static string MethodName(ushort method) => method switch
    {
        8 => "deflate",
        9 => "deflate64",
        12 => "bzip2",
        14 => "LZMA",
        93 => "Zstandard",
        _ => $"method {method}",
    };

    private static DateTimeOffset DosTime(ushort time, ushort date)
    {
        int year = 1980 + (date >> 9), month = (date >> 5) & 15, day = date & 31;
        int hour = time >> 11, minute = (time >> 5) & 63, second = (time & 31) * 2;
        bool valid = month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month) && hour < 24 && minute < 60 && second < 60;
        return valid ? new DateTimeOffset(new DateTime(year, month, day, hour, minute, second, DateTimeKind.Local))
            : new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
    }

    private static TesseraException NotAZip(string path, string why) => new($"\"{path}\" is not a readable zip: {why}.");

    /// <summary>Control characters in the name are shown as "?", so that the message stays one line.</summary>
    private static TesseraException BadEntry(string path, string name, string why) =>
        new($"\"{path}\": entry \"{string.Concat(name.Select(c => char.IsControl(c) ? '?' : c))}\" {why}.");
}
