using System.Buffers;

namespace Tessera.Codecs;

/// <summary>A whole input file in a pooled array; return it by disposing.</summary>
internal sealed class FileBytes : IDisposable
{
    private byte[]? _bytes;

    private FileBytes(byte[] bytes, int length)
    {
        _bytes = bytes;
        Length = length;
    }

    public byte[] Bytes => _bytes ?? throw new ObjectDisposedException(nameof(FileBytes));
    public int Length { get; }

    /// <summary>JPEG files start with the SOI marker FF D8.</summary>
    public bool IsJpeg => Length >= 2 && Bytes[0] == 0xFF && Bytes[1] == 0xD8;

    /// <summary>Whether the file ends with the EOI marker FF D9, as a JPEG that is not truncated (and has nothing after its image) does.</summary>
    public bool EndsWithJpegEnd => Length >= 4 && Bytes[Length - 2] == 0xFF && Bytes[Length - 1] == 0xD9;

    /// <exception cref="TileReadException">The file is missing, empty, unreadable or not a regular file.</exception>
    public static FileBytes Read(string path)
    {
        try
        {
            using var handle = InputFile.OpenRead(path);
            long size = RandomAccess.GetLength(handle);
            if (size == 0)
            {
                throw new TileReadException(path, "the file is empty");
            }

            if (size > int.MaxValue)
            {
                throw new TileReadException(path, $"the file is too large ({size:N0} bytes)");
            }

            int length = (int)size;
            byte[] bytes = ArrayPool<byte>.Shared.Rent(length);
            if (FileReads.ReadAtMost(handle, bytes.AsSpan(0, length), 0) < length)
            {
                ArrayPool<byte>.Shared.Return(bytes);
                throw new TileReadException(path, "the file shrank while it was read");
            }

            return new FileBytes(bytes, length);
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

    /// <summary>A pooled buffer of <paramref name="length"/> bytes for the caller to fill: an image that is not a file of its own (a zip entry).</summary>
    public static FileBytes Rent(int length) => new(ArrayPool<byte>.Shared.Rent(length), length);

    public void Dispose()
    {
        byte[]? bytes = Interlocked.Exchange(ref _bytes, null);
        if (bytes is not null)
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }
}
