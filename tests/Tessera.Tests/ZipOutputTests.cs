using System.Diagnostics;
using System.IO.Compression;
using Tessera.Codecs;
using Tessera.Pyramid;
using Tessera.Samples;
using Tessera.Outputs;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>--container zip writes the zip directly: the tiles of a folder build, resumable after a kill, in the zip's disk space and little more.</summary>
public sealed class ZipOutputTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private string Tiles() => Support.Samples.ProcessGrid(_dir);

    private string[] Build(string output, params string[] extra) => Support.Samples.ProcessBuild(_dir, output, extra);

    [Fact]
    public void A_zip_holds_the_tiles_of_the_folder_build_in_pyramid_order_and_the_dzi_last()
    {
        Assert.Equal(0, CliRunner.Run(Build(_dir.Combine("folder", "p.dzi"))).ExitCode);
        var zip = CliRunner.Run(Build(_dir.Combine("zip", "p.zip"), "--container", "zip"));
        Assert.True(zip.ExitCode == 0, zip.Error);
        // Beside the zip: the viewer page and its sidecar (pixel size, overlay index), as beside a folder pyramid.
        Assert.Equal(["p.dzi.json", "p.html", "p.zip"], Directory.GetFiles(_dir.Combine("zip")).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        using ZipArchive archive = ZipFile.OpenRead(_dir.Combine("zip", "p.zip"));
        var expected = PyramidOrder(_dir.Combine("folder", "p.dzi")).Select(t => "p_files/" + t).Append("p.dzi").ToList();
        Assert.Equal(expected, archive.Entries.Select(e => e.FullName));
        foreach (ZipArchiveEntry entry in archive.Entries)
        {
            Assert.Equal(entry.Length, entry.CompressedLength);
            string file = entry.FullName == "p.dzi" ? _dir.Combine("folder", "p.dzi") : Path.Combine(_dir.Combine("folder"), entry.FullName);
            Assert.True(File.ReadAllBytes(file).AsSpan().SequenceEqual(ReadAll(entry)), $"entry {entry.FullName} differs from the folder build's file");
        }

        Assert.Equal(0, CliRunner.Run("verify", _dir.Combine("zip", "p.zip")).ExitCode);
        Assert.True(Unzip(_dir.Combine("zip", "p.zip"), out string errors), errors);
    }

    [Fact]
    public void Killed_at_random_points_and_rerun_it_ends_identical_to_an_uninterrupted_zip_build()
    {
        Assert.Equal(0, CliRunner.Run(Build(_dir.Combine("reference", "p.zip"), "--container", "zip")).ExitCode);
        string output = _dir.Combine("p.zip"), partial = _dir.Combine("p.tessera", "p.zip.partial");
        var random = new Random(20261201);
        int kills = 0;
        for (int attempt = 0; attempt < 6 && !File.Exists(output); attempt++)
        {
            using ChildProcess build = ChildProcess.Start(Build(output, "--container", "zip"));
            long target = SizeOf(partial) + random.Next(20_000, 2_000_000);
            var clock = Stopwatch.StartNew();
            while (!build.HasExited && SizeOf(partial) < target && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                Thread.Sleep(5);
            }

            if (!build.HasExited)
            {
                build.Kill();
                build.WaitForExit(TimeSpan.FromSeconds(30));

                // Killed after the rename that completes it, a zip is whole; before, there is none.
                if (File.Exists(output))
                {
                    AssertSameEntries(_dir.Combine("reference", "p.zip"), output);
                }
                else
                {
                    kills++;
                }
            }

            build.WaitForExit(TimeSpan.FromSeconds(30));
        }

        Assert.True(kills >= 2, $"the build finished before it could be killed often enough ({kills} kills)");
        if (!File.Exists(output) || Directory.Exists(_dir.Combine("p.tessera")))
        {
            var last = CliRunner.Run(Build(output, "--container", "zip"));
            Assert.True(last.ExitCode == 0, last.Error);
        }

        Assert.False(Directory.Exists(_dir.Combine("p.tessera")));
        AssertSameEntries(_dir.Combine("reference", "p.zip"), output);
        Assert.Equal(0, CliRunner.Run("verify", output).ExitCode);
    }

    [Fact]
    public void A_zip_build_needs_no_more_disk_than_the_zip_and_a_quarter()
    {
        // Sum of every file in the output's folder (the zip being written, the work folder, temporary levels), sampled while it runs.
        string folder = _dir.Combine("out");
        Directory.CreateDirectory(folder);
        string[] args = ["build", Tiles(), Path.Combine(folder, "p.zip"), "--overlap", "16,12", "--tile-size", "16", "--threads", "2", "--container", "zip"];
        using ChildProcess build = ChildProcess.Start(args);
        long peak = 0;
        while (!build.HasExited)
        {
            peak = Math.Max(peak, BytesIn(folder));
            Thread.Sleep(2);
        }

        Assert.True(build.WaitForExit(TimeSpan.FromSeconds(30)).ExitCode == 0);
        long zip = new FileInfo(Path.Combine(folder, "p.zip")).Length, page = new FileInfo(Path.Combine(folder, "p.html")).Length;
        Assert.True(peak > zip / 2, $"the sampling saw only {peak:N0} bytes of a {zip:N0}-byte zip");
        Assert.True(peak <= (zip * 1.25) + page, $"the build used {peak:N0} bytes of disk at its peak for a {zip:N0}-byte zip");
    }

    [Fact]
    public void A_zip_cut_in_the_middle_of_an_entry_continues_after_the_last_whole_one()
    {
        var paths = new DziPaths(_dir.Combine("p.zip"));
        var geometry = new DziGeometry(100, 80, 16, 1);
        byte[] Tile(int level, int column, int row) => [.. Enumerable.Range(0, 200 + column + row).Select(i => (byte)(i * 7 + level + column * 3 + row))];
        var tiles = new List<(int Level, int Column, int Row)>();
        for (int level = 0; level < geometry.LevelCount; level++)
        {
            var (columns, rows) = geometry.TileCount(level);
            tiles.AddRange(Enumerable.Range(0, columns * rows).Select(i => (level, i % columns, i / columns)));
        }

        using var codec = new SkiaTileCodec();
        var png = new EncodeSettings(TileFormat.Png, 75);
        string work = _dir.Combine("p.tessera");
        using (var first = new DeepZoomZipOutput(paths, work, geometry, codec, png))
        {
            first.Open(geometry.LevelCount);
            foreach (var (level, column, row) in tiles.Take(30))
            {
                first.Write(level, column, row, Tile(level, column, row));
            }
        }

        string partial = _dir.Combine("p.tessera", "p.zip.partial");
        using (var file = new FileStream(partial, FileMode.Open))
        {
            file.SetLength(file.Length - 50); // the 30th entry's data cut short
        }

        using (var second = new DeepZoomZipOutput(paths, work, geometry, codec, png))
        {
            second.Open(geometry.LevelCount);
            Assert.Equal(29, second.TileCount);
            foreach (var (level, column, row) in tiles)
            {
                second.Write(level, column, row, Tile(level, column, row));
            }

            Assert.Equal(tiles.Count, second.TileCount);
            second.Complete(geometry);
        }

        using ZipArchive archive = ZipFile.OpenRead(_dir.Combine("p.zip"));
        Assert.Equal(tiles.Count + 1, archive.Entries.Count);
        foreach (var (level, column, row) in tiles)
        {
            ZipArchiveEntry entry = archive.GetEntry($"p_files/{level}/{column}_{row}.png")!;
            Assert.True(Tile(level, column, row).AsSpan().SequenceEqual(ReadAll(entry)), $"tile {level}/{column}_{row} differs");
        }

        Assert.False(File.Exists(partial));
    }

    [Fact]
    public void Shards_of_a_zip_are_refused_by_their_options_before_anything_is_written()
    {
        var shard = CliRunner.Run(Build(_dir.Combine("p.zip"), "--container", "zip", "--shard", "0/2"));
        Assert.Equal(1, shard.ExitCode);
        Assert.Contains("--container", shard.Error, StringComparison.Ordinal);
        Assert.Contains("--shard", shard.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir.Combine("p.tessera")));
        Assert.False(File.Exists(_dir.Combine("p.zip")));
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>The folder build's tiles as LEVEL/COLUMN_ROW.SUFFIX, by level, then row, then column.</summary>
    private static IEnumerable<string> PyramidOrder(string dzi) => PyramidComparison.TileNames(dzi)
        .Select(name => (Name: name.Replace('\\', '/'), Key: Key(name)))
        .OrderBy(t => t.Key.Level).ThenBy(t => t.Key.Row).ThenBy(t => t.Key.Column)
        .Select(t => t.Name);

    private static (int Level, int Column, int Row) Key(string name)
    {
        string[] parts = Path.GetFileNameWithoutExtension(name.Replace('\\', '/').Replace('/', '_')).Split('_');
        return (int.Parse(parts[0]), int.Parse(parts[1]), int.Parse(parts[2]));
    }

    private static void AssertSameEntries(string expected, string actual)
    {
        using ZipArchive theirs = ZipFile.OpenRead(expected), ours = ZipFile.OpenRead(actual);
        Assert.Equal(theirs.Entries.Select(e => (e.FullName, e.Crc32, e.Length)), ours.Entries.Select(e => (e.FullName, e.Crc32, e.Length)));
        foreach (var (a, b) in theirs.Entries.Zip(ours.Entries))
        {
            Assert.True(ReadAll(a).AsSpan().SequenceEqual(ReadAll(b)), $"entry {a.FullName} differs");
        }
    }

    private static byte[] ReadAll(ZipArchiveEntry entry)
    {
        using Stream stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static long SizeOf(string file) => File.Exists(file) ? new FileInfo(file).Length : 0;

    private static long BytesIn(string folder)
    {
        long total = 0;
        foreach (string file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            try
            {
                total += new FileInfo(file).Length;
            }
            catch (IOException)
            {
                // Removed while it was counted.
            }
        }

        return total;
    }

    private static bool Unzip(string zip, out string errors)
    {
        using var unzip = Process.Start(new ProcessStartInfo("unzip", ["-tqq", zip]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        errors = unzip.StandardError.ReadToEnd() + unzip.StandardOutput.ReadToEnd();
        unzip.WaitForExit();
        return unzip.ExitCode == 0;
    }
}
