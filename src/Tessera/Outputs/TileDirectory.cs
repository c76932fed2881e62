using System.Runtime.InteropServices;

namespace Tessera.Outputs;

/// <summary>
/// A folder that many small files are written into, each in three system calls (openat relative to
/// the folder, write, close). A pyramid is millions of small files; the general .NET file API adds
/// advisory locking, size checks and seeks to each, and a full path walk, which measurably adds to
/// the kernel's share of a build. Elsewhere than Linux the .NET API is used.
/// </summary>
internal sealed partial class TileDirectory : IDisposable
{
    private const int ReadOnly = 0x0, WriteOnly = 0x1, Create = 0x40, Truncate = 0x200, Directory = 0x10000, CloseOnExec = 0x80000;
    private const int Interrupted = 4;
    private const int FileMode = 0b110_100_100; // rw-r--r--, less the umask

    private readonly string _path;
    private int _fd = -1;

    public TileDirectory(string path)
    {
        _path = path;
        if (OperatingSystem.IsLinux())
        {
            _fd = Open(path, ReadOnly | Directory | CloseOnExec, 0);
            if (_fd < 0)
            {
                throw Failure("open", path);
            }
        }
    }

    public string PathOf(string name) => Path.Combine(_path, name);

    public void Write(string name, ReadOnlySpan<byte> bytes)
    {
        if (_fd < 0)
        {
            using var handle = File.OpenHandle(PathOf(name), System.IO.FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            RandomAccess.Write(handle, bytes, 0);
            return;
        }

        int fd = OpenAt(_fd, name, WriteOnly | Create | Truncate | CloseOnExec, FileMode);
        if (fd < 0)
        {
            throw Failure("open", PathOf(name));
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

                    throw Failure("write", PathOf(name));
                }

                done += (int)n;
            }
        }
        finally
        {
            if (Close(fd) != 0 && Marshal.GetLastPInvokeError() != Interrupted)
            {
                throw Failure("close", PathOf(name));
            }
        }
    }

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            Close(fd);
        }
    }

    private static IOException Failure(string call, string path)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} \"{path}\" failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenAt(int directory, string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteBytes(int fd, ref byte buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
