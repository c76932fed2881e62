using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tessera.Tests.Support;

/// <summary>Image files with headers that say what a test wants them to say, and special files named like tiles.</summary>
public static partial class TestImages
{
    /// <summary>Rewrites the size in a JPEG's SOF segment, leaving everything else (its data) as it was.</summary>
    public static void LieAboutJpegSize(string path, int width, int height)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int at = 2;
        while (bytes[at + 1] is not (0xC0 or 0xC1 or 0xC2))
        {
            at += 2 + BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(at + 2));
        }

        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at + 5), (ushort)height);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at + 7), (ushort)width);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>
    /// A well-formed PNG (8-bit grey unless <paramref name="bitDepth"/> and <paramref name="colourType"/>
    /// say otherwise: 2 is RGB) whose IHDR says <paramref name="width"/>×<paramref name="height"/> but
    /// whose data holds only a few rows.
    /// </summary>
    public static void WritePngHeader(string path, uint width, uint height, byte bitDepth = 8, byte colourType = 0)
    {
        using var data = new MemoryStream();
        using (var zlib = new ZLibStream(data, CompressionLevel.Fastest, leaveOpen: true))
        {
            zlib.Write(new byte[4 * (1 + 100)]);
        }

        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = bitDepth;
        ihdr[9] = colourType; // no interlace
        using var file = File.Create(path);
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(file, "IHDR", ihdr);
        WriteChunk(file, "IDAT", data.ToArray());
        WriteChunk(file, "IEND", []);
    }

    /// <summary>A named pipe (FIFO): opening it for reading blocks until something writes to it.</summary>
    public static void MakeFifo(string path)
    {
        if (MkFifo(path, Convert.ToInt32("644", 8)) != 0)
        {
            throw new IOException($"mkfifo {path} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>
    /// Opens <paramref name="fifo"/> for writing as soon as something has it open for reading (a
    /// non-blocking open fails until then), so that a test knows its reader has got that far.
    /// </summary>
    public static SafeFileHandle OpenWhenRead(string fifo, TimeSpan timeout)
    {
        const int writeOnly = 1, nonBlocking = 0x800, noReader = 6;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            int fd = Open(fifo, writeOnly | nonBlocking);
            if (fd >= 0)
            {
                return new SafeFileHandle(fd, ownsHandle: true);
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != noReader || clock.Elapsed > timeout)
            {
                throw new IOException($"no reader opened {fifo} within {timeout} (errno {errno})");
            }

            Thread.Sleep(20);
        }
    }

    private static void WriteChunk(Stream file, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, (uint)data.Length);
        file.Write(word);
        byte[] typed = [.. System.Text.Encoding.ASCII.GetBytes(type), .. data];
        file.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typed));
        file.Write(word);
    }

    /// <summary>The CRC-32 PNG chunks carry (ISO 3309, reflected, polynomial 0xEDB88320).</summary>
    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkFifo(string path, int mode);
}
