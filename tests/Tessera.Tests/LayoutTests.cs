using Tessera.Compositing;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

public sealed class LayoutTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private string Touch(string name)
    {
        string path = _dir.Combine(name);
        File.WriteAllBytes(path, [0]);
        return path;
    }

    [Theory]
    [InlineData("{x}_{y}.jpg", "0_0.jpg", "1_0.jpg", "0_1.jpg", "1_1.jpg")]
    [InlineData("{x}_{y}.jpg", "1_1.jpg", "2_1.jpg", "1_2.jpg", "2_2.jpg")]
    [InlineData("tile_{xxx}_{yyy}.png", "tile_000_000.png", "tile_001_000.png", "tile_000_001.png", "tile_001_001.png")]
    [InlineData("r{y}_c{x}.jpg", "r01_c01.jpg", "r01_c02.jpg", "r02_c01.jpg", "r02_c02.jpg")]
    public void Pattern_places_zero_padded_and_one_based_names(string pattern, string topLeft, string topRight, string bottomLeft, string bottomRight)
    {
        foreach (string name in new[] { topLeft, topRight, bottomLeft, bottomRight })
        {
            Touch(name);
        }

        Touch("notes.txt");
        TileGrid grid = GridScanner.Scan(_dir.Path, new LayoutOptions(pattern));
        Assert.Equal((2, 2), (grid.Columns, grid.Rows));
        Assert.Equal(topLeft, Path.GetFileName(grid[0, 0]));
        Assert.Equal(topRight, Path.GetFileName(grid[1, 0]));
        Assert.Equal(bottomLeft, Path.GetFileName(grid[0, 1]));
        Assert.Equal(bottomRight, Path.GetFileName(grid[1, 1]));
    }

    [Fact]
    public void Row_major_sorts_by_number_not_lexically()
    {
        for (int i = 1; i <= 12; i++)
        {
            Touch($"{i}.jpg");
        }

        TileGrid grid = GridScanner.Scan(_dir.Path, new LayoutOptions(null, TileOrder.RowMajor, Across: 5));
        Assert.Equal((5, 3), (grid.Columns, grid.Rows));
        Assert.Equal("1.jpg", Path.GetFileName(grid[0, 0]));
        Assert.Equal("2.jpg", Path.GetFileName(grid[1, 0]));
        Assert.Equal("10.jpg", Path.GetFileName(grid[4, 1]));
        Assert.Equal("11.jpg", Path.GetFileName(grid[0, 2]));
        Assert.Equal("12.jpg", Path.GetFileName(grid[1, 2]));
        Assert.Null(grid[2, 2]);
        Assert.Equal(3, grid.MissingCount);
    }

    [Fact]
    public void Row_major_gap_in_numbers_is_a_missing_cell()
    {
        foreach (int i in new[] { 0, 1, 3 })
        {
            Touch($"img_{i:D4}.png");
        }

        TileGrid grid = GridScanner.Scan(_dir.Path, new LayoutOptions("img_{i}.png", TileOrder.RowMajor, Across: 2));
        Assert.Equal([(0, 1)], grid.MissingCells());
        Assert.Equal("img_0003.png", Path.GetFileName(grid[1, 1]));
    }

    [Fact]
    public void Row_major_without_across_is_refused()
    {
        Touch("1.jpg");
        var e = Assert.Throws<LayoutException>(() => GridScanner.Scan(_dir.Path, new LayoutOptions(null, TileOrder.RowMajor)));
        Assert.Contains("Layout.Across", e.Message);
        Assert.Contains("Layout.Across", e.Properties);
    }

    [Fact]
    public void Two_names_for_one_cell_are_refused()
    {
        Touch("1_2.jpg");
        Touch("01_2.jpg");
        var e = Assert.Throws<LayoutException>(() => GridScanner.Scan(_dir.Path, new LayoutOptions()));
        Assert.Contains("1_2.jpg", e.Message);
        Assert.Contains("01_2.jpg", e.Message);
    }

    [Theory]
    [InlineData("{x}.jpg")]
    [InlineData("{x}_{y}_{z}.jpg")]
    [InlineData("plain.jpg")]
    [InlineData("{x}_{x}.jpg")]
    [InlineData("a/{x}_{y}.jpg")]
    public void Malformed_patterns_are_refused(string pattern)
    {
        Assert.Throws<LayoutException>(() => FilenamePattern.Parse(pattern));
    }

    [Theory]
    [InlineData("10%", 800, 600, 80, 60)]
    [InlineData("80,60", 800, 600, 80, 60)]
    [InlineData("25", 800, 600, 25, 25)]
    [InlineData("12.5%", 800, 600, 100, 75)]
    [InlineData("0", 800, 600, 0, 0)]
    public void Overlap_is_a_percentage_or_pixels(string text, int width, int height, int x, int y)
    {
        Assert.Equal((x, y), OverlapSpec.Parse(text).ToPixels(width, height));
    }

    [Theory]
    [InlineData("ten")]
    [InlineData("-5")]
    [InlineData("100%")]
    [InlineData("1,2,3")]
    [InlineData("7.5")]
    public void Bad_overlaps_are_refused(string text)
    {
        Assert.Throws<LayoutException>(() => OverlapSpec.Parse(text));
    }

    [Fact]
    public void Seams_run_through_the_middle_of_each_overlap()
    {
        var grid = new TileGrid(3, 1, ["a", "b", "c"]);
        var mosaic = new GridMosaic(grid, tileWidth: 100, tileHeight: 50, overlapX: 20, overlapY: 0);
        Assert.Equal(260, mosaic.Width);
        Assert.Equal(new PixelRect(0, 0, 90, 50), mosaic.CellRect(0, 0));
        Assert.Equal(new PixelRect(90, 0, 80, 50), mosaic.CellRect(1, 0));
        Assert.Equal(new PixelRect(170, 0, 90, 50), mosaic.CellRect(2, 0));
        Assert.Equal((1, 3, 0, 1), mosaic.CellsMeeting(new PixelRect(95, 10, 80, 5)));
    }

    public void Dispose() => _dir.Dispose();
}
