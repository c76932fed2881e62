using System.Diagnostics;
using System.Globalization;
using NetVips;

namespace Tessera.Bench;

/// <summary>
/// <c>vips-tiff DIR OUT.tif [--overlap-x 80] [--overlap-y 60] [--level 1]</c>: libvips writing the
/// pyramid <c>tessera build --layout ome-tiff</c> writes, from the same mosaic as
/// <c>vips-baseline</c> (every tile cropped and arrayjoined): <c>tiffsave --tile --pyramid
/// --subifd --bigtiff</c>, 512-px tiles, deflate with the horizontal predictor at
/// <paramref name="level"/> (Tessera's deflate level is 1, libvips' default 6).
/// </summary>
internal static class VipsTiffCommand
{
    private const int TileSize = 512;

    public static void Run(CommandArguments args)
    {
        var directory = args.Positional(0, "DIR");
        var output = args.Positional(1, "OUT.tif");
        var overlapX = args.Int("overlap-x", 80, 0);
        var overlapY = args.Int("overlap-y", 60, 0);
        var level = args.Int("level", 1, 1);
        args.EnsureAllUsed(2);
        if (level > 9)
        {
            throw new UsageException($"--level is a deflate level, 1 to 9, got {level}");
        }

        var stopwatch = Stopwatch.StartNew();
        var grid = InputGrid.Scan(directory);
        var (width, height) = grid.MosaicSize(overlapX, overlapY);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);

        using var mosaic = new VipsMosaic(grid, overlapX, overlapY);
        if (mosaic.Image.Width != width || mosaic.Image.Height != height)
        {
            throw new BenchException($"mosaic is {mosaic.Image.Width}x{mosaic.Image.Height}, expected {width}x{height}");
        }

        mosaic.Image.Tiffsave(output, compression: Enums.ForeignTiffCompression.Deflate, level: level,
            predictor: Enums.ForeignTiffPredictor.Horizontal, tile: true, tileWidth: TileSize, tileHeight: TileSize,
            pyramid: true, subifd: true, bigtiff: true);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture, $"vips-tiff seconds={stopwatch.Elapsed.TotalSeconds:F2} bytes={new FileInfo(output).Length}"));
    }
}
