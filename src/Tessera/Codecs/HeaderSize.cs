using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Tessera.Codecs;

/// <summary>
/// The image size a JPEG (its SOF segment) or PNG (its IHDR chunk) file declares, read from the
/// first bytes of the file without a decoder: a few small reads, so that it can be checked before
/// every decode at almost no cost, and before any pixel memory is taken.
/// </summary>
internal static class HeaderSize
{
    /// <summary>Bytes read at once from the start; a JPEG's SOF is almost always inside them.</summary>
    private const int HeadBytes = 4096;

    /// <summary>Markers walked before giving up on finding a JPEG's SOF.</summary>
    private const int MaxMarkers = 1000;

    /// <summary>
    /// The declared width and height; null for other formats, or for a JPEG whose markers cannot be
    /// followed to its SOF (the decoder then says what is wrong).
    /// </summary>
    /// <exception cref="TileReadException">The file cannot be read.</exception>
    public static DeclaredSize? Read(string path)
    {
        try
        {
            using SafeFileHandle handle = InputFile.OpenRead(path);
            Span<byte> head = stackalloc byte[HeadBytes];
            head = head[..FileReads.ReadAtMost(handle, head, 0)];
            if (IsPng(head))
            {
                return new DeclaredSize(BinaryPrimitives.ReadUInt32BigEndian(head[16..]), BinaryPrimitives.ReadUInt32BigEndian(head[20..]), 0, RandomAccess.GetLength(handle));
            }

            return IsJpeg(head) ? Jpeg(handle, head, RandomAccess.GetLength(handle)) : null;
        }
        catch (IOException e)
        {
            throw new TileReadException(path, e.Message, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new TileReadException(path, "permission denied", e);
        }
    }

    /// <summary>
    /// What the frame header of a JPEG held whole in memory declares; null where its markers cannot
    /// be followed to a frame header.
    /// </summary>
    public static DeclaredSize? OfJpeg(ReadOnlySpan<byte> jpeg) => IsJpeg(jpeg) ? Jpeg(null, jpeg, jpeg.Length) : null;

    private static bool IsJpeg(ReadOnlySpan<byte> head) => head.Length >= 4 && head[0] == 0xFF && head[1] == 0xD8;

    private static bool IsPng(ReadOnlySpan<byte> head) =>
        head.Length >= 24 && head[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]) &&
        head[12..16].SequenceEqual("IHDR"u8);

    /// <summary>
    /// Walks the marker segments after SOI to the first SOF: in <paramref name="head"/>, and past
    /// it in the file when there is one (<paramref name="handle"/> null: <paramref name="head"/> is the whole file).
    /// </summary>
    private static DeclaredSize? Jpeg(SafeFileHandle? handle, ReadOnlySpan<byte> head, long length)
    {
        long at = 2;
        Span<byte> segment = stackalloc byte[4 + 8 + (255 * 3)];
        for (int markers = 0; markers < MaxMarkers && at + 4 <= length; markers++)
        {
            ReadOnlySpan<byte> marker = Bytes(handle, head, at, segment[..4]);
            if (marker.Length < 4 || marker[0] != 0xFF)
            {
                return null;
            }

            byte type = marker[1];
            if (type == 0xFF)
            {
                at++; // fill byte before a marker
                continue;
            }

            if (type is 0xD8 or 0x01 || type is >= 0xD0 and <= 0xD7)
            {
                at += 2; // markers without a segment
                continue;
            }

            if (type is 0xD9 or 0xDA)
            {
                return null; // image data or its end before any SOF
            }

            int size = BinaryPrimitives.ReadUInt16BigEndian(marker[2..]);
            if (size < 2)
            {
                return null;
            }

            if (IsFrameHeader(type))
            {
                return Frame(type, Bytes(handle, head, at + 4, segment[..Math.Min(size - 2, segment.Length)]), length);
            }

            at += 2 + size;
        }

        return null;
    }

    /// <summary>SOF0–SOF15, less DHT (C4), JPG (C8) and DAC (CC), which share the range.</summary>
    private static bool IsFrameHeader(byte type) => type is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC);

    /// <summary>
    /// The size in a SOF segment (precision, height, width, components). With Huffman coding every
    /// 8×8 block of every component takes at least one bit (its DC code), so the file must hold at
    /// least blocks / 8 bytes; arithmetic coding (SOF9 and up) has no such floor.
    /// </summary>
    private static DeclaredSize? Frame(byte type, ReadOnlySpan<byte> frame, long fileLength)
    {
        if (frame.Length < 6)
        {
            return null;
        }

        int height = BinaryPrimitives.ReadUInt16BigEndian(frame[1..]), width = BinaryPrimitives.ReadUInt16BigEndian(frame[3..]);
        int components = frame[5];
        if (type >= 0xC9 || width == 0 || height == 0 || components == 0 || frame.Length < 6 + (3 * components))
        {
            return new DeclaredSize(width, height, 0, fileLength) { Components = components };
        }

        int maxH = 1, maxV = 1;
        for (int c = 0; c < components; c++)
        {
            maxH = Math.Max(maxH, frame[7 + (3 * c)] >> 4);
            maxV = Math.Max(maxV, frame[7 + (3 * c)] & 15);
        }

        long blocks = 0;
        for (int c = 0; c < components; c++)
        {
            int h = frame[7 + (3 * c)] >> 4, v = frame[7 + (3 * c)] & 15;
            long across = ((((long)width * h) + maxH - 1) / maxH + 7) / 8, down = ((((long)height * v) + maxV - 1) / maxV + 7) / 8;
            blocks += across * down;
        }

        return new DeclaredSize(width, height, blocks / 8, fileLength) { Components = components };
    }

    /// <summary><paramref name="into"/>'s length of bytes at <paramref name="offset"/>, from the head already read where it holds them.</summary>
    private static ReadOnlySpan<byte> Bytes(SafeFileHandle? handle, ReadOnlySpan<byte> head, long offset, Span<byte> into)
    {
        if (offset + into.Length <= head.Length)
        {
            return head.Slice((int)offset, into.Length);
        }

        if (handle is null)
        {
            return offset < head.Length ? head[(int)offset..] : [];
        }

        return into[..FileReads.ReadAtMost(handle, into, offset)];
    }
}
