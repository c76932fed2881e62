using Microsoft.Win32.SafeHandles;

namespace Tessera;

/// <summary>Reading a stretch of a file that the kernel may hand over in pieces.</summary>
internal static class FileReads
{
    /// <summary>
    /// Reads into <paramref name="buffer"/> from <paramref name="offset"/> until it is full or the
    /// file ends; returns how many bytes were read (fewer than asked only at the end of the file).
    /// </summary>
    public static int ReadAtMost(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = RandomAccess.Read(handle, buffer[read..], offset + read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return read;
    }
}
