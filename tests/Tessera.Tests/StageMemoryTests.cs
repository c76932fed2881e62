using System.Runtime.CompilerServices;
using Tessera.Registration;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>What the collection between a registration's stages gives back.</summary>
[Collection(AloneCollection.Name)]
public sealed class StageMemoryTests
{
    [Fact]
    public void What_only_a_finalizable_object_reached_is_given_back_by_one_release()
    {
        // A pass's thread-local scratch on the calling thread: once the pass is gone, only the
        // ThreadLocal's finalizer lets its value go, so a single collection keeps the value live.
        WeakReference scratch = LeaveThreadLocalScratch();

        StageMemory.Release();

        Assert.False(scratch.IsAlive, "the thread-local value of a pass that is gone survived the collection between stages");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference LeaveThreadLocalScratch()
    {
        var local = new ThreadLocal<byte[]>(() => new byte[1 << 20]);
        return new WeakReference(local.Value);
    }
}
