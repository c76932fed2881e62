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
}
