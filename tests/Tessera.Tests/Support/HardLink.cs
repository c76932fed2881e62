using System.Runtime.InteropServices;

namespace Tessera.Tests.Support;

/// <summary>Hard links, to make many names for one file cheaply.</summary>
public static partial class HardLink
{
    public static void Create(string existing, string link)
    {
        if (Link(existing, link) != 0)
        {
            throw new IOException($"link {existing} -> {link} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string link);
}
