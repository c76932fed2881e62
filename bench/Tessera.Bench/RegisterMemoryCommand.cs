using System.Diagnostics;
using System.Globalization;
using Tessera.Codecs;
using Tessera.Illumination;
using Tessera.Layout;
using Tessera.Registration;

namespace Tessera.Bench;

/// <summary>
/// <c>register-memory DIR --output FILE [--overlap-x 80] [--overlap-y 60] [--threads N]</c>: registers
/// a grid as <c>tessera register</c> does (its gains, report and positions too) and says what it holds
/// and when: the heap after the scan (its garbage included), the live heap in the middle of the pass
/// over the pairs, after each full collection the registration makes, and with the result held at
/// the end; beside the largest resident size and GC commitment seen before and after the pass ends. Run on two grid sizes,
/// the differences divided by the tiles added are the bytes a tile costs, stage by stage.
/// </summary>
/// <remarks>
/// The live heap is what a full collection keeps (its promoted bytes): what the run still reaches.
/// The middle of the pass is measured by a forced full collection from the sampling thread once half
/// the pairs are done; that collection costs the run a pause, nothing else.
/// </remarks>
internal static class RegisterMemoryCommand
{
    private const int SampleMilliseconds = 20;

    public static void Run(CommandArguments args)
    {
        string directory = args.Positional(0, "DIR");
        string output = args.String("output", "");
        int overlapX = args.Int("overlap-x", 80, 0), overlapY = args.Int("overlap-y", 60, 0), threads = args.Int("threads", 0, 0);
        args.EnsureAllUsed(1);
        if (output.Length == 0)
        {
            throw new UsageException("register-memory needs --output FILE (the positions file; the report goes beside it)");
        }

        var inv = CultureInfo.InvariantCulture;
        TileGrid grid = GridScanner.Scan(directory, new LayoutOptions());
        // Not collected here: what the scan leaves is the registration's to deal with, as in tessera register.
        long scanned = GC.GetTotalMemory(forceFullCollection: false);
        using var codec = (IDisposable)TileCodecs.Create(CodecChoice.Auto, out _);
        var input = new TileInputCodec((ITileCodec)codec, files: grid.Files());
        var options = new RegistrationOptions { Threads = threads };
        var progress = new WorkProgress();
        var census = new Census(progress);
        RegistrationResult result;
        using (census.Start())
        {
            result = RegistrationRun.Run(grid, new OverlapSpec(overlapX, overlapY, false), options, input, directory,
                new RegistrationFiles(output), progress, gains: new GainSampling(null, new GainBalanceOptions { Threads = threads }));
        }

        long held = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(result);
        int tiles = grid.PresentCount;
        static string MiB(long bytes) => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture);
        string PerTile(long bytes) => (bytes / (double)tiles).ToString("F0", inv);
        Console.WriteLine(string.Create(inv, $"tiles                    {tiles}"));
        Console.WriteLine($"heap after the scan      {MiB(scanned),8} MiB  {PerTile(scanned),6} B/tile");
        Console.WriteLine($"live mid-pass            {MiB(census.MidPass),8} MiB  {PerTile(census.MidPass),6} B/tile");
        foreach (var (index, promoted, pairs) in census.FullCollections)
        {
            Console.WriteLine(string.Create(inv, $"live after full GC #{index,-4} {MiB(promoted),8} MiB  {PerTile(promoted),6} B/tile  ({pairs} pairs done)"));
        }

        Console.WriteLine($"live with the result     {MiB(held),8} MiB  {PerTile(held),6} B/tile");
        Console.WriteLine($"peak GC committed, pass  {MiB(census.PassHeap),8} MiB");
        Console.WriteLine($"peak GC committed, after {MiB(census.EndHeap),8} MiB");
        Console.WriteLine($"  at the pass's peak: {census.PassGenerations}");
        Console.WriteLine($"  at the end's peak:  {census.EndGenerations}");
        Console.WriteLine($"peak resident, pass      {MiB(census.PassResident),8} MiB");
        Console.WriteLine($"peak resident, after it  {MiB(census.EndResident),8} MiB");
        Console.WriteLine($"peak resident (process)  {MiB(Process.GetCurrentProcess().PeakWorkingSet64),8} MiB");
    }

    /// <summary>A thread that samples the resident size and the GC heap, and the live heap after every full collection.</summary>
    private sealed class Census(WorkProgress progress)
    {
        private readonly List<(int Index, long Promoted, long Pairs)> _full = [];
        private volatile bool _stop;

        public long MidPass { get; private set; }
        public long PassHeap { get; private set; }
        public long EndHeap { get; private set; }
        public long PassResident { get; private set; }
        public long EndResident { get; private set; }
        public IReadOnlyList<(int Index, long Promoted, long Pairs)> FullCollections => _full;

        /// <summary>At the largest GC commitment seen in the pass (and after it): each generation's size and fragmentation after the last collection, MiB.</summary>
        public string PassGenerations { get; private set; } = "";
        public string EndGenerations { get; private set; } = "";

        private static string Generations(GCMemoryInfo info)
        {
            var inv = CultureInfo.InvariantCulture;
            string[] names = ["gen0", "gen1", "gen2", "LOH", "POH"];
            var parts = new List<string>();
            for (int g = 0; g < info.GenerationInfo.Length && g < names.Length; g++)
            {
                GCGenerationInfo gen = info.GenerationInfo[g];
                parts.Add(string.Create(inv, $"{names[g]} {gen.SizeAfterBytes / 1048576.0:F1}/{gen.FragmentationAfterBytes / 1048576.0:F1}"));
            }

            return string.Create(inv, $"{string.Join(", ", parts)} (size/fragmented after GC #{info.Index}, {info.Generation}; heap {info.HeapSizeBytes / 1048576.0:F1}, committed {info.TotalCommittedBytes / 1048576.0:F1})");
        }

        public IDisposable Start()
        {
            var thread = new Thread(Sample) { IsBackground = true, Name = "census" };
            thread.Start();
            return new Stopper(this, thread);
        }

        private void Sample()
        {
            using var self = Process.GetCurrentProcess();
            long seen = GC.GetGCMemoryInfo(GCKind.FullBlocking).Index;
            bool midDone = false;
            while (!_stop)
            {
                self.Refresh();
                long resident = self.WorkingSet64, heap = GC.GetGCMemoryInfo().TotalCommittedBytes;
                bool inPass = progress.Total == 0 || progress.Done < progress.Total;
                if (inPass)
                {
                    if (heap > PassHeap)
                    {
                        PassGenerations = Generations(GC.GetGCMemoryInfo());
                    }

                    (PassResident, PassHeap) = (Math.Max(PassResident, resident), Math.Max(PassHeap, heap));
                }
                else
                {
                    if (heap > EndHeap)
                    {
                        EndGenerations = Generations(GC.GetGCMemoryInfo());
                    }

                    (EndResident, EndHeap) = (Math.Max(EndResident, resident), Math.Max(EndHeap, heap));
                }

                if (!midDone && progress.Total > 0 && 2 * progress.Done >= progress.Total)
                {
                    midDone = true;
                    MidPass = GC.GetTotalMemory(forceFullCollection: true);
                    seen = GC.GetGCMemoryInfo(GCKind.FullBlocking).Index;
                }

                GCMemoryInfo full = GC.GetGCMemoryInfo(GCKind.FullBlocking);
                if (full.Index > seen)
                {
                    seen = full.Index;
                    _full.Add(((int)full.Index, full.PromotedBytes, progress.Done));
                }

                Thread.Sleep(SampleMilliseconds);
            }
        }

        private sealed class Stopper(Census census, Thread thread) : IDisposable
        {
            public void Dispose()
            {
                census._stop = true;
                thread.Join();
            }
        }
    }
}
