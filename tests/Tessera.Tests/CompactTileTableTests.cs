using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Tessera.Build;
using Tessera.Layout;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>The compact tile table and input fingerprint give back exactly what a plain array of paths gave.</summary>
public sealed class CompactTileTableTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Paths in the grid folder, in a subfolder, outside it, with non-ASCII names, and empty cells.</summary>
    private static string?[] MixedCells()
    {
        string folder = Path.Combine("/data", "scan ü");
        var cells = new string?[6 * 4];
        for (int i = 0; i < cells.Length; i++)
        {
            cells[i] = Path.Combine(folder, $"tile_{i % 6}_{i / 6}.jpg");
        }

        cells[3] = null;
        cells[7] = Path.Combine("/elsewhere", "other.jpg");
        cells[8] = Path.Combine(folder, "sub", "nested.tif");
        cells[11] = Path.Combine(folder, "ñandú 🦤.png");
        cells[12] = null;
        cells[20] = "relative.jpg";
        cells[23] = Path.Combine("/data", "scan", "near miss.jpg"); // shares a prefix of the folder's name, not the folder
        return cells;
    }

    [Fact]
    public void The_grid_returns_every_cells_path_as_given()
    {
        string?[] cells = MixedCells();
        string?[] given = (string?[])cells.Clone();
        var grid = new TileGrid(6, 4, cells);

        Span<char> buffer = stackalloc char[512];
        for (int row = 0; row < 4; row++)
        {
            for (int column = 0; column < 6; column++)
            {
                string? expected = given[(row * 6) + column];
                Assert.Equal(expected, grid[column, row]);
                Assert.Equal(Path.GetFileName(expected) ?? string.Empty, grid.FileName(column, row, buffer).ToString());
                Assert.Equal(Path.GetFileName(expected) ?? string.Empty, grid.FileName(column, row, new char[2]).ToString());
            }
        }

        Assert.Equal(given.Count(c => c is not null), grid.PresentCount);
        Assert.Equal(given.Where(c => c is not null), grid.Files());
        Assert.Equal([(3, 0), (0, 2)], grid.MissingCells().ToArray());
        Assert.Equal(given.First(c => c is not null), grid.FirstTile);
    }

    [Fact]
    public void A_grid_with_no_files_is_refused()
    {
        var error = Assert.Throws<LayoutException>(() => new TileGrid(2, 2, new string?[4]));
        Assert.Contains("no tiles", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_fingerprint_digest_is_the_one_builds_before_recorded()
    {
        string input = _dir.Combine("in");
        Directory.CreateDirectory(Path.Combine(input, "sub"));
        var files = new List<string>();
        for (int i = 0; i < 40; i++)
        {
            string path = Path.Combine(input, i % 7 == 0 ? "sub" : string.Empty, $"t é{i}.jpg");
            File.WriteAllBytes(path, new byte[i * 13]);
            File.SetLastWriteTimeUtc(path, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(i * 1.5));
            files.Add(path);
        }

        files.Add(Path.Combine(input, "missing.jpg"));
        files.Add(_dir.Combine("outside.jpg"));
        File.WriteAllBytes(files[^1], [1, 2, 3]);

        // The list as builds before wrote it: one line a file, "size<TAB>ticks<TAB>relative name", each hashed with its newline.
        var text = new StringBuilder();
        foreach (string file in files)
        {
            var info = new FileInfo(file);
            string name = Path.GetRelativePath(input, file);
            text.Append(CultureInfo.InvariantCulture, $"{(info.Exists ? info.Length : -1)}\t{(info.Exists ? info.LastWriteTimeUtc.Ticks : 0)}\t{name}\n");
        }

        string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16].ToLowerInvariant();
        Assert.Equal($"{files.Count} files, sha256 {hash}", InputFingerprint.Of(input, files).Digest);
    }
}
