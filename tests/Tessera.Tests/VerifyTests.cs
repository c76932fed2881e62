using System.Buffers.Binary;
using Tessera.Codecs;
using Tessera.Samples;
using Tessera.Serving;
using Tessera.Tests.Support;
using Tessera.Verification;
using Xunit;

namespace Tessera.Tests;

/// <summary><c>tessera verify</c> passes a sound pyramid and names what is wrong with a damaged one.</summary>
public sealed class VerifyTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _dzi;

    public VerifyTests()
    {
        SampleGrid.Write(_dir.Combine("tiles"), Support.Samples.Small(TileFormat.Jpeg));
        _dzi = _dir.Combine("p.dzi");
        var build = CliRunner.Run("build", _dir.Combine("tiles"), _dzi, "--overlap", "16,12", "--tile-size", "64");
        Assert.True(build.ExitCode == 0, build.Error);
    }

    private string Tile(int level, string name) => Path.Combine(_dir.Combine("p_files"), level.ToString(System.Globalization.CultureInfo.InvariantCulture), name);

    [Fact]
    public void A_sound_pyramid_passes()
    {
        var r = CliRunner.Run("verify", _dzi);
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("sound", r.Output);
    }

    [Fact]
    public void A_deleted_tile_is_named()
    {
        File.Delete(Tile(9, "2_1.jpeg"));
        var r = CliRunner.Run("verify", _dzi);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Level 9: tile 2_1.jpeg is missing", r.Error);
    }

    [Fact]
    public void A_truncated_tile_is_named()
    {
        string path = Tile(9, "1_1.jpeg");
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 3)]);
        var r = CliRunner.Run("verify", _dzi);
        Assert.Equal(1, r.ExitCode);
        Assert.True(r.Error.Contains("Level 9: tile 1_1.jpeg does not decode", StringComparison.Ordinal), $"stderr: {r.Error}\nstdout: {r.Output}");
    }

    [Fact]
    public void A_dzi_with_a_wrong_size_is_caught()
    {
        File.WriteAllText(_dzi, File.ReadAllText(_dzi).Replace("Width=\"592\"", "Width=\"700\""));
        var r = CliRunner.Run("verify", _dzi);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("expected", r.Error);
    }

    [Fact]
    public void A_stray_file_and_a_tile_of_the_wrong_size_are_caught()
    {
        File.WriteAllText(Tile(3, "notes.txt"), "hello");
        File.Copy(Tile(9, "0_0.jpeg"), Tile(9, "9_2.jpeg.tmp"));
        File.Copy(Tile(9, "0_0.jpeg"), Tile(9, "4_2.jpeg"), overwrite: true);
        var r = CliRunner.Run("verify", _dzi);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("unexpected file \"notes.txt\"", r.Error);
        Assert.Contains("unexpected file \"9_2.jpeg.tmp\"", r.Error);
        Assert.Contains("tile 4_2.jpeg is 65×65 px, expected 41×41", r.Error);
    }

    [Fact]
    public void A_missing_dzi_or_a_broken_one_is_refused()
    {
        Assert.Equal(1, CliRunner.Run("verify", _dir.Combine("nothing.dzi")).ExitCode);
        File.WriteAllText(_dzi, "<Image");
        var r = CliRunner.Run("verify", _dzi);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("not a valid .dzi", r.Error);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_zip_is_verified_in_place_on_a_read_only_folder_writing_nothing()
    {
        string folder = _dir.Combine("zip");
        var build = CliRunner.Run("build", _dir.Combine("tiles"), Path.Combine(folder, "p.zip"), "--overlap", "16,12", "--tile-size", "64", "--container", "zip");
        Assert.True(build.ExitCode == 0, build.Error);
        string[] before = Directory.GetFileSystemEntries(folder);
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        try
        {
            CliRunner.Result r = default!;
            List<string> writes = WritesIn(folder, () => r = CliRunner.Run("verify", Path.Combine(folder, "p.zip")));
            Assert.True(r.ExitCode == 0, r.Error);
            Assert.Contains("sound", r.Output, StringComparison.Ordinal);
            Assert.Contains("tiles checked", r.Output, StringComparison.Ordinal);
            Assert.Empty(writes);
            Assert.Equal(before, Directory.GetFileSystemEntries(folder));
        }
        finally
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public void A_damaged_tile_inside_a_zip_is_named_by_its_level_and_tile()
    {
        List<(string Name, byte[] Data)> entries = PyramidEntries();
        int index = entries.FindIndex(e => e.Name == "p_files/9/1_1.jpeg");
        entries[index] = (entries[index].Name, entries[index].Data[..(entries[index].Data.Length / 3)]);
        CraftedZips.WriteStored(_dir.Combine("p.zip"), [.. entries]);

        var r = CliRunner.Run("verify", _dir.Combine("p.zip"));
        Assert.True(r.ExitCode == 1, r.Error);
        Assert.Contains("Level 9: tile 1_1.jpeg does not decode", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tile_damaged_inside_a_zip_after_packing_is_caught_by_its_checksum()
    {
        List<(string Name, byte[] Data)> entries = PyramidEntries();
        byte[] tile = entries.First(e => e.Name == "p_files/9/2_1.jpeg").Data;
        string zip = _dir.Combine("p.zip");
        CraftedZips.WriteStored(zip, [.. entries]);
        byte[] bytes = File.ReadAllBytes(zip);
        int at = bytes.AsSpan().IndexOf(tile);
        Assert.True(at > 0);
        bytes[at + tile.Length / 2] ^= 0x10; // one bit, in the entropy-coded data
        File.WriteAllBytes(zip, bytes);

        var r = CliRunner.Run("verify", zip);
        Assert.True(r.ExitCode == 1, r.Error);
        Assert.Contains("Level 9: tile 2_1.jpeg does not decode", r.Error, StringComparison.Ordinal);
        Assert.Contains("do not match the CRC-32", r.Error, StringComparison.Ordinal);
        Assert.Single(r.Error.Trim().Split('\n').Skip(1));
    }

    [Fact]
    public void A_zip_with_a_deflated_gigabyte_is_refused_by_verify_and_serve_without_inflating_or_writing_it()
    {
        string folder = _dir.Combine("bomb");
        Directory.CreateDirectory(folder);
        string zip = Path.Combine(folder, "p.zip");
        CraftedZips.WriteDeflatedZeros(zip, "p.dzi", File.ReadAllBytes(_dzi), "p_files/9/0_0.jpeg", 1L << 30);
        Assert.True(new FileInfo(zip).Length < 8 << 20, "the test zip should be small");

        // The children get a managed heap far smaller than the entry: holding it would fail them.
        var smallHeap = new Dictionary<string, string?> { ["DOTNET_GCHeapHardLimit"] = "0x10000000" };
        foreach (string command in new[] { "verify", "serve" })
        {
            CliRunner.Result r = default!;
            List<string> writes = WritesIn(folder, () => r = CliRunner.RunWith(smallHeap, command, zip));
            Assert.True(r.ExitCode == 1, $"{command}: exit {r.ExitCode}\n{r.Error}");
            Assert.Contains("entry \"p_files/9/0_0.jpeg\" is compressed (deflate)", r.Error, StringComparison.Ordinal);
            Assert.Empty(writes);
        }

        Assert.Equal([zip], Directory.GetFileSystemEntries(folder));

        // In this process: what opening costs, counted on this thread.
        long before = GC.GetAllocatedBytesForCurrentThread();
        VerifyReport report = PyramidVerifier.VerifyZip(zip, new SkiaTileCodec(), threads: 1);
        Assert.Throws<TesseraException>(() =>
        {
            using PyramidSite site = PyramidSite.Open(zip);
            site.Resolve("/p_files/9/0_0.jpeg");
        });
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.False(report.IsSound);
        Assert.True(allocated < 16 << 20, $"{allocated:N0} bytes allocated to refuse the zip");
    }

    [Theory]
    [InlineData("twice", "appears twice")]
    [InlineData("../p_files/9/0_0.jpeg", "steps out of the zip")]
    [InlineData("p_files/9/../../../escaped.jpeg", "steps out of the zip")]
    [InlineData("/tmp/escaped.jpeg", "has an absolute name")]
    [InlineData("p_files\\9\\escaped.jpeg", "backslash")]
    [InlineData("notes.txt", "is not part of the pyramid")]
    [InlineData("local-size", "disagrees with the central directory")]
    [InlineData("not-a-zip", "is not a readable zip")]
    public void A_zip_with_duplicate_escaping_foreign_or_inconsistent_entries_is_refused_with_exit_1(string entry, string says)
    {
        string zip = _dir.Combine("p.zip");
        List<(string Name, byte[] Data)> entries = PyramidEntries();
        byte[] tile = entries.First(e => e.Name == "p_files/9/0_0.jpeg").Data;
        switch (entry)
        {
            case "twice":
                entries.Add(("p_files/9/0_0.jpeg", tile));
                CraftedZips.WriteStored(zip, [.. entries]);
                break;
            case "local-size":
                CraftedZips.WriteStored(zip, [("p_files/9/0_0.jpeg", tile), .. entries.Where(e => e.Name != "p_files/9/0_0.jpeg")]);
                byte[] bytes = File.ReadAllBytes(zip);
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(22), (uint)tile.Length + 1000); // the first local header's size
                File.WriteAllBytes(zip, bytes);
                break;
            case "not-a-zip":
                File.WriteAllBytes(zip, tile);
                break;
            default:
                entries.Add((entry, tile));
                CraftedZips.WriteStored(zip, [.. entries]);
                break;
        }

        foreach (string command in new[] { "verify", "serve" })
        {
            CliRunner.Result r = CliRunner.Run(command, zip);
            Assert.True(r.ExitCode == 1, $"{command}: exit {r.ExitCode}\n{r.Error}");
            Assert.Contains(says, r.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("internal error", r.Error, StringComparison.Ordinal);
        }

        Assert.Empty(Directory.GetFiles(_dir.Path, "escaped*", SearchOption.AllDirectories));
        Assert.False(File.Exists("/tmp/escaped.jpeg"));
    }

    /// <summary>p.dzi and every tile of the pyramid the constructor built, as zip entries.</summary>
    private List<(string Name, byte[] Data)> PyramidEntries()
    {
        var entries = new List<(string, byte[])> { ("p.dzi", File.ReadAllBytes(_dzi)) };
        foreach (string file in Directory.EnumerateFiles(_dir.Combine("p_files"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            entries.Add(("p_files/" + Path.GetRelativePath(_dir.Combine("p_files"), file).Replace('\\', '/'), File.ReadAllBytes(file)));
        }

        return entries;
    }

    /// <summary>Every file or folder created, changed, renamed or deleted in <paramref name="folder"/> while <paramref name="action"/> ran.</summary>
    private static List<string> WritesIn(string folder, Action action)
    {
        var writes = new List<string>();
        using var watcher = new FileSystemWatcher(folder)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        void Record(object sender, FileSystemEventArgs e)
        {
            lock (writes)
            {
                writes.Add($"{e.ChangeType} {e.FullPath}");
            }
        }

        watcher.Created += Record;
        watcher.Changed += Record;
        watcher.Deleted += Record;
        watcher.Renamed += Record;
        watcher.EnableRaisingEvents = true;
        action();
        Thread.Sleep(500); // inotify events arrive on another thread
        lock (writes)
        {
            return [.. writes];
        }
    }

    public void Dispose() => _dir.Dispose();
}
