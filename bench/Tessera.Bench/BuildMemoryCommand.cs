using System.Diagnostics;
using System.Globalization;
using Tessera.Build;
using Tessera.Codecs;
using Tessera.Layout;
using Tessera.Pyramid;

namespace Tessera.Bench;

/// <summary>
/// <c>build-memory DIR OUT [--overlap-x 80] [--overlap-y 60] [--layout dz|ome-tiff|ome-zarr] [--read-only yes]</c>:
/// says what a build holds per input tile, stage by stage. First the grid's reading alone, as the
/// build does it: the scan, then the input fingerprint, each with the bytes it allocated and the live
/// heap after it (a full collection's survivors: what the build keeps). Then (not with
/// <c>--read-only yes</c>) the whole build of OUT in this process, with the CLI's defaults for the
/// layout: the bytes it allocated, its pixel pool's peak, and by stage (before it counts its tiles,
/// while it writes them, after the last) the largest resident size, managed heap (garbage included)
/// and malloc arenas sampled, and the live heap at each quarter of the tiles. Run on two grid sizes,
/// the differences divided by the tiles added are the bytes a tile costs.
/// </summary>
/// <remarks>Run with <c>DOTNET_gcConcurrent=0</c>, as the CLI's runtime configuration has it, for peaks that compare.</remarks>
internal static class BuildMemoryCommand
{
    private const int SampleMilliseconds = 10;

    public static void Run(CommandArguments args)
    {
        string directory = args.Positional(0, "DIR"), output = args.Positional(1, "OUT");
        int overlapX = args.Int("overlap-x", 80, 0), overlapY = args.Int("overlap-y", 60, 0);
        string layoutName = args.String("layout", "dz");
        bool readOnly = args.String("read-only", "no") == "yes";
        args.EnsureAllUsed(2);
        PyramidLayout layout = layoutName switch
        {
            "dz" => PyramidLayout.DeepZoom,
            "ome-tiff" => PyramidLayout.OmeTiff,
            "ome-zarr" => PyramidLayout.OmeZarr,
            _ => throw new UsageException($"--layout takes dz, ome-tiff or ome-zarr, got '{layoutName}'"),
        };

        var inv = CultureInfo.InvariantCulture;
        long live0 = GC.GetTotalMemory(forceFullCollection: true), allocated0 = GC.GetTotalAllocatedBytes(precise: true);
        TileGrid grid = GridScanner.Scan(directory, new LayoutOptions());
        long allocated1 = GC.GetTotalAllocatedBytes(precise: true), live1 = GC.GetTotalMemory(forceFullCollection: true);
        InputFingerprint fingerprint = InputFingerprint.Of(Path.GetFullPath(directory), grid.Files());
        long allocated2 = GC.GetTotalAllocatedBytes(precise: true), live2 = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(fingerprint);
        int tiles = grid.PresentCount;
        string Row(string what, long bytes) => string.Create(inv, $"{what,-28} {bytes / 1048576.0,8:F2} MiB {bytes / (double)tiles,8:F0} B/tile");
        Console.WriteLine(string.Create(inv, $"tiles                        {tiles}"));
        Console.WriteLine(Row("scan: allocated", allocated1 - allocated0));
        Console.WriteLine(Row("scan: kept (the grid)", live1 - live0));
        Console.WriteLine(Row("fingerprint: allocated", allocated2 - allocated1));
        Console.WriteLine(Row("fingerprint: kept", live2 - live1));
        if (readOnly)
        {
            return;
        }

        grid = null!;
        fingerprint = null!;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

        using var codec = (IDisposable)TileCodecs.Create(CodecChoice.Auto, out _);
        var request = new BuildRequest
        {
            InputDirectory = directory,
            OutputPath = output,
            Overlap = new OverlapSpec(overlapX, overlapY, false),
            PyramidLayout = layout,
            Overwrite = true,
        };
        if (layout != PyramidLayout.DeepZoom)
        {
            request = request with { Pyramid = request.Pyramid with { TileSize = 512, Overlap = 0 } };
        }

        var progress = new BuildProgress();
        var census = new Census(progress);
        long allocatedBuild = GC.GetTotalAllocatedBytes(precise: true);
        BuildResult result;
        using (census.Start())
        {
            result = PyramidBuild.Run(request, (ITileCodec)codec, progress);
        }

        allocatedBuild = GC.GetTotalAllocatedBytes(precise: true) - allocatedBuild;
        static string MiB(long bytes) => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture);
        Console.WriteLine(string.Create(inv, $"build: tiles written        {result.TilesWritten}"));
        Console.WriteLine(Row("build: allocated", allocatedBuild));
        Console.WriteLine(Row("build: allocated reading", census.AllocatedReading));
        Console.WriteLine($"pixel pool peak             {MiB(result.PixelMemoryPeakBytes),8} MiB");
        Console.WriteLine($"peak resident, reading      {MiB(census.Resident[0]),8} MiB   managed {MiB(census.Heap[0]),8} MiB   malloc {MiB(census.Native[0]),8} MiB (in use {MiB(census.NativeUsed[0]),8})");
        Console.WriteLine($"peak resident, pyramid      {MiB(census.Resident[1]),8} MiB   managed {MiB(census.Heap[1]),8} MiB   malloc {MiB(census.Native[1]),8} MiB (in use {MiB(census.NativeUsed[1]),8})");
        Console.WriteLine($"peak resident, completion   {MiB(census.Resident[2]),8} MiB   managed {MiB(census.Heap[2]),8} MiB   malloc {MiB(census.Native[2]),8} MiB (in use {MiB(census.NativeUsed[2]),8})");
        Console.WriteLine($"managed heap committed at the last collection, most seen: reading {MiB(census.Committed[0])}, pyramid {MiB(census.Committed[1])}, completion {MiB(census.Committed[2])} MiB");
        Console.WriteLine(string.Create(inv, $"collections                 gen0 {GC.CollectionCount(0)}, gen1 {GC.CollectionCount(1)}, gen2 {GC.CollectionCount(2)} (each counts in the generations below it too)"));
        Console.WriteLine($"live at 1/4, 1/2, 3/4 of the tiles {MiB(census.Live[0])}, {MiB(census.Live[1])}, {MiB(census.Live[2])} MiB");
        Console.WriteLine($"peak resident (process)     {MiB(Process.GetCurrentProcess().PeakWorkingSet64),8} MiB");
    }

    /// <summary>A thread that samples the resident size, the managed heap (garbage included) and malloc.s arenas, by stage: before the tiles are counted, while they are written, and after the last; and the live heap at each quarter of the tiles.</summary>
    private sealed class Census(BuildProgress progress)
    {
        private readonly long _allocatedAtStart = GC.GetTotalAllocatedBytes(precise: true);
        private volatile bool _stop;

        /// <summary>Bytes allocated before the tiles were counted (the grid read), as last sampled then.</summary>
        public long AllocatedReading { get; private set; }

        public long[] Resident { get; } = new long[3];
        public long[] Heap { get; } = new long[3];
        public long[] Native { get; } = new long[3];
        public long[] Live { get; } = new long[3];
        public long[] NativeUsed { get; } = new long[3];
        public long[] Committed { get; } = new long[3];

        [System.Runtime.InteropServices.DllImport("libc")]
        private static extern MallinfoNative mallinfo2();

        [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
        private struct MallinfoNative
        {
            public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
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
            using var statm = new ResidentSize();
            int quarter = 1;
            while (!_stop)
            {
                if (quarter < 4 && progress.TilesTotal > 0 && 4 * progress.TilesWritten >= quarter * progress.TilesTotal)
                {
                    Live[quarter - 1] = GC.GetTotalMemory(forceFullCollection: true);
                    quarter++;
                }

                long total = progress.TilesTotal, written = progress.TilesWritten;
                int stage = total == 0 ? 0 : written < total ? 1 : 2;
                Resident[stage] = Math.Max(Resident[stage], statm.Bytes() ?? RefreshedWorkingSet(self));
                if (stage == 0)
                {
                    AllocatedReading = GC.GetTotalAllocatedBytes(precise: false) - _allocatedAtStart;
                }

                Heap[stage] = Math.Max(Heap[stage], GC.GetTotalMemory(forceFullCollection: false));
                Committed[stage] = Math.Max(Committed[stage], GC.GetGCMemoryInfo(GCKind.Any).TotalCommittedBytes);
                MallinfoNative info = mallinfo2();
                Native[stage] = Math.Max(Native[stage], (long)(info.Arena + info.Hblkhd));
                NativeUsed[stage] = Math.Max(NativeUsed[stage], (long)(info.Uordblks + info.Hblkhd));
                Thread.Sleep(SampleMilliseconds);
            }
        }

        private static long RefreshedWorkingSet(Process self)
        {
            self.Refresh();
            return self.WorkingSet64;
        }

        /// <summary>
        /// The resident size from /proc/self/statm, read into a buffer kept for the purpose: the
        /// census samples a hundred times a second, and Process.Refresh makes strings and thread
        /// records each time (about 1.5 MB a second, measured), garbage in the heap it measures.
        /// </summary>
        private sealed class ResidentSize : IDisposable
        {
            private readonly byte[] _buffer = new byte[256];
            private readonly Microsoft.Win32.SafeHandles.SafeFileHandle? _handle =
                File.Exists("/proc/self/statm") ? File.OpenHandle("/proc/self/statm") : null;

            /// <summary>Resident bytes, or null where there is no /proc/self/statm.</summary>
            public long? Bytes()
            {
                if (_handle is null)
                {
                    return null;
                }

                int length = RandomAccess.Read(_handle, _buffer, 0);
                ReadOnlySpan<byte> text = _buffer.AsSpan(0, length);
                int space = text.IndexOf((byte)' ');
                long pages = 0;
                for (int i = space + 1; i < text.Length && text[i] is >= (byte)'0' and <= (byte)'9'; i++)
                {
                    pages = (pages * 10) + (text[i] - '0');
                }

                return pages * Environment.SystemPageSize;
            }

            public void Dispose() => _handle?.Dispose();
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
