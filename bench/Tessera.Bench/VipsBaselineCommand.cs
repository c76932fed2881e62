using System.Diagnostics;
using System.Globalization;
using NetVips;

namespace Tessera.Bench;

/// <summary>
/// <c>vips-baseline DIR OUT.dzi</c>: the original approach. Opens every tile with libvips, keeps its
/// top-left (width - overlap-x) x (height - overlap-y) region (the last column and row keep the whole
/// tile), joins them into the W x H mosaic and writes the pyramid with dzsave defaults (254 px tiles,
/// overlap 1, JPEG Q75).
/// </summary>
internal static class VipsBaselineCommand
{
    public static void Run(CommandArguments args)
    {
        var directory = args.Positional(0, "DIR");
        var output = args.Positional(1, "OUT.dzi");
        var overlapX = args.Int("overlap-x", 80, 0);
        var overlapY = args.Int("overlap-y", 60, 0);
        args.EnsureAllUsed(2);
        if (!output.EndsWith(".dzi", StringComparison.Ordinal))
        {
            throw new UsageException($"output '{output}' must end in .dzi");
        }

        var stopwatch = Stopwatch.StartNew();
        var grid = InputGrid.Scan(directory);
        var (width, height) = grid.MosaicSize(overlapX, overlapY);
        var outputBase = Path.GetFullPath(output[..^".dzi".Length]);
        Directory.CreateDirectory(Path.GetDirectoryName(outputBase)!);

        using var mosaic = new VipsMosaic(grid, overlapX, overlapY);
        if (mosaic.Image.Width != width || mosaic.Image.Height != height)
        {
            throw new BenchException($"mosaic is {mosaic.Image.Width}x{mosaic.Image.Height}, expected {width}x{height}");
        }

        mosaic.Image.Dzsave(outputBase);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture, $"vips-baseline seconds={stopwatch.Elapsed.TotalSeconds:F2}"));
    }
}
