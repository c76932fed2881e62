namespace Tessera.Bench;

internal static class Program
{
    private const string Usage = """
        usage:
          tessera-bench generate DIR --across N --down M [--width 800] [--height 600]
                                 [--overlap-x 80] [--overlap-y 60] [--quality 90] [--seed 1]
          tessera-bench floor DIR [--tile-size 254] [--tile-overlap 1] [--quality 75]
                              [--threads N] [--overlap-x 80] [--overlap-y 60] [--codec auto]
                              [--write OUT.dzi]
          tessera-bench vips-baseline DIR OUT.dzi [--overlap-x 80] [--overlap-y 60]
          tessera-bench vips-tiff DIR OUT.tif [--overlap-x 80] [--overlap-y 60] [--level 1]
          tessera-bench link-grid DIR --across N --down M --from TILE
          tessera-bench photo-grid DIR --across N --down M --images A.png,B.jpg [--period 8]
                                 [--width 800] [--height 600] [--overlap-x 80] [--overlap-y 60] [--quality 90]
          tessera-bench fft [--sizes 64x128,64x256,128x128] [--repeat 20000]
          tessera-bench jittered DIR [--content photograph|illustration|faintgradient|spots|periodic|specimen]
                                 [--across 6] [--down 6] [--width 192] [--height 160] [--overlap-x 64]
                                 [--overlap-y 56] [--jitter 16] [--seed 5]
          tessera-bench periodic-grid DIR --across N --down M [--period 30] [--seed 3]
          tessera-bench solve [--across 600] [--down 600] [--seed 5] [--matrix grid|rows]
          tessera-bench end-memory [--across 600] [--down 600] [--seed 5]
          tessera-bench ome-write DIR OUT_DIR [--overlap-x 80] [--overlap-y 60] [--threads N] [--tile-size 512]
          tessera-bench register DIR [--overlap-x 80] [--overlap-y 60] [--threads N] [--scale S]
          tessera-bench pair-probe DIR [--overlap-x 80] [--overlap-y 60] [--scale 2] [--pair 0_0-0_1] [--offset 0,0] [--surface R]
          tessera-bench register-memory DIR --output FILE [--overlap-x 80] [--overlap-y 60] [--threads N]
          tessera-bench compose DIR [--blend seam] [--overlap-x 80] [--overlap-y 60] [--block 4096] [--rounds 3]
          tessera-bench build-memory DIR OUT [--overlap-x 80] [--overlap-y 60] [--layout dz|ome-tiff|ome-zarr] [--read-only yes]
        """;

    private static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        try
        {
            var arguments = new CommandArguments(args[1..]);
            switch (args[0])
            {
                case "generate":
                    GenerateCommand.Run(arguments);
                    break;
                case "floor":
                    FloorCommand.Run(arguments);
                    break;
                case "vips-baseline":
                    VipsBaselineCommand.Run(arguments);
                    break;
                case "vips-tiff":
                    VipsTiffCommand.Run(arguments);
                    break;
                case "link-grid":
                    LinkGridCommand.Run(arguments);
                    break;
                case "photo-grid":
                    PhotoGridCommand.Run(arguments);
                    break;
                case "fft":
                    FftCommand.Run(arguments);
                    break;
                case "jittered":
                    JitteredCommand.Run(arguments);
                    break;
                case "periodic-grid":
                    PeriodicGridCommand.Run(arguments);
                    break;
                case "solve":
                    SolveCommand.Run(arguments);
                    break;
                case "end-memory":
                    EndMemoryCommand.Run(arguments);
                    break;
                case "ome-write":
                    OmeWriteCommand.Run(arguments);
                    break;
                case "register":
                    RegisterCommand.Run(arguments);
                    break;
                case "pair-probe":
                    PairProbeCommand.Run(arguments);
                    break;
                case "register-memory":
                    RegisterMemoryCommand.Run(arguments);
                    break;
                case "compose":
                    ComposeCommand.Run(arguments);
                    break;
                case "build-memory":
                    BuildMemoryCommand.Run(arguments);
                    break;
                default:
                    throw new UsageException($"unknown command '{args[0]}'");
            }

            return 0;
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }
        catch (BenchException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
