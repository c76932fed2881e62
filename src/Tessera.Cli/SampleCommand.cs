using System.CommandLine;
using System.Globalization;
using Tessera.Codecs;
using Tessera.Samples;

namespace Tessera.Cli;

/// <summary><c>tessera sample DIR</c>: writes a synthetic grid of overlapping tiles to try Tessera on.</summary>
internal static class SampleCommand
{
    public static Command Create()
    {
        var directory = new Argument<string>("DIR") { Description = "Folder to write the tiles into (created if needed)." };
        var across = new Option<int>("--across") { Description = "Tiles per row.", DefaultValueFactory = _ => 8 };
        var down = new Option<int>("--down") { Description = "Tiles per column.", DefaultValueFactory = _ => 6 };
        var width = new Option<int>("--tile-width") { Description = "Tile width in pixels.", DefaultValueFactory = _ => 800 };
        var height = new Option<int>("--tile-height") { Description = "Tile height in pixels.", DefaultValueFactory = _ => 600 };
        var overlap = new Option<int>("--overlap-percent") { Description = "Overlap of neighbours, in percent of the tile.", DefaultValueFactory = _ => 10 };
        var format = new Option<string>("--format") { Description = "Tile format: jpeg or png.", DefaultValueFactory = _ => "jpeg" };
        format.AcceptOnlyFromAmong("jpeg", "png");

        var command = new Command("sample", "Write a synthetic grid of overlapping tiles ({x}_{y}.jpg) cut from a made-up tissue image, to try Tessera on.")
        {
            directory, across, down, width, height, overlap, format,
        };
        command.SetAction(result =>
        {
            var options = new SampleOptions
            {
                Across = result.GetValue(across),
                Down = result.GetValue(down),
                TileWidth = result.GetValue(width),
                TileHeight = result.GetValue(height),
                OverlapX = result.GetValue(width) * result.GetValue(overlap) / 100,
                OverlapY = result.GetValue(height) * result.GetValue(overlap) / 100,
                Encode = new EncodeSettings(result.GetValue(format) == "png" ? TileFormat.Png : TileFormat.Jpeg, 90),
            };
            if (options.Across < 1 || options.Down < 1 || options.TileWidth < 1 || options.TileHeight < 1 || result.GetValue(overlap) is < 0 or >= 100)
            {
                Console.Error.WriteLine("tessera: error: --across, --down and the tile size must be at least 1, and --overlap-percent between 0 and 99.");
                return 2;
            }

            IReadOnlyList<string> files = SampleGrid.Write(result.GetValue(directory)!, options);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Wrote {files.Count} tiles ({options.Across}×{options.Down} of {options.TileWidth}×{options.TileHeight} px, overlap {options.OverlapX},{options.OverlapY} px) to {result.GetValue(directory)}."));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Build it with: tessera build {result.GetValue(directory)} OUTPUT.dzi --overlap {options.OverlapX},{options.OverlapY}"));
            return 0;
        });
        return command;
    }
}
