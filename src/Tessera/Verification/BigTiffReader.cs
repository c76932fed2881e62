using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Tessera.Verification;

/// <summary>
/// Reads the directories of a little-endian BigTIFF, as Tessera writes it, and byte ranges of it,
/// checking every offset against the file's length: a file cut short says so instead of reading
/// past its end.
/// </summary>
internal sealed class BigTiffReader : IDisposable
{
    private const int HeaderBytes = 16, EntryBytes = 20, MaxEntries = 4096;
    private readonly SafeFileHandle _handle;

    private BigTiffReader(string path, SafeFileHandle handle, long length, long firstDirectory)
    {
        Path = path;
        _handle = handle;
        Length = length;
        FirstDirectory = firstDirectory;
    }

    public string Path { get; }

    public long Length { get; }

    /// <summary>The offset of the first directory, as the header gives it (0 when none was written).</summary>
    public long FirstDirectory { get; }

    /// <exception cref="TesseraException">The file cannot be read, or is not a little-endian BigTIFF.</exception>
    public static BigTiffReader Open(string path)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TesseraException($"\"{path}\" cannot be read: {e.Message}", e);
        }

        try
        {
            long length = RandomAccess.GetLength(handle);
            Span<byte> header = stackalloc byte[HeaderBytes];
            if (length < HeaderBytes || RandomAccess.Read(handle, header, 0) < HeaderBytes)
            {
                throw new TesseraException(string.Create(CultureInfo.InvariantCulture, $"\"{path}\" is {length} bytes long, too short for a TIFF header: the file is truncated."));
            }

            if (!header[..2].SequenceEqual("II"u8))
            {
                throw new TesseraException($"\"{path}\" is not a little-endian TIFF (it starts with neither II nor a BigTIFF header), as Tessera writes it.");
            }

            ushort version = BinaryPrimitives.ReadUInt16LittleEndian(header[2..]);
            if (version != 43 || BinaryPrimitives.ReadUInt16LittleEndian(header[4..]) != 8)
            {
                throw new TesseraException(version == 42
                    ? $"\"{path}\" is a classic TIFF, not the BigTIFF Tessera writes."
                    : $"\"{path}\" is not a TIFF: its header names version {version}.");
            }

            return new BigTiffReader(path, handle, length, BinaryPrimitives.ReadInt64LittleEndian(header[8..]));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Reads the directory at <paramref name="offset"/>.</summary>
    /// <exception cref="TesseraException">It, or a value it points at, lies outside the file, or it is not a directory.</exception>
    public TiffDirectory ReadDirectory(long offset)
    {
        if (offset < HeaderBytes || offset + 8 > Length)
        {
            throw new TesseraException(string.Create(CultureInfo.InvariantCulture,
                $"its directory at byte {offset:N0} lies outside the file ({Length:N0} bytes): the file is truncated"));
        }

        long count = ReadInt64(offset);
        if (count is < 1 or > MaxEntries)
        {
            throw new TesseraException(string.Create(CultureInfo.InvariantCulture, $"the directory at byte {offset:N0} claims {count} entries: it is damaged"));
        }

        long end = offset + 8 + (count * EntryBytes);
        if (end > Length)
        {
            throw new TesseraException(string.Create(CultureInfo.InvariantCulture, $"the directory at byte {offset:N0} runs past the end of the file: the file is truncated"));
        }

        var entries = new byte[count * EntryBytes];
        Read(offset + 8, entries);
        var numbers = new Dictionary<ushort, long[]>();
        var texts = new Dictionary<ushort, string>();
        for (int i = 0; i < count; i++)
        {
            ReadEntry(entries.AsSpan(i * EntryBytes, EntryBytes), numbers, texts);
        }

        return new TiffDirectory(offset, numbers, texts);
    }

    /// <summary>Reads <paramref name="into"/>'s length of bytes at <paramref name="offset"/>; the caller has checked they lie inside the file.</summary>
    public void Read(long offset, Span<byte> into)
    {
        if (RandomAccess.Read(_handle, into, offset) < into.Length)
        {
            throw new TesseraException(string.Create(CultureInfo.InvariantCulture, $"bytes {offset:N0}–{offset + into.Length:N0} could not be read: the file shrank"));
        }
    }

    public void Dispose() => _handle.Dispose();

    private long ReadInt64(long offset)
    {
        Span<byte> bytes = stackalloc byte[8];
        Read(offset, bytes);
        return BinaryPrimitives.ReadInt64LittleEndian(bytes);
    }

    private void ReadEntry(ReadOnlySpan<byte> entry, Dictionary<ushort, long[]> numbers, Dictionary<ushort, string> texts)
    {
        ushort tag = BinaryPrimitives.ReadUInt16LittleEndian(entry);
        ushort type = BinaryPrimitives.ReadUInt16LittleEndian(entry[2..]);
        long count = BinaryPrimitives.ReadInt64LittleEndian(entry[4..]);
        int size = type switch { 1 or 2 or 7 => 1, 3 => 2, 4 or 13 => 4, 16 or 18 => 8, _ => 0 };
        if (size == 0)
        {
            return; // a type Tessera never writes (rationals, signed): nothing verify reads
        }

        if (count < 0 || count > (Length / size) + 8)
        {
            throw new TesseraException(string.Create(CultureInfo.InvariantCulture, $"tag {tag} claims {count:N0} values, more than the file holds: the directory is damaged"));
        }

        long bytes = count * size;
        byte[] value;
        if (bytes <= 8)
        {
            value = entry.Slice(12, (int)bytes).ToArray();
        }
        else
        {
            long at = BinaryPrimitives.ReadInt64LittleEndian(entry[12..]);
            if (at < HeaderBytes || at + bytes > Length || bytes > int.MaxValue)
            {
                throw new TesseraException(string.Create(CultureInfo.InvariantCulture,
                    $"the values of tag {tag} (bytes {at:N0}–{at + bytes:N0}) lie outside the file ({Length:N0} bytes): the file is truncated"));
            }

            value = new byte[bytes];
            Read(at, value);
        }

        if (type == 2)
        {
            texts[tag] = Encoding.UTF8.GetString(value).TrimEnd('\0');
            return;
        }

        var values = new long[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = size switch
            {
                1 => value[i],
                2 => BinaryPrimitives.ReadUInt16LittleEndian(value.AsSpan(i * 2)),
                4 => BinaryPrimitives.ReadUInt32LittleEndian(value.AsSpan(i * 4)),
                _ => BinaryPrimitives.ReadInt64LittleEndian(value.AsSpan(i * 8)),
            };
        }

        numbers[tag] = values;
    }
}
