using System.Diagnostics;
using System.Globalization;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Pyramid;
using Tessera.Outputs;

namespace Tessera.Bench;

/// <summary>
/// <c>floor DIR ...</c>: the codec floor. Decodes every input tile once and JPEG-encodes (in memory)
/// as many tiles of the right sizes as the DZI pyramid of the stitched mosaic has, with no
/// stitching, downsampling or writing: a lower bound for any tool that builds the same pyramid
/// with the same codec (<c>--codec</c>, as <c>tessera build</c> takes it). With <c>--write OUT.dzi</c>
/// it also writes every tile where the pyramid would have it: the floor of codec plus file output.
/// </summary>
internal static class FloorCommand
{
    public static void Run(CommandArguments args)
    {
        var directory = args.Positional(0, "DIR");
        var tileSize = args.Int("tile-size", 254, 1);
        var tileOverlap = args.Int("tile-overlap", 1, 0);
        var quality = args.Int("quality", 75, 1);
        var threads = args.Int("threads", Environment.ProcessorCount, 1);
        var overlapX = args.Int("overlap-x", 80, 0);
        var overlapY = args.Int("overlap-y", 60, 0);
        var codecName = args.String("codec", "auto");
        var writeTo = args.String("write", "");
        args.EnsureAllUsed(1);
        var choice = TileCodecs.ParseChoice(codecName) ?? throw new UsageException("--codec must be auto, skia or turbojpeg");
        if (quality > 100)
        {
            throw new UsageException("--quality must be at most 100");
        }

        var stopwatch = Stopwatch.StartNew();
        var grid = InputGrid.Scan(directory);
        var (width, height) = grid.MosaicSize(overlapX, overlapY);
        var geometry = new DziGeometry(width, height, tileSize, tileOverlap);
        var tiles = new OutputTiles(geometry);
        using var sink = writeTo.Length == 0 ? null : new DeepZoomFiles(new DziPaths(writeTo), TileFormat.Jpeg);
        if (sink is { AnyExists: true })
        {
            throw new BenchException($"'{writeTo}' already exists; --write needs a new output");
        }

        sink?.Open(geometry.LevelCount);
        var largestTile = tileSize + (2 * tileOverlap);
        if (grid.TileWidth < largestTile || grid.TileHeight < largestTile)
        {
            throw new BenchException($"input tiles ({grid.TileWidth}x{grid.TileHeight}) are smaller than an output tile ({largestTile}x{largestTile})");
        }

        var codec = TileCodecs.Create(choice, out var codecDescription);
        var settings = new EncodeSettings(TileFormat.Jpeg, quality);
        var pool = new PixelMemoryPool();
        Parallel.For(
            0,
            grid.Count,
            new ParallelOptions { MaxDegreeOfParallelism = threads },
            () => new FloorWorker(grid, tiles, codec, settings, pool, sink),
            (input, _, worker) =>
            {
                // Spread the output tiles evenly over the inputs, so decoding and encoding interleave.
                worker.Decode(grid.PathOf(input));
                worker.Encode(input * tiles.Count / grid.Count, (input + 1) * tiles.Count / grid.Count);
                return worker;
            },
            worker => worker.Dispose());

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"floor inputs={grid.Count} outputs={tiles.Count} seconds={stopwatch.Elapsed.TotalSeconds:F2} codec=\"{codecDescription}\""));
    }
}
