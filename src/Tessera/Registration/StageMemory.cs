using System.Runtime;

namespace Tessera.Registration;

/// <summary>
/// Gives back, between the stages of a registration, what the stage before left behind: the pass's
/// strips and decoded tiles, the solve's matrix and multigrid levels, the gains' system.
/// </summary>
/// <remarks>
/// What a stage after the pass allocates is mostly arrays of one or more numbers per tile or link,
/// which at 10,000 tiles and up are all large objects: the collector frees those only in a full
/// collection, which the small objects of the same stage seldom cause. Left to it, each stage's
/// arrays stood beside the next one's (300×300: the resident size rose from 161 to 252 MiB in the
/// last two seconds, the live heap by 32 MB): the peak grew with the grid by garbage. One full,
/// compacting collection between stages costs a few tens of milliseconds on a heap of this size,
/// against stages of seconds to minutes. What an object waiting for its finalizer reaches survives
/// that collection (the pass's thread-local scratch is finalizable): measured at 40×40, the pass's
/// heap stayed live through it (19.1 of the 20.6 MiB it held mid-pass) and stood beside the solve.
/// So the finalizers run, and a second collection takes what they let go (0.9 MiB stays).
/// </remarks>
internal static class StageMemory
{
    /// <summary>Collects everything no longer reachable, large objects and what finalizers let go included, and returns the freed memory to the system.</summary>
    public static void Release()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}
