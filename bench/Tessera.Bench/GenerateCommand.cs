using System.Diagnostics;
using System.Globalization;

namespace Tessera.Bench;

/// <summary><c>generate DIR --across N --down M ...</c>: writes a synthetic tile set, or reuses a complete one.</summary>
internal static class GenerateCommand
{
    private const string MarkerName = ".tessera-bench-complete";
    private const int MinimumTileSize = 64;

    public static void Run(CommandArguments args)
    {
        var directory = args.Positional(0, "DIR");
        var spec = new SlideSpec(
            Across: args.RequiredInt("across", 1),
            Down: args.RequiredInt("down", 1),
            Width: args.Int("width", 800, 1),
            Height: args.Int("height", 600, 1),
            OverlapX: args.Int("overlap-x", 80, 0),
            OverlapY: args.Int("overlap-y", 60, 0),
            Quality: args.Int("quality", 90, 1),
            Seed: args.Int("seed", 1, 0));
        args.EnsureAllUsed(1);
        if (spec.Width < MinimumTileSize || spec.Height < MinimumTileSize)
        {
            throw new UsageException($"tiles must be at least {MinimumTileSize}x{MinimumTileSize}");
        }

        if (spec.OverlapX >= spec.Width || spec.OverlapY >= spec.Height || spec.Quality > 100)
        {
            throw new UsageException("overlaps must be smaller than the tile and quality at most 100");
        }

        var marker = Path.Combine(directory, MarkerName);
        if (File.Exists(marker) && File.ReadAllText(marker) == spec.MarkerText)
        {
            Console.WriteLine($"generate: reusing complete tile set in {directory}");
            return;
        }

        var stopwatch = Stopwatch.StartNew();
        PrepareDirectory(directory, marker);
        var bytes = WriteTiles(directory, spec);
        File.WriteAllText(marker, spec.MarkerText);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"generate tiles={spec.TileCount} mebibytes={bytes / (1024.0 * 1024.0):F1} seconds={stopwatch.Elapsed.TotalSeconds:F2}"));
    }

    /// <summary>Removes the marker and any tiles of an earlier, different tile set.</summary>
    private static void PrepareDirectory(string directory, string marker)
    {
        Directory.CreateDirectory(directory);
        File.Delete(marker);
        foreach (var file in Directory.EnumerateFiles(directory, TileNames.SearchPattern))
        {
            if (TileNames.TryParse(Path.GetFileName(file), out _, out _))
            {
                File.Delete(file);
            }
        }
    }

    private static long WriteTiles(string directory, SlideSpec spec)
    {
        long totalBytes = 0;
        Parallel.For(
            0,
            spec.TileCount,
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            () => (Renderer: new SlideRenderer(spec), Bytes: 0L),
            (index, _, state) =>
            {
                int x = index % spec.Across, y = index / spec.Across;
                using var jpeg = state.Renderer.RenderJpeg(x, y);
                File.WriteAllBytes(Path.Combine(directory, TileNames.Format(x, y)), jpeg.AsSpan());
                return (state.Renderer, state.Bytes + jpeg.Size);
            },
            state => Interlocked.Add(ref totalBytes, state.Bytes));
        return totalBytes;
    }
}
