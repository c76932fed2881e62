using NetVips;
using Tessera.Build;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Pyramid;
using Tessera.Samples;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>
/// Tessera's pyramid against libvips': the same mosaic composed as one image with NetVips and cut
/// by <c>dzsave</c> must give the same .dzi, the same tiles and, losslessly, the same pixels (±1).
/// </summary>
public sealed class ReferencePyramidTests
{
    public sealed record Case(
        string Name, int Across, int Down, int TileWidth, int TileHeight, int OverlapX, int OverlapY,
        int TileSize = 254, int TileOverlap = 1, int BlockLevels = 4, long InMemoryLevelBytes = 8L << 20)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Case> Cases() => new()
    {
        new Case("single tile", 1, 1, 300, 200, 0, 0),
        new Case("one row", 5, 1, 120, 90, 12, 9),
        new Case("one column", 1, 4, 120, 90, 12, 9, TileSize: 64),
        new Case("odd sizes, not a multiple of the tile size", 3, 3, 257, 191, 13, 7, TileSize: 64),
        new Case("blocks then whole", 6, 5, 200, 150, 20, 15, TileSize: 32),
        new Case("two block rounds, levels on disk", 6, 5, 200, 150, 20, 15, TileSize: 32, BlockLevels: 2, InMemoryLevelBytes: 0),
        new Case("one-level blocks, wide tile overlap", 4, 3, 130, 110, 10, 10, TileSize: 20, TileOverlap: 3, BlockLevels: 1),
        new Case("three-level blocks, no tile overlap, odd tile size", 5, 4, 150, 100, 30, 20, TileSize: 17, TileOverlap: 0, BlockLevels: 3),
        new Case("tile overlap half the tile, last tile row thinner than it", 2, 2, 40, 30, 4, 3, TileSize: 2, TileOverlap: 1),
        new Case("tile overlap one less than the tile, last tile row thinner than it", 2, 2, 40, 30, 4, 3, TileSize: 4, TileOverlap: 3),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Png_pyramid_matches_vips_dzsave_of_the_composed_mosaic(Case c)
    {
        using var dir = new TempDirectory();
        var sample = new SampleOptions
        {
            Across = c.Across, Down = c.Down, TileWidth = c.TileWidth, TileHeight = c.TileHeight,
            OverlapX = c.OverlapX, OverlapY = c.OverlapY, Encode = new EncodeSettings(TileFormat.Png),
        };
        SampleGrid.Write(dir.Combine("tiles"), sample);

        BuildResult result = PyramidBuild.Run(new BuildRequest
        {
            InputDirectory = dir.Combine("tiles"),
            OutputPath = dir.Combine("out", "tessera.dzi"),
            Layout = new LayoutOptions("{x}_{y}.png"),
            Overlap = new OverlapSpec(c.OverlapX, c.OverlapY, IsPercent: false),
            Pyramid = new PyramidOptions
            {
                TileSize = c.TileSize, Overlap = c.TileOverlap, Encode = new EncodeSettings(TileFormat.Png),
                BlockLevels = c.BlockLevels, InMemoryLevelBytes = c.InMemoryLevelBytes, Threads = 2,
            },
        });

        string reference = dir.Combine("ref", "vips.dzi");
        Directory.CreateDirectory(Path.GetDirectoryName(reference)!);
        TileGrid grid = GridScanner.Scan(dir.Combine("tiles"), new LayoutOptions("{x}_{y}.png"));
        using Image composed = VipsReference.Compose(grid, c.TileWidth, c.TileHeight, c.OverlapX, c.OverlapY, Rgb.Black, bands: 3);
        VipsReference.Dzsave(composed, reference, ".png", c.TileSize, c.TileOverlap);

        Assert.Equal((composed.Width, composed.Height), (result.Geometry.Width, result.Geometry.Height));
        PyramidComparison.AssertSamePixels(reference, result.Output, maxDifference: 0);
        Assert.Equal(PyramidComparison.TileNames(reference).Length, result.TilesWritten);
        Assert.Empty(Directory.GetFiles(dir.Combine("out"), "*.raw"));
    }
}
