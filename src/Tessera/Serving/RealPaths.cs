using System.Runtime.InteropServices;

namespace Tessera.Serving;

/// <summary>Where a path really leads, every symbolic link on the way followed (POSIX <c>realpath</c>).</summary>
internal static partial class RealPaths
{
    /// <summary>The absolute path without links or dots; null when the path does not lead to anything.</summary>
    public static string? Resolve(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return ResolveWithoutLibc(path);
        }

        nint resolved = RealPath(path, 0);
        if (resolved == 0)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Free(resolved);
        }
    }

    /// <summary>Whether <paramref name="path"/> (resolved) is <paramref name="root"/> (resolved) or inside it.</summary>
    public static bool IsInside(string path, string root) =>
        path.StartsWith(Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>Without realpath, the last component's links only: enough where links are rare and need privileges to make.</summary>
    private static string? ResolveWithoutLibc(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists && !Directory.Exists(path))
        {
            return null;
        }

        return file.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? file.FullName;
    }

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint RealPath(string path, nint resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(nint pointer);
}
