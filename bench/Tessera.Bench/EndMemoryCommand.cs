using System.Diagnostics;
using System.Globalization;
using Tessera.Illumination;
using Tessera.Registration;

namespace Tessera.Bench;

/// <summary>
/// <c>end-memory [--across 600] [--down 600] [--seed 5]</c>: the end of a registration's run without
/// its pass: a grid's links as the pass leaves them (row-major by their second tile, west before
/// north, each measured with a σ of 0.02–0.5 px), solved for positions as <c>tessera register</c>
/// solves them, then the gains' solve on a ratio per pair; prints the resident size with the links
/// made and the largest seen during each solve (sampled every 2 ms), and the processor time of each.
/// At 600×600 it says what the pass's part of a run (the tiles, their decoding) does not: how much
/// the two solves add beside the links.
/// </summary>
internal static class EndMemoryCommand
{
    public static void Run(CommandArguments args)
    {
        int across = args.Int("across", 600, 2), down = args.Int("down", 600, 2), seed = args.Int("seed", 5, 0);
        args.EnsureAllUsed(0);
        var random = new Random(seed);
        int n = across * down;
        const double step = 720, stepDown = 540;
        var links = new List<PairLink>(2 * n);
        for (int i = 0; i < n; i++)
        {
            if (i % across > 0)
            {
                links.Add(new PairLink(i - 1, i, PairDirection.West, step + Noise(), Noise(), 0.9, PairOutcome.Measured, Sigma(), Sigma()));
            }

            if (i >= across)
            {
                links.Add(new PairLink(i - across, i, PairDirection.North, Noise(), stepDown + Noise(), 0.9, PairOutcome.Measured, Sigma(), Sigma()));
            }
        }

        double Noise() => 0.1 * (random.NextDouble() - 0.5);
        float Sigma() => (float)(0.02 + (0.48 * random.NextDouble()));
        var present = new bool[n];
        Array.Fill(present, true);
        var (x, y) = (new double[n], new double[n]);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var inv = CultureInfo.InvariantCulture;
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        Console.WriteLine(string.Create(inv, $"{across}x{down} tiles, {links.Count} links: resident with the links {self.WorkingSet64 / 1048576.0:F1} MiB"));

        Stage("position solve", () => GlobalSolver.Solve(present, across, links, d => d == PairDirection.West ? (step, 0) : (0, stepDown), _ => 1, 1.0, x, y));
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var gainLinks = new GainLink[links.Count];
        for (int l = 0; l < links.Count; l++)
        {
            gainLinks[l] = new GainLink(links[l].First, links[l].Second, 0.05 * (random.NextDouble() - 0.5), 300 + (100 * random.NextDouble()));
        }

        Stage("gains' solve", () => GainSolver.Solve(n, gainLinks, 1e-4, gridWidth: across));
        GC.KeepAlive(links);
        GC.KeepAlive(gainLinks);
    }

    private static void Stage(string name, Action run)
    {
        using var self = Process.GetCurrentProcess();
        long peak = 0, heap = 0;
        bool stop = false;
        var sampler = new Thread(() =>
        {
            using var me = Process.GetCurrentProcess();
            while (!Volatile.Read(ref stop))
            {
                me.Refresh();
                peak = Math.Max(peak, me.WorkingSet64);
                heap = Math.Max(heap, GC.GetGCMemoryInfo().TotalCommittedBytes);
                Thread.Sleep(2);
            }
        }) { IsBackground = true };
        self.Refresh();
        long before = self.WorkingSet64;
        TimeSpan cpu = self.TotalProcessorTime;
        sampler.Start();
        run();
        Volatile.Write(ref stop, true);
        sampler.Join();
        self.Refresh();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-15} resident before {before / 1048576.0:F1} MiB, peak {peak / 1048576.0:F1} MiB; GC committed peak {heap / 1048576.0:F1} MiB; processor {(self.TotalProcessorTime - cpu).TotalSeconds:F1} s"));
    }
}
