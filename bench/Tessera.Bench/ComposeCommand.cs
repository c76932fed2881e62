using System.Diagnostics;
using System.Globalization;
using Tessera.Codecs;
using Tessera.Compositing;
using Tessera.Imaging;
using Tessera.Layout;

namespace Tessera.Bench;

/// <summary>
/// <c>compose DIR [--blend seam] [--overlap-x 80] [--overlap-y 60] [--block 4096] [--rounds 3]</c>:
/// the compositor alone, on one thread. Every tile of the grid is decoded once into memory first,
/// then the whole plane is rendered block by block several times; the best round is reported, in
/// nanoseconds per output pixel, so the cost of a blend mode shows apart from the codec.
/// </summary>
internal static class ComposeCommand
{
    public static void Run(CommandArguments args)
    {
        string directory = args.Positional(0, "DIR");
        string blendName = args.String("blend", "seam");
        int overlapX = args.Int("overlap-x", 80, 0), overlapY = args.Int("overlap-y", 60, 0);
        int block = args.Int("block", 4096, 16), rounds = args.Int("rounds", 3, 1);
        args.EnsureAllUsed(1);

        BlendMode blend = BlendModes.Parse(blendName);
        TileGrid grid = GridScanner.Scan(directory, new LayoutOptions());
        ITileCodec codec = TileCodecs.Create(CodecChoice.Auto, out _);
        ImageHeader first = codec.ReadHeader(grid.FirstTile);
        var mosaic = new GridMosaic(grid, first.Width, first.Height, overlapX, overlapY);
        long budget = (long)grid.PresentCount * first.Width * first.Height * 4 * 2;
        using IMosaicSource source = blend == BlendMode.Seam
            ? new MosaicSource(mosaic, PixelFormat.Rgbx8888, codec, Rgb.Black, budget)
            : new PlacedMosaicSource(PlacedMosaic.FromGrid(mosaic), blend, PixelFormat.Rgbx8888, codec, Rgb.Black, budget);

        var blocks = new List<PixelRect>();
        for (int y = 0; y < source.Height; y += block)
        {
            for (int x = 0; x < source.Width; x += block)
            {
                blocks.Add(PixelRect.FromEdges(x, y, Math.Min(x + block, source.Width), Math.Min(y + block, source.Height)));
            }
        }

        // Plan every block to be rendered rounds + 1 times, so decoded tiles stay for later rounds.
        var renders = Enumerable.Repeat(blocks, rounds + 1).SelectMany(b => b).ToList();
        source.Plan(renders, renders.Count);
        using var buffer = new PixelBuffer(new PixelRect(0, 0, block, block), PixelFormat.Rgbx8888);
        double best = double.MaxValue;
        for (int round = 0; round <= rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            foreach (PixelRect rect in blocks)
            {
                using var target = new PixelBuffer(rect, PixelFormat.Rgbx8888);
                source.Render(target);
            }

            if (round > 0)
            {
                best = Math.Min(best, clock.Elapsed.TotalSeconds);
            }
        }

        double pixels = (double)source.Width * source.Height;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"compose blend={blend.Name()} pixels={pixels:F0} best_s={best:F3} ns_per_pixel={best * 1e9 / pixels:F2} decodes={source.Decodes}"));
    }
}
