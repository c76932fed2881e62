using Tessera.Layout;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

public sealed class PositionsFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public PositionsFileTests()
    {
        foreach (string name in new[] { "a.jpg", "b.jpg", "c.jpg" })
        {
            File.WriteAllBytes(_dir.Combine(name), [0]);
        }
    }

    public void Dispose() => _dir.Dispose();

    private string Write(string text)
    {
        string path = _dir.Combine("positions.txt");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Reads_fiji_with_header_comments_blank_lines_and_z_zero()
    {
        string path = Write("# Define the number of dimensions we are working on\ndim = 2\n\n# coordinates\na.jpg; ; (0.0, 0.0)\nb.jpg; ; (719.5, -2.25)\r\nc.jpg;;(1.5e3, 12, 0)\n");
        IReadOnlyList<TilePlacement> p = PositionsFile.Read(path, _dir.Path);
        Assert.Equal(
            [new TilePlacement(_dir.Combine("a.jpg"), 0, 0), new TilePlacement(_dir.Combine("b.jpg"), 719.5, -2.25), new TilePlacement(_dir.Combine("c.jpg"), 1500, 12)],
            p);
        Assert.All(p, t => Assert.Equal((-1, -1), (t.Column, t.Row)));
    }

    [Fact]
    public void Reads_mist_global_positions_with_grid_cells()
    {
        string path = Write("file: a.jpg; corr: 0.9; position: (0, 0); grid: (0, 0);\nfile: b.jpg; corr: NaN; position: (718, 3); grid: (1, 0);\nfile: c.jpg; corr: 0.85; position: (-2, 541); grid: (0, 1);\n");
        IReadOnlyList<TilePlacement> p = PositionsFile.Read(path, _dir.Path);
        Assert.Equal(new TilePlacement(_dir.Combine("b.jpg"), 718, 3, 1, 0), p[1]);
        Assert.Equal(new TilePlacement(_dir.Combine("c.jpg"), -2, 541, 0, 1), p[2]);
    }

    [Fact]
    public void Written_fiji_file_reads_back_exactly()
    {
        var placements = new[]
        {
            new TilePlacement(_dir.Combine("a.jpg"), 0, 0),
            new TilePlacement(_dir.Combine("b.jpg"), 719.987654321, 0.125),
            new TilePlacement(_dir.Combine("c.jpg"), 3.3333333333333335, 540.5),
        };
        string path = _dir.Combine("out", "TileConfiguration.registered.txt");
        PositionsFile.WriteFiji(path, placements, _dir.Path);
        string text = File.ReadAllText(path);
        Assert.Contains("dim = 2\n", text);
        Assert.Contains("b.jpg; ; (719.987654321, 0.125)\n", text);
        Assert.Equal(placements, PositionsFile.Read(path, _dir.Path));
    }

    [Theory]
    [InlineData("dim = 2\na.jpg; ; (0, 0)\nb.jpg; ; (1, 2\n", "line 3")]
    [InlineData("dim = 2\na.jpg; ; (0, 0)\nb.jpg; ; (x, 2)\n", "line 3")]
    [InlineData("dim = 3\na.jpg; ; (0, 0, 0)\n", "dim = 2")]
    [InlineData("dim = 2\na.jpg; ; (0, 0, 5)\n", "z coordinate")]
    [InlineData("dim = 2\na.jpg; ; (0, 0)\na.jpg; ; (5, 0)\n", "listed twice")]
    [InlineData("dim = 2\nnothere.jpg; ; (0, 0)\n", "does not exist")]
    [InlineData("<html>not positions</html>\n", "is not a Fiji TileConfiguration or MIST")]
    [InlineData("# only a comment\n", "lists no tiles")]
    [InlineData("file: a.jpg; corr: 1; position: (0, 0); grid: (0, 0);\nfile: b.jpg; position: (1, 1);\n", "line 2")]
    public void Bad_files_are_refused_naming_file_and_line(string text, string expected)
    {
        string path = Write(text);
        var e = Assert.Throws<PositionsFileException>(() => PositionsFile.Read(path, _dir.Path));
        Assert.Contains(expected, e.Message);
        Assert.Contains("positions.txt", e.Message);
        Assert.IsAssignableFrom<TesseraException>(e);
    }

    [Fact]
    public void A_missing_positions_file_is_a_clear_error()
    {
        var e = Assert.Throws<PositionsFileException>(() => PositionsFile.Read(_dir.Combine("none.txt"), _dir.Path));
        Assert.Contains("none.txt", e.Message);
    }
}
