using System.Runtime.CompilerServices;

namespace Tessera.Tests.Support;

/// <summary>Settings the whole test run shares, made before any test starts.</summary>
internal static class TestEnvironment
{
    /// <summary>
    /// Tessera keeps FFTW's measured plans in a cache folder under the user's home; the tests (and
    /// the <c>tessera</c> processes they start, which inherit it) share one folder of their own in the
    /// temporary folder instead.
    /// </summary>
    [ModuleInitializer]
    internal static void UseOwnCacheFolder()
    {
        if (Environment.GetEnvironmentVariable("TESSERA_CACHE_DIR") is null)
        {
            Environment.SetEnvironmentVariable("TESSERA_CACHE_DIR",
                Path.Combine(Path.GetTempPath(), "tessera-tests-cache"));
        }
    }
}
