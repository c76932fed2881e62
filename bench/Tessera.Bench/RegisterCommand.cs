using System.Diagnostics;
using System.Globalization;
using Tessera.Codecs;
using Tessera.Illumination;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Registration;

namespace Tessera.Bench;

/// <summary>
/// <c>register DIR [--overlap-x 80] [--overlap-y 60] [--threads N] [--scale S] [--decodes N]</c>:
/// registers a grid as <c>tessera register</c> does (its gains too) and prints where the time went, stage by stage,
/// in processor time summed over threads, beside the wall time and the steps found. With
/// <c>--decodes N</c> it first times N grey decodes of the first tile in full and at 1/2 scale, on one
/// thread, in processor time: what a decode at the decode scale would save against the full one.
/// </summary>
internal static class RegisterCommand
{
    public static void Run(CommandArguments args)
    {
        string directory = args.Positional(0, "DIR");
        int overlapX = args.Int("overlap-x", 80, 0), overlapY = args.Int("overlap-y", 60, 0);
        int threads = args.Int("threads", 0, 0), scale = args.Int("scale", 0, 0), decodes = args.Int("decodes", 0, 0);
        args.EnsureAllUsed(1);

        TileGrid grid = GridScanner.Scan(directory, new LayoutOptions());
        ITileCodec codec = TileCodecs.Create(CodecChoice.Auto, out _);
        if (decodes > 0)
        {
            TimeDecodes(grid.FirstTile, codec, decodes);
        }

        var timings = new RegistrationTimings();
        var options = new RegistrationOptions { Threads = threads, DecodeScale = scale == 0 ? null : scale, Timings = timings };
        var clock = Stopwatch.StartNew();
        // With its gains, as tessera register measures them by default (no flat-field).
        RegistrationResult result = GridRegistration.Run(grid, new OverlapSpec(overlapX, overlapY, false), options, codec,
            gains: new GainSampling(null, new GainBalanceOptions { Threads = threads }));
        double wall = clock.Elapsed.TotalSeconds;
        Console.Write(timings.Format());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wall               {wall,9:F3} s for {grid.PresentCount} tiles ({wall * 1e3 / grid.PresentCount:F2} ms/tile)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"steps              {result.Report.West.OffsetX:F3} x {result.Report.North.OffsetY:F3} px"));
    }

    private static void TimeDecodes(string path, ITileCodec codec, int count)
    {
        var pool = new PixelMemoryPool(maxFreeArrays: 4);
        foreach (int scale in (ReadOnlySpan<int>)[1, 2, 1, 2])
        {
            TimeSpan start = Process.GetCurrentProcess().TotalProcessorTime;
            for (int i = 0; i < count; i++)
            {
                using PixelBuffer image = scale == 1 ? codec.Decode(path, PixelFormat.Gray8, pool) : ((IScaledDecoder)codec).TryDecodeScaled(path, PixelFormat.Gray8, 2, pool)!;
            }

            double ms = (Process.GetCurrentProcess().TotalProcessorTime - start).TotalMilliseconds / count;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"decode 1/{scale}         {ms,9:F3} ms per tile (processor time, {codec.Name})"));
        }
    }
}
