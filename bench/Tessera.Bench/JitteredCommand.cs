using System.Globalization;
using Tessera.Tests.Support;

namespace Tessera.Bench;

/// <summary>
/// <c>jittered DIR --content KIND ...</c>: cuts one of the test generator's kinds of content into a
/// jittered grid (vignetting, gain, noise, JPEG) and writes the true positions beside the tiles as
/// <c>truth.tsv</c> (column, row, x, y), for registration-quality.sh to score registrations against.
/// </summary>
internal static class JitteredCommand
{
    public static void Run(CommandArguments args)
    {
        string directory = args.Positional(0, "DIR");
        string content = args.String("content", "photograph");
        var options = new JitteredTileSetOptions
        {
            Content = Enum.Parse<TileSetContent>(content, ignoreCase: true),
            Across = args.Int("across", 6, 1),
            Down = args.Int("down", 6, 1),
            TileWidth = args.Int("width", 192, 32),
            TileHeight = args.Int("height", 160, 32),
            OverlapX = args.Int("overlap-x", 64, 1),
            OverlapY = args.Int("overlap-y", 56, 1),
            Jitter = args.Int("jitter", 16, 0),
            GainSpread = args.Double("gain-spread", 0.1),
            Vignetting = args.Double("vignetting", 0.3),
            Noise = args.Double("noise", 2.5),
            Quality = args.Int("quality", 92, 1),
            Seed = args.Int("seed", 5, 0),
        };
        args.EnsureAllUsed(1);
        JitteredTileSet set = JitteredTileSet.Write(directory, options);
        using var truth = new StreamWriter(Path.Combine(directory, "truth.tsv"));
        truth.WriteLine("column\trow\tx\ty");
        foreach (var ((c, r), (x, y)) in set.Truth.OrderBy(t => t.Key.Row).ThenBy(t => t.Key.Column))
        {
            truth.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{c}\t{r}\t{x}\t{y}"));
        }

        Console.WriteLine($"jittered: {options.Across}x{options.Down} tiles of {content} in {directory}");
    }
}
