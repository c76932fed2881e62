using NetVips;
using Tessera.Layout;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>Every sequential order and start corner against hand-written answers: which file lands in which cell.</summary>
public sealed class SequentialLayoutTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private void Touch(params string[] names)
    {
        foreach (string name in names)
        {
            File.WriteAllBytes(_dir.Combine(name), [0]);
        }
    }

    /// <summary>The grid as rows of file numbers ("_" for an empty cell), rows separated by " / ".</summary>
    private static string Picture(TileGrid grid)
    {
        var rows = new List<string>();
        for (int row = 0; row < grid.Rows; row++)
        {
            var cells = new List<string>();
            for (int column = 0; column < grid.Columns; column++)
            {
                cells.Add(grid[column, row] is { } path ? Path.GetFileNameWithoutExtension(path).Split('_')[^1].TrimStart('0') : "_");
            }

            rows.Add(string.Join(' ', cells));
        }

        return string.Join(" / ", rows);
    }

    // Six files numbered 1..6 on a grid 3 across and 2 down.
    [Theory]
    [InlineData(TileOrder.RowMajor, StartCorner.TopLeft, "1 2 3 / 4 5 6")]
    [InlineData(TileOrder.RowMajor, StartCorner.TopRight, "3 2 1 / 6 5 4")]
    [InlineData(TileOrder.RowMajor, StartCorner.BottomLeft, "4 5 6 / 1 2 3")]
    [InlineData(TileOrder.RowMajor, StartCorner.BottomRight, "6 5 4 / 3 2 1")]
    [InlineData(TileOrder.ColumnMajor, StartCorner.TopLeft, "1 3 5 / 2 4 6")]
    [InlineData(TileOrder.ColumnMajor, StartCorner.TopRight, "5 3 1 / 6 4 2")]
    [InlineData(TileOrder.ColumnMajor, StartCorner.BottomLeft, "2 4 6 / 1 3 5")]
    [InlineData(TileOrder.ColumnMajor, StartCorner.BottomRight, "6 4 2 / 5 3 1")]
    [InlineData(TileOrder.SnakeRows, StartCorner.TopLeft, "1 2 3 / 6 5 4")]
    [InlineData(TileOrder.SnakeRows, StartCorner.TopRight, "3 2 1 / 4 5 6")]
    [InlineData(TileOrder.SnakeRows, StartCorner.BottomLeft, "6 5 4 / 1 2 3")]
    [InlineData(TileOrder.SnakeRows, StartCorner.BottomRight, "4 5 6 / 3 2 1")]
    [InlineData(TileOrder.SnakeColumns, StartCorner.TopLeft, "1 4 5 / 2 3 6")]
    [InlineData(TileOrder.SnakeColumns, StartCorner.TopRight, "5 4 1 / 6 3 2")]
    [InlineData(TileOrder.SnakeColumns, StartCorner.BottomLeft, "2 3 6 / 1 4 5")]
    [InlineData(TileOrder.SnakeColumns, StartCorner.BottomRight, "6 3 2 / 5 4 1")]
    public void Every_order_and_start_corner_places_each_file_in_its_cell(TileOrder order, StartCorner start, string expected)
    {
        Touch("tile_1.tif", "tile_2.tif", "tile_3.tif", "tile_4.tif", "tile_5.tif", "tile_6.tif");
        Assert.Equal(expected, Picture(GridScanner.Scan(_dir.Path, new LayoutOptions("tile_{i}.tif", order, Across: 3, Start: start))));
        Assert.Equal(expected, Picture(GridScanner.Scan(_dir.Path, new LayoutOptions("tile_{i}.tif", order, Down: 2, Start: start))));
        Assert.Equal(expected, Picture(GridScanner.Scan(_dir.Path, new LayoutOptions("tile_{i}.tif", order, Across: 3, Down: 2, Start: start))));
    }

    [Fact]
    public void Snake_grid_with_two_missing_cells_keeps_every_tile_in_its_cell()
    {
        // 4 across, 3 down, serpentine from the bottom-right corner; numbers 6 and 11 were never taken.
        foreach (int i in Enumerable.Range(1, 12).Except([6, 11]))
        {
            Touch($"tile_{i:D3}.tif");
        }

        TileGrid grid = GridScanner.Scan(_dir.Path, new LayoutOptions("tile_{iii}.tif", TileOrder.SnakeRows, Across: 4, Down: 3, Start: StartCorner.BottomRight));
        Assert.Equal("12 _ 10 9 / 5 _ 7 8 / 4 3 2 1", Picture(grid));
        Assert.Equal([(1, 0), (1, 1)], grid.MissingCells());
    }

    [Fact]
    public void A_missing_last_tile_needs_both_sides_to_keep_the_grid()
    {
        // Column by column, 2 down: 1..5 are there, 6 is not. With --down alone the grid is 3 across from the numbers.
        Touch("1.png", "2.png", "3.png", "4.png", "5.png");
        TileGrid grid = GridScanner.Scan(_dir.Path, new LayoutOptions(null, TileOrder.ColumnMajor, Down: 2));
        Assert.Equal("1 3 5 / 2 4 _", Picture(grid));
        TileGrid wider = GridScanner.Scan(_dir.Path, new LayoutOptions(null, TileOrder.ColumnMajor, Across: 4, Down: 2));
        Assert.Equal("1 3 5 _ / 2 4 _ _", Picture(wider));
    }

    [Fact]
    public void Numbers_beyond_the_given_grid_are_refused()
    {
        Touch("1.png", "2.png", "3.png", "7.png");
        var e = Assert.Throws<LayoutException>(() => GridScanner.Scan(_dir.Path, new LayoutOptions(null, TileOrder.SnakeRows, Across: 2, Down: 3)));
        Assert.Contains("7.png", e.Message);
        Assert.Contains("2×3", e.Message);
    }

    [Theory]
    [InlineData(TileOrder.ColumnMajor)]
    [InlineData(TileOrder.SnakeColumns)]
    [InlineData(TileOrder.SnakeRows)]
    public void Sequential_orders_need_a_side(TileOrder order)
    {
        Touch("1.png");
        var e = Assert.Throws<LayoutException>(() => GridScanner.Scan(_dir.Path, new LayoutOptions(null, order)));
        Assert.Equal(["Layout.Order", "Layout.Across", "Layout.Down"], e.Properties);
        Assert.DoesNotContain("--", e.Message);
    }

    [Fact]
    public void The_command_names_its_options_where_the_engine_names_request_properties()
    {
        Touch("1.png");
        var r = CliRunner.Run("build", _dir.Path, Path.Combine(_dir.Path, "out.dzi"), "--order", "snake-rows");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--order snake-rows needs --across N (tiles in a row) or --down N (tiles in a column)", r.Error);
        Assert.DoesNotContain("Layout.", r.Error);
    }

    [Fact]
    public void Row_and_column_names_with_r_and_c_and_padding()
    {
        Touch("r001_c001.tif", "r001_c002.tif", "r002_c001.tif", "r002_c003.tif");
        TileGrid grid = GridScanner.Scan(_dir.Path, new LayoutOptions("r{rrr}_c{ccc}.tif"));
        Assert.Equal((3, 2), (grid.Columns, grid.Rows));
        Assert.Equal("r001_c002.tif", Path.GetFileName(grid[1, 0]));
        Assert.Equal("r002_c003.tif", Path.GetFileName(grid[2, 1]));
        Assert.Equal([(2, 0), (1, 1)], grid.MissingCells());
    }

    [Theory]
    [InlineData("{x}_{c}.tif")]
    [InlineData("{r}_{yy}.tif")]
    [InlineData("{c}.tif")]
    public void Column_or_row_named_twice_or_alone_is_refused(string pattern)
    {
        Assert.Throws<LayoutException>(() => FilenamePattern.Parse(pattern));
    }

    [Fact]
    public void Start_corner_changes_the_job_description()
    {
        var a = new LayoutOptions(null, TileOrder.SnakeRows, Across: 3);
        Assert.NotEqual(a.Describe(), (a with { Start = StartCorner.BottomRight }).Describe());
        Assert.NotEqual(a.Describe(), (a with { Down = 2 }).Describe());
        Assert.Equal("Pattern (default) across=-", new LayoutOptions().Describe());
    }

    /// <summary>
    /// End to end through the command line: tile k of a snake-by-columns grid from the top-right,
    /// with one number missing, is a flat grey of level 20·k; every cell centre of the top level of
    /// the PNG pyramid shows the grey of the file that belongs there, the missing cell the background.
    /// </summary>
    [Fact]
    public void Cli_snake_by_columns_build_puts_every_tile_in_its_cell()
    {
        const int across = 3, down = 3, size = 40;
        string tiles = _dir.Combine("tiles");
        Directory.CreateDirectory(tiles);
        foreach (int k in Enumerable.Range(1, 9).Where(k => k != 5))
        {
            using Image tile = Image.Black(size, size).NewFromImage(20 * k).Cast(Enums.BandFormat.Uchar);
            tile.Pngsave(Path.Combine(tiles, $"img{k:D2}.png"));
        }

        string output = _dir.Combine("out.dzi");
        var r = CliRunner.Run("build", tiles, output, "--order", "snake-by-columns", "--down", "3", "--start", "top-right",
            "--pattern", "img{ii}.png", "--format", "png", "--background", "255");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("(1,1)", r.Error);

        // Column 2 downwards 1,2,3; column 1 upwards 4,(5),6; column 0 downwards 7,8,9.
        int[,] expected = { { 7, 6, 1 }, { 8, 0, 2 }, { 9, 4, 3 } };
        string top = Directory.GetDirectories(_dir.Combine("out_files")).OrderBy(d => int.Parse(Path.GetFileName(d), System.Globalization.CultureInfo.InvariantCulture)).Last();
        using Image level = Image.NewFromFile(Path.Combine(top, "0_0.png"));
        Assert.Equal((across * size, down * size), (level.Width, level.Height));
        for (int row = 0; row < down; row++)
        {
            for (int column = 0; column < across; column++)
            {
                int k = expected[row, column];
                double value = level.Getpoint((column * size) + (size / 2), (row * size) + (size / 2))[0];
                Assert.True(value == (k == 0 ? 255 : 20 * k), $"cell ({column},{row}): grey {value}, expected file {k}");
            }
        }
    }
}
