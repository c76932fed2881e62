using Tessera.Build;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Pyramid;
using Tessera.Samples;

namespace Tessera.Tests.Support;

/// <summary>Small generated tile sets and builds of them, for tests.</summary>
public static class Samples
{
    public static SampleOptions Small(TileFormat format = TileFormat.Jpeg, PixelFormat pixels = PixelFormat.Rgbx8888) => new()
    {
        Across = 4, Down = 3, TileWidth = 160, TileHeight = 120, OverlapX = 16, OverlapY = 12,
        Encode = new EncodeSettings(format, 90), PixelFormat = pixels,
    };

    public static BuildRequest Request(string input, string output, SampleOptions sample, string pattern = "{x}_{y}.jpg") => new()
    {
        InputDirectory = input,
        OutputPath = output,
        Layout = new LayoutOptions(pattern),
        Overlap = new OverlapSpec(sample.OverlapX, sample.OverlapY, IsPercent: false),
        Pyramid = new PyramidOptions { TileSize = 64, Threads = 2 },
    };

    /// <summary>The 8×6 JPEG grid that tests of whole processes (kills, locks, zips) build, written into DIR/tiles on first use.</summary>
    public static string ProcessGrid(TempDirectory dir)
    {
        string tiles = dir.Combine("tiles");
        if (!Directory.Exists(tiles))
        {
            SampleGrid.Write(tiles, Small(TileFormat.Jpeg) with { Across = 8, Down = 6 });
        }

        return tiles;
    }

    /// <summary><c>tessera build</c> of <see cref="ProcessGrid"/> into 8 px tiles: many tiles, each quick, so a run can be stopped part-way.</summary>
    public static string[] ProcessBuild(TempDirectory dir, string output, params string[] extra) =>
        ["build", ProcessGrid(dir), output, "--overlap", "16,12", "--tile-size", "8", "--threads", "2", .. extra];
}
