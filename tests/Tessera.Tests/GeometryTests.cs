using Tessera.Imaging;
using Tessera.Pyramid;
using Xunit;

namespace Tessera.Tests;

public sealed class GeometryTests
{
    [Fact]
    public void Level_sizes_halve_with_ceiling_down_to_one_pixel()
    {
        var g = new DziGeometry(5, 3, 254, 1);
        Assert.Equal(3, g.TopLevel);
        Assert.Equal([(1, 1), (2, 1), (3, 2), (5, 3)], Enumerable.Range(0, 4).Select(g.LevelSize));
    }

    [Theory]
    [InlineData(1, 1, 0)]
    [InlineData(2, 1, 1)]
    [InlineData(1024, 1, 10)]
    [InlineData(1025, 7, 11)]
    [InlineData(36080, 27060, 16)]
    public void Top_level_is_the_number_of_halvings_to_one_pixel(int width, int height, int top)
    {
        Assert.Equal(top, new DziGeometry(width, height, 254, 1).TopLevel);
    }

    [Fact]
    public void Tiles_are_cores_widened_by_the_overlap_and_clipped()
    {
        var g = new DziGeometry(600, 300, 254, 1);
        Assert.Equal((3, 2), g.TileCount(g.TopLevel));
        Assert.Equal(new PixelRect(0, 0, 255, 255), g.TileRect(g.TopLevel, 0, 0));
        Assert.Equal(new PixelRect(253, 253, 256, 47), g.TileRect(g.TopLevel, 1, 1));
        Assert.Equal(new PixelRect(507, 0, 93, 255), g.TileRect(g.TopLevel, 2, 0));
    }

    [Fact]
    public void Total_tile_count_sums_every_level()
    {
        var g = new DziGeometry(600, 300, 254, 1);
        long expected = Enumerable.Range(0, g.LevelCount).Sum(l => (long)g.TileCount(l).Columns * g.TileCount(l).Rows);
        Assert.Equal(expected, g.TotalTileCount());
        Assert.Equal(6 + 2 + 9, expected); // 600×300, 300×150, then nine levels of one tile
    }
}
