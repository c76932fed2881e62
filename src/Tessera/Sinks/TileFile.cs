using System.Runtime.InteropServices;

namespace Tessera.Sinks;

/// <summary>
/// Writes a small file in three system calls (open, write, close). A pyramid is millions of small
/// files; the general .NET file API adds advisory locking, size checks and seeks to each, which
/// measurably adds to the kernel's share of a build. Elsewhere than Linux the .NET API is used.
/// </summary>
internal static partial class TileFile
{
    private const int WriteOnly = 0x1, Create = 0x40, Truncate = 0x200, CloseOnExec = 0x80000;
    private const int Interrupted = 4;

    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        if (!OperatingSystem.IsLinux())
        {
            using var handle = File.OpenHandle(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            RandomAccess.Write(handle, bytes, 0);
            return;
        }

        int fd = Open(path, WriteOnly | Create | Truncate | CloseOnExec, 0b110_100_100);
        if (fd < 0)
        {
            throw Failure("open", path);
        }

        try
        {
            int done = 0;
            while (done < bytes.Length)
            {
                nint n = WriteBytes(fd, ref MemoryMarshal.GetReference(bytes[done..]), bytes.Length - done);
                if (n < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Interrupted)
                    {
                        continue;
                    }

                    throw Failure("write", path);
                }

                done += (int)n;
            }
        }
        finally
        {
            if (Close(fd) != 0 && Marshal.GetLastPInvokeError() != Interrupted)
            {
                throw Failure("close", path);
            }
        }
    }

    private static IOException Failure(string call, string path)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteBytes(int fd, ref byte buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
