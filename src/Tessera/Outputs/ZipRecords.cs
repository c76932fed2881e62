using System.Buffers.Binary;

namespace Tessera.Outputs;

/// <summary>
/// The records of a zip of stored entries, as <see cref="DeepZoomZipOutput"/> writes them and
/// <see cref="StoredZip"/> reads them (PKWARE APPNOTE 4.3): local headers without extra fields
/// (no tile needs 64-bit sizes), central records with a ZIP64 offset where an entry starts
/// beyond 4 GiB, and the ZIP64 end records wherever the 16- or 32-bit fields overflow.
/// </summary>
internal static class ZipRecords
{
    public const uint LocalSignature = 0x04034b50;
    public const int LocalSize = 30;
    public const int CentralSize = 46;
    public const int Zip64OffsetExtraSize = 12;
    public const int EndSize = 22;
    public const int Zip64EndSize = 56;
    public const int Zip64LocatorSize = 20;
    public const int MaxEndBytes = Zip64EndSize + Zip64LocatorSize + EndSize;

    private const uint CentralSignature = 0x02014b50;
    private const uint EndSignature = 0x06054b50;
    private const uint Zip64EndSignature = 0x06064b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const ushort Version = 20, Zip64Version = 45;

    /// <summary>Made on Unix (so unzip keeps the mode below), by a writer of the ZIP64 version.</summary>
    private const ushort MadeBy = (3 << 8) | Zip64Version;

    /// <summary>A regular file, rw-r--r--, in the high half of the external attributes, as Unix zips record it.</summary>
    private const uint UnixFileAttributes = 0x81A4u << 16;

    /// <summary>Writes the local header of a stored entry into <paramref name="into"/> (<see cref="LocalSize"/> + name bytes); returns its length.</summary>
    public static int WriteLocal(Span<byte> into, ReadOnlySpan<byte> name, uint crc, int size, ZipTime time)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(into, LocalSignature);
        BinaryPrimitives.WriteUInt16LittleEndian(into[4..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(into[6..], 0); // flags
        BinaryPrimitives.WriteUInt16LittleEndian(into[8..], 0); // stored
        BinaryPrimitives.WriteUInt16LittleEndian(into[10..], time.Time);
        BinaryPrimitives.WriteUInt16LittleEndian(into[12..], time.Date);
        BinaryPrimitives.WriteUInt32LittleEndian(into[14..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(into[18..], (uint)size);
        BinaryPrimitives.WriteUInt32LittleEndian(into[22..], (uint)size);
        BinaryPrimitives.WriteUInt16LittleEndian(into[26..], (ushort)name.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(into[28..], 0); // no extra field
        name.CopyTo(into[LocalSize..]);
        return LocalSize + name.Length;
    }

    /// <summary>What a local header at the start of <paramref name="header"/> says: name length, extra length, size; null where it is not a local header of a stored entry.</summary>
    public static (int NameLength, int ExtraLength, long Size, uint Crc)? ReadLocal(ReadOnlySpan<byte> header)
    {
        if (header.Length < LocalSize || BinaryPrimitives.ReadUInt32LittleEndian(header) != LocalSignature
            || BinaryPrimitives.ReadUInt16LittleEndian(header[8..]) != 0)
        {
            return null;
        }

        uint compressed = BinaryPrimitives.ReadUInt32LittleEndian(header[18..]);
        return compressed != BinaryPrimitives.ReadUInt32LittleEndian(header[22..]) ? null
            : (BinaryPrimitives.ReadUInt16LittleEndian(header[26..]), BinaryPrimitives.ReadUInt16LittleEndian(header[28..]), compressed,
               BinaryPrimitives.ReadUInt32LittleEndian(header[14..]));
    }

    /// <summary>The central record's length for an entry of this name at this offset.</summary>
    public static int CentralLength(int nameLength, long offset) => CentralSize + nameLength + (offset >= uint.MaxValue ? Zip64OffsetExtraSize : 0);

    /// <summary>Writes the central directory record of a stored entry; returns its length.</summary>
    public static int WriteCentral(Span<byte> into, ReadOnlySpan<byte> name, uint crc, int size, long offset, ZipTime time)
    {
        bool wide = offset >= uint.MaxValue;
        BinaryPrimitives.WriteUInt32LittleEndian(into, CentralSignature);
        BinaryPrimitives.WriteUInt16LittleEndian(into[4..], MadeBy);
        BinaryPrimitives.WriteUInt16LittleEndian(into[6..], wide ? Zip64Version : Version);
        BinaryPrimitives.WriteUInt16LittleEndian(into[8..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(into[10..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(into[12..], time.Time);
        BinaryPrimitives.WriteUInt16LittleEndian(into[14..], time.Date);
        BinaryPrimitives.WriteUInt32LittleEndian(into[16..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(into[20..], (uint)size);
        BinaryPrimitives.WriteUInt32LittleEndian(into[24..], (uint)size);
        BinaryPrimitives.WriteUInt16LittleEndian(into[28..], (ushort)name.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(into[30..], wide ? (ushort)Zip64OffsetExtraSize : (ushort)0);
        BinaryPrimitives.WriteUInt16LittleEndian(into[32..], 0); // comment
        BinaryPrimitives.WriteUInt16LittleEndian(into[34..], 0); // disk
        BinaryPrimitives.WriteUInt16LittleEndian(into[36..], 0); // internal attributes
        BinaryPrimitives.WriteUInt32LittleEndian(into[38..], UnixFileAttributes);
        BinaryPrimitives.WriteUInt32LittleEndian(into[42..], wide ? uint.MaxValue : (uint)offset);
        name.CopyTo(into[CentralSize..]);
        if (!wide)
        {
            return CentralSize + name.Length;
        }

        Span<byte> extra = into[(CentralSize + name.Length)..];
        BinaryPrimitives.WriteUInt16LittleEndian(extra, 0x0001);
        BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], 8);
        BinaryPrimitives.WriteUInt64LittleEndian(extra[4..], (ulong)offset);
        return CentralSize + name.Length + Zip64OffsetExtraSize;
    }

    /// <summary>
    /// Writes the end records for <paramref name="count"/> entries whose central directory is
    /// <paramref name="size"/> bytes at <paramref name="offset"/>; returns their length. The
    /// ZIP64 pair comes first wherever a count or an offset does not fit the classic record.
    /// </summary>
    public static int WriteEnd(Span<byte> into, long count, long offset, long size)
    {
        int at = 0;
        bool wide = count >= ushort.MaxValue || offset >= uint.MaxValue || size >= uint.MaxValue;
        if (wide)
        {
            long zip64End = offset + size;
            BinaryPrimitives.WriteUInt32LittleEndian(into, Zip64EndSignature);
            BinaryPrimitives.WriteUInt64LittleEndian(into[4..], Zip64EndSize - 12);
            BinaryPrimitives.WriteUInt16LittleEndian(into[12..], MadeBy);
            BinaryPrimitives.WriteUInt16LittleEndian(into[14..], Zip64Version);
            BinaryPrimitives.WriteUInt32LittleEndian(into[16..], 0);
            BinaryPrimitives.WriteUInt32LittleEndian(into[20..], 0);
            BinaryPrimitives.WriteUInt64LittleEndian(into[24..], (ulong)count);
            BinaryPrimitives.WriteUInt64LittleEndian(into[32..], (ulong)count);
            BinaryPrimitives.WriteUInt64LittleEndian(into[40..], (ulong)size);
            BinaryPrimitives.WriteUInt64LittleEndian(into[48..], (ulong)offset);
            Span<byte> locator = into[Zip64EndSize..];
            BinaryPrimitives.WriteUInt32LittleEndian(locator, Zip64LocatorSignature);
            BinaryPrimitives.WriteUInt32LittleEndian(locator[4..], 0);
            BinaryPrimitives.WriteUInt64LittleEndian(locator[8..], (ulong)zip64End);
            BinaryPrimitives.WriteUInt32LittleEndian(locator[16..], 1);
            at = Zip64EndSize + Zip64LocatorSize;
        }

        Span<byte> end = into[at..];
        BinaryPrimitives.WriteUInt32LittleEndian(end, EndSignature);
        BinaryPrimitives.WriteUInt16LittleEndian(end[4..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(end[6..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(end[8..], (ushort)Math.Min(count, ushort.MaxValue));
        BinaryPrimitives.WriteUInt16LittleEndian(end[10..], (ushort)Math.Min(count, ushort.MaxValue));
        BinaryPrimitives.WriteUInt32LittleEndian(end[12..], (uint)Math.Min(size, uint.MaxValue));
        BinaryPrimitives.WriteUInt32LittleEndian(end[16..], (uint)Math.Min(offset, uint.MaxValue));
        BinaryPrimitives.WriteUInt16LittleEndian(end[20..], 0);
        return at + EndSize;
    }
}
