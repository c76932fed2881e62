using System.Diagnostics;
using System.Globalization;
using Tessera.Codecs;
using Tessera.Layout;
using Tessera.Registration;

namespace Tessera.Bench;

/// <summary>
/// <c>register DIR [--overlap-x 80] [--overlap-y 60] [--threads N] [--scale S]</c>: registers a grid
/// as <c>tessera register</c> does and prints where the time went, stage by stage, summed over
/// threads (so the stages add up to about threads × wall time), beside the wall time and the steps found.
/// </summary>
internal static class RegisterCommand
{
    public static void Run(CommandArguments args)
    {
        string directory = args.Positional(0, "DIR");
        int overlapX = args.Int("overlap-x", 80, 0), overlapY = args.Int("overlap-y", 60, 0);
        int threads = args.Int("threads", 0, 0), scale = args.Int("scale", 0, 0);
        args.EnsureAllUsed(1);

        TileGrid grid = GridScanner.Scan(directory, new LayoutOptions());
        ITileCodec codec = TileCodecs.Create(CodecChoice.Auto, out _);
        var timings = new RegistrationTimings();
        var options = new RegistrationOptions { Threads = threads, DecodeScale = scale == 0 ? null : scale, Timings = timings };
        var clock = Stopwatch.StartNew();
        RegistrationResult result = GridRegistration.Run(grid, new OverlapSpec(overlapX, overlapY, false), options, codec);
        double wall = clock.Elapsed.TotalSeconds;
        Console.Write(timings.Format());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wall               {wall,9:F3} s for {grid.PresentCount} tiles ({wall * 1e3 / grid.PresentCount:F2} ms/tile)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"steps              {result.Report.West.OffsetX:F3} x {result.Report.North.OffsetY:F3} px"));
    }
}
