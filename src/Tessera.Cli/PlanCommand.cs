using System.CommandLine;
using System.Globalization;
using Tessera.Build;
using Tessera.Codecs;
using Tessera.Pyramid;

namespace Tessera.Cli;

/// <summary><c>tessera plan</c>: what a build will do, from file names and one tile header, before committing to it.</summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var options = new BuildOptions();
        Option<string> layout = BuildOptions.CreateLayoutOption();
        var shards = new Option<int>("--shards") { Description = "Show how this many shards would split the work.", DefaultValueFactory = _ => 1 };
        var command = new Command("plan", "Show the mosaic, levels, tile count, work per shard, memory and output size of a build, without decoding anything.");
        options.AddTo(command);
        command.Options.Add(layout);
        command.Options.Add(shards);
        command.SetAction(result => Errors.Guard(() =>
        {
            int count = result.GetValue(shards);
            if (count < 1)
            {
                throw new TesseraException("--shards must be at least 1.");
            }

            ITileCodec codec = TileCodecs.Create(options.Codec(result), out _);
            using var disposeCodec = codec as IDisposable;
            Print(BuildPlanReport.Describe(options.ToRequest(result, BuildOptions.ParseLayout(result.GetValue(layout)!)), codec, count));
            return 0;
        }));
        return command;
    }

    private static void Print(BuildPlanReport p)
    {
        var inv = CultureInfo.InvariantCulture;
        void Line(string label, string value) => Console.WriteLine(string.Create(inv, $"{label,-18}{value}"));
        if (p.Columns > 0)
        {
            Line("grid", string.Create(inv, $"{p.Columns}×{p.Rows} cells, {p.TilesPresent:N0} tiles, {p.TilesMissing:N0} missing"));
            Line("input tiles", string.Create(inv, $"{p.TileWidth}×{p.TileHeight} px, overlap {p.OverlapX}×{p.OverlapY} px"));
        }
        else
        {
            Line("tiles", string.Create(inv, $"{p.TilesPresent:N0} at the positions given, the first {p.TileWidth}×{p.TileHeight} px"));
        }
        Line("mosaic", string.Create(inv, $"{p.Geometry.Width:N0}×{p.Geometry.Height:N0} px ({(double)p.Geometry.Width * p.Geometry.Height / 1e9:F2} gigapixels)"));
        Line("output", Output(p));
        Line("levels", Levels(p));
        Line("output tiles", string.Create(inv, $"{p.OutputTiles:N0}"));
        Line("output size", p.Lossless
            ? $"at most {FormatBytes(p.OutputBytes)} (the samples uncompressed; lossless compression makes it smaller by what the content allows)"
            : $"about {FormatBytes(p.OutputBytes)} (assuming the output compresses like the input)");
        Line("blocks (round 1)", string.Create(inv, $"{p.Blocks:N0}"));
        MemoryEstimate m = p.PeakMemory;
        Line("peak memory", string.Create(inv,
            $"about {FormatBytes(m.TotalBytes)} per process with {p.Threads} thread{(p.Threads == 1 ? "" : "s")}: {FormatBytes(m.BaseBytes)} runtime and codecs, {FormatBytes(m.PixelBytes)} pixels (with the threads, not the grid), {FormatBytes(m.GridBytes)} with the grid's {p.TilesPresent:N0} tiles"));
        if (p.Shards.Count > 1 && !p.AllowsShards)
        {
            Line("shards", $"none: --layout {BuildOptions.LayoutName(p.Layout)} is one file indexed at the end, which one build writes whole");
        }
        else if (p.Shards.Count > 1)
        {
            Console.WriteLine();
            Console.WriteLine("shard   blocks        tiles    work");
            foreach (ShardWork s in p.Shards)
            {
                Console.WriteLine(string.Create(inv, $"{s.Index,5} {s.Blocks,8:N0} {s.Tiles,12:N0} {100 * s.Share,6:F1} %"));
            }

            Console.WriteLine("then --finish builds the remaining levels (under 1 % of the work).");
        }
    }

    /// <summary>What the build writes, as the user finds it on disk.</summary>
    private static string Output(BuildPlanReport p) => p.Layout switch
    {
        PyramidLayout.OmeTiff => $"{p.Output} (one pyramidal BigTIFF)",
        PyramidLayout.OmeZarr => string.Create(CultureInfo.InvariantCulture, $"{p.Output} (a folder: {p.OutputLevels} zarr arrays, one file per chunk)"),
        PyramidLayout.Iiif3 => $"{Path.GetDirectoryName(p.Output)} (IIIF tiles and info.json)",
        _ => $"{p.Output} and {Tessera.Outputs.DziPaths.FilesFolderName(Path.GetFileNameWithoutExtension(p.Output))}/",
    };

    /// <summary>The output's levels: Deep Zoom's run from 1×1 up, the others' from the full size down to the first level in one tile.</summary>
    private static string Levels(BuildPlanReport p)
    {
        var inv = CultureInfo.InvariantCulture;
        DziGeometry g = p.Geometry;
        if (p.Layout == PyramidLayout.DeepZoom)
        {
            return string.Create(inv, $"{g.LevelCount} (0-{g.TopLevel}), tiles {g.TileSize} px + {g.Overlap} overlap");
        }

        var (w, h) = g.LevelSize(g.TopLevel - p.OutputLevels + 1);
        string overlap = g.Overlap > 0 ? string.Create(inv, $" + {g.Overlap} overlap") : ", no overlap";
        return string.Create(inv, $"{p.OutputLevels}, {g.Width:N0}×{g.Height:N0} px down to {w}×{h}, tiles {g.TileSize} px{overlap}");
    }

    private static string FormatBytes(long bytes) => bytes switch
    {
        >= 1L << 40 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 40):F1} TiB"),
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F1} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):F0} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F0} KiB"),
    };
}
