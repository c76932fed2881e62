using System.Diagnostics;
using System.Globalization;
using NetVips;
using Tessera.Codecs;
using Tessera.Compositing;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Outputs;
using Tessera.Outputs.Tiff;
using Tessera.Pyramid;

namespace Tessera.Bench;

/// <summary>
/// <c>ome-write DIR OUT_DIR [--overlap-x 80] [--overlap-y 60] [--threads N] [--tile-size 512]</c>:
/// the OME-TIFF writer against libvips. The grid is stitched into memory first (not timed); then
/// the same pixels are written as a 512-px tiled pyramidal BigTIFF (deflate, horizontal
/// predictor, levels as SubIFDs) by Tessera's block engine and writer, and by libvips
/// <c>tiffsave --tile --pyramid --subifd --bigtiff</c> at deflate level 1 (Tessera's) and 6
/// (libvips' default). Prints the wall time and file size of each, and of an OME-Zarr.
/// </summary>
internal static class OmeWriteCommand
{
    public static void Run(CommandArguments args)
    {
        string directory = args.Positional(0, "DIR"), outDir = args.Positional(1, "OUT_DIR");
        int overlapX = args.Int("overlap-x", 80, 0), overlapY = args.Int("overlap-y", 60, 0);
        int threads = args.Int("threads", Environment.ProcessorCount, 1), tileSize = args.Int("tile-size", 512, 16);
        args.EnsureAllUsed(2);
        Directory.CreateDirectory(outDir);

        using RasterStore plane = Stitch(directory, overlapX, overlapY, out ITileCodec codec);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"image {plane.Width}×{plane.Height} RGB, {threads} threads, {tileSize}-px tiles"));
        var geometry = new DziGeometry(plane.Width, plane.Height, tileSize, 0);
        var options = new PyramidOptions { TileSize = tileSize, Overlap = 0, Threads = threads, TemporaryDirectory = outDir, InMemoryLevelBytes = 1L << 30 };

        string tiff = Path.Combine(outDir, "tessera.ome.tif");
        Time("tessera ome-tiff (deflate 1)", tiff, () =>
        {
            using var output = new OmeTiffOutput(tiff, "bench", geometry, PixelFormat.Rgbx8888, TiffCompression.Deflate, codec, new EncodeSettings(), null);
            Write(output, plane, geometry, options, outDir);
        });
        string zarr = Path.Combine(outDir, "tessera.ome.zarr");
        Time("tessera ome-zarr (zlib 1)", zarr, () =>
        {
            using var output = new OmeZarrOutput(zarr, "bench", geometry, PixelFormat.Rgbx8888, null);
            Write(output, plane, geometry, options, outDir);
        });

        using Image image = ToVips(plane);
        foreach (int level in new[] { 1, 6 })
        {
            string path = Path.Combine(outDir, $"vips-{level}.tif");
            Time($"libvips tiffsave (deflate {level})", path, () => image.Tiffsave(path, compression: Enums.ForeignTiffCompression.Deflate, level: level,
                predictor: Enums.ForeignTiffPredictor.Horizontal, tile: true, tileWidth: tileSize, tileHeight: tileSize, pyramid: true, subifd: true, bigtiff: true));
        }
    }

    private static RasterStore Stitch(string directory, int overlapX, int overlapY, out ITileCodec codec)
    {
        TileGrid grid = GridScanner.Scan(directory, new LayoutOptions());
        codec = TileCodecs.Create(CodecChoice.Auto, out _);
        ImageHeader first = codec.ReadHeader(grid.FirstTile);
        var mosaic = new GridMosaic(grid, first.Width, first.Height, overlapX, overlapY);
        using var source = new MosaicSource(mosaic, PixelFormat.Rgbx8888, codec, Rgb.Black, 256L << 20);
        RasterStore plane = RasterStore.Create(mosaic.Width, mosaic.Height, PixelFormat.Rgbx8888, long.MaxValue, Path.GetTempPath());
        for (int y = 0; y < mosaic.Height; y += 512)
        {
            using var band = new PixelBuffer(new PixelRect(0, y, mosaic.Width, Math.Min(512, mosaic.Height - y)), PixelFormat.Rgbx8888);
            source.Render(band);
            plane.Write(band);
        }

        return plane;
    }

    private static void Write(IPyramidOutput output, RasterStore plane, DziGeometry geometry, PyramidOptions options, string outDir)
    {
        var plan = new PyramidPlan(geometry, options.BlockLevels);
        string work = Path.Combine(outDir, "work");
        using (var store = new BlockStore(work, plan, PixelFormat.Rgbx8888))
        {
            output.Open(geometry.LevelCount);
            new PyramidBuilder(plan, options, output).Build(plane, store);
            output.Complete(geometry);
        }

        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static Image ToVips(RasterStore plane)
    {
        var rgb = new byte[(long)plane.Width * plane.Height * 3];
        using var row = new PixelBuffer(new PixelRect(0, 0, plane.Width, 1), PixelFormat.Rgbx8888);
        for (int y = 0, o = 0; y < plane.Height; y++)
        {
            using var at = new PixelBuffer(new PixelRect(0, y, plane.Width, 1), PixelFormat.Rgbx8888);
            plane.Render(at);
            Span<byte> pixels = at.Row(0);
            for (int x = 0; x < plane.Width; x++, o += 3)
            {
                rgb[o] = pixels[4 * x];
                rgb[o + 1] = pixels[(4 * x) + 1];
                rgb[o + 2] = pixels[(4 * x) + 2];
            }
        }

        return Image.NewFromMemory(rgb, plane.Width, plane.Height, 3, Enums.BandFormat.Uchar);
    }

    private static void Time(string what, string path, Action write)
    {
        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        write();
        double wall = clock.Elapsed.TotalSeconds, user = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        long bytes = File.Exists(path) ? new FileInfo(path).Length
            : Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what,-30} {wall,7:F2} s wall {user,7:F2} s CPU {bytes / 1048576.0,9:F1} MiB"));
    }
}
