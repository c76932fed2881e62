using System.Buffers.Binary;
using System.Text;

namespace Tessera.Outputs.Tiff;

/// <summary>
/// One BigTIFF image file directory: entries of 20 bytes (tag, type, count, value or offset),
/// sorted by tag. Values of up to 8 bytes sit in the entry; longer ones are written before the
/// directory, word-aligned, and the entry points at them.
/// </summary>
internal sealed class IfdBuilder
{
    public const ushort Short = 3, Long = 4, Ascii = 2, Long8 = 16, Ifd8 = 18;

    private readonly SortedDictionary<ushort, (ushort Type, long Count, byte[] Value)> _entries = [];

    public IfdBuilder Add(ushort tag, ushort type, long count, byte[] value)
    {
        _entries[tag] = (type, count, value);
        return this;
    }

    public IfdBuilder Shorts(ushort tag, params ushort[] values)
    {
        var bytes = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), values[i]);
        }

        return Add(tag, Short, values.Length, bytes);
    }

    public IfdBuilder Long32(ushort tag, uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return Add(tag, Long, 1, bytes);
    }

    public IfdBuilder Longs32(ushort tag, ReadOnlySpan<uint> values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return Add(tag, Long, values.Length, bytes);
    }

    public IfdBuilder Longs64(ushort tag, ushort type, ReadOnlySpan<long> values)
    {
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
        }

        return Add(tag, type, values.Length, bytes);
    }

    /// <summary>An ASCII tag; the text is stored as UTF-8 with its NUL (OME-XML readers decode it so).</summary>
    public IfdBuilder Text(ushort tag, string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text + "\0");
        return Add(tag, Ascii, bytes.Length, bytes);
    }

    /// <summary>Writes the out-of-line values, then the directory, at the end of <paramref name="file"/>; returns where the directory starts.</summary>
    public long WriteTo(Stream file)
    {
        var offsets = new Dictionary<ushort, long>();
        foreach (var (tag, (_, _, value)) in _entries)
        {
            if (value.Length > 8)
            {
                Align(file);
                offsets[tag] = file.Position;
                file.Write(value);
            }
        }

        Align(file);
        long start = file.Position;
        Span<byte> entry = stackalloc byte[20];
        BinaryPrimitives.WriteInt64LittleEndian(entry, _entries.Count);
        file.Write(entry[..8]);
        foreach (var (tag, (type, count, value)) in _entries)
        {
            entry.Clear();
            BinaryPrimitives.WriteUInt16LittleEndian(entry, tag);
            BinaryPrimitives.WriteUInt16LittleEndian(entry[2..], type);
            BinaryPrimitives.WriteInt64LittleEndian(entry[4..], count);
            if (offsets.TryGetValue(tag, out long at))
            {
                BinaryPrimitives.WriteInt64LittleEndian(entry[12..], at);
            }
            else
            {
                value.CopyTo(entry[12..]);
            }

            file.Write(entry);
        }

        entry.Clear();
        file.Write(entry[..8]); // no next directory: levels are SubIFDs of the first
        return start;
    }

    private static void Align(Stream file)
    {
        if ((file.Position & 1) != 0)
        {
            file.WriteByte(0);
        }
    }
}
