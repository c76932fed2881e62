using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tessera;

/// <summary>
/// Opening an input for reading only if it is a regular file. A named pipe (FIFO) named like a tile
/// would block an ordinary open until something writes to it, that is for ever; a device or a
/// folder is no image either. On Linux the file is opened without blocking and its type is checked
/// on the open descriptor (statx), so a file swapped for a pipe after the scan cannot hang the read;
/// elsewhere it is opened as usual.
/// </summary>
internal static partial class InputFile
{
    private const int ReadOnly = 0, NonBlocking = 0x800, CloseOnExec = 0x80000;
    private const int CurrentDirectory = -100, EmptyPath = 0x1000, TypeMask = 0x1;
    private const int ModeOffset = 28, StatxBytes = 256;
    private const int NoEntry = 2, NotDirectory = 20, AccessDenied = 13, NotPermitted = 1;

    /// <summary>Whether this system has the calls the checks use; where not, files are opened as usual.</summary>
    private static readonly bool Checked = OperatingSystem.IsLinux() && Probe();

    /// <summary>Opens <paramref name="path"/> for reading.</summary>
    /// <exception cref="FileNotFoundException">It does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">It may not be read.</exception>
    /// <exception cref="IOException">It is not a regular file (the message says what it is), or cannot be opened.</exception>
    public static SafeFileHandle OpenRead(string path)
    {
        if (!Checked)
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }

        int fd = Open(path, ReadOnly | NonBlocking | CloseOnExec);
        if (fd < 0)
        {
            throw Failure(Marshal.GetLastPInvokeError(), path);
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (KindOf(fd, string.Empty) is { } kind)
        {
            handle.Dispose();
            throw new IOException(NotRegular(kind));
        }

        return handle;
    }

    /// <summary>
    /// Why <paramref name="path"/> (symbolic links followed) cannot be read as an image file, where it
    /// is something else than a regular file; null where it is one, does not exist, or cannot be checked.
    /// </summary>
    public static string? Problem(string path) =>
        Checked && KindOf(CurrentDirectory, path) is { } kind ? NotRegular(kind) : null;

    private static string NotRegular(string kind) => $"it is {kind}, not a regular file";

    /// <summary>What a non-regular file is, in words; null for a regular file or when statx fails.</summary>
    private static unsafe string? KindOf(int directory, string path)
    {
        byte* buffer = stackalloc byte[StatxBytes];
        if (Statx(directory, path, path.Length == 0 ? EmptyPath : 0, TypeMask, buffer) != 0)
        {
            return null;
        }

        int type = *(ushort*)(buffer + ModeOffset) & 0xF000;
        return type switch
        {
            0x8000 => null,
            0x1000 => "a named pipe (FIFO)",
            0x4000 => "a folder",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            _ => "a special file",
        };
    }

    private static Exception Failure(int errno, string path) => errno switch
    {
        NoEntry or NotDirectory => new FileNotFoundException("the file does not exist", path),
        AccessDenied or NotPermitted => new UnauthorizedAccessException("permission denied"),
        _ => new IOException($"it cannot be opened: {Marshal.GetPInvokeErrorMessage(errno)}", errno),
    };

    private static unsafe bool Probe()
    {
        try
        {
            byte* buffer = stackalloc byte[StatxBytes];
            return Statx(CurrentDirectory, "/", 0, TypeMask, buffer) == 0;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int directory, string path, int flags, int mask, byte* buffer);
}
