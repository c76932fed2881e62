using System.Runtime.InteropServices;

namespace Tessera.Bench;

/// <summary>Hard links, for grids of many names over few files (the bench's large grids take almost no disk).</summary>
internal static partial class HardLink
{
    /// <summary>Links to one file before a fresh copy takes over: ext4 allows 65,000.</summary>
    public const int PerFile = 50_000;

    /// <summary>Makes <paramref name="link"/> a second name of <paramref name="existing"/>.</summary>
    public static void Create(string existing, string link)
    {
        if (Link(existing, link) != 0)
        {
            throw new BenchException($"cannot link {link}: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string link);
}
