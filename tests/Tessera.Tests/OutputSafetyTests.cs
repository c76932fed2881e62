using Tessera.Build;
using Tessera.Codecs;
using Tessera.Pyramid;
using Tessera.Samples;
using Tessera.Outputs;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>
/// A build never removes or writes into what it did not make, never builds over its own input,
/// and never continues over input that changed since it began.
/// </summary>
public sealed class OutputSafetyTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly SampleOptions _sample = Support.Samples.Small(TileFormat.Jpeg);

    public OutputSafetyTests() => SampleGrid.Write(Tiles, _sample);

    private string Tiles => _dir.Combine("tiles");

    /// <summary>A build of the sample with blocks enough (16 px tiles) for shards to split.</summary>
    private BuildRequest Request(string output) => Support.Samples.Request(Tiles, output, _sample) with
    {
        Pyramid = new PyramidOptions { TileSize = 16, Threads = 2 },
    };

    private BuildRequest Iiif(string output, string? input = null) => Support.Samples.Request(input ?? Tiles, output, _sample) with
    {
        PyramidLayout = PyramidLayout.Iiif3,
        Pyramid = new PyramidOptions { TileSize = 256, Overlap = 0, Threads = 2 },
    };

    private string[] Cli(params string[] args) => ["build", Tiles, .. args, "--overlap", "16,12", "--threads", "2"];

    [Fact]
    public void Overwrite_leaves_a_folder_Tessera_did_not_make_as_it_was()
    {
        string results = _dir.Combine("results");
        Directory.CreateDirectory(results);
        File.WriteAllText(Path.Combine(results, "thesis.txt"), "years of work");

        foreach (bool overwrite in new[] { false, true })
        {
            var e = Assert.ThrowsAny<TesseraException>(() => PyramidBuild.Run(Iiif(results) with { Overwrite = overwrite }));
            Assert.Contains(results, e.Message);
            Assert.Contains("not made by Tessera", e.Message);
            Assert.DoesNotContain("overwrite", e.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(["thesis.txt"], Directory.GetFileSystemEntries(results).Select(Path.GetFileName));
            Assert.False(Directory.Exists(_dir.Combine("results.tessera")));
        }
    }

    [Fact]
    public void The_command_refuses_a_foreign_folder_without_recommending_overwrite()
    {
        string results = _dir.Combine("results");
        Directory.CreateDirectory(results);
        File.WriteAllText(Path.Combine(results, "thesis.txt"), "years of work");

        var plain = CliRunner.Run(Cli(results, "--layout", "iiif3"));
        var forced = CliRunner.Run(Cli(results, "--layout", "iiif3", "--overwrite"));
        foreach (var r in new[] { plain, forced })
        {
            Assert.Equal(1, r.ExitCode);
            string line = Assert.Single(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("not made by Tessera", line);
            Assert.DoesNotContain("--overwrite", line);
        }

        Assert.Equal("years of work", File.ReadAllText(Path.Combine(results, "thesis.txt")));
    }

    [Fact]
    public void A_deep_zoom_tile_folder_Tessera_did_not_make_is_kept_with_overwrite()
    {
        string files = _dir.Combine("out", "p_files");
        Directory.CreateDirectory(files);
        File.WriteAllText(Path.Combine(files, "notes.txt"), "mine");

        var e = Assert.ThrowsAny<TesseraException>(() => PyramidBuild.Run(Request(_dir.Combine("out", "p.dzi")) with { Overwrite = true }));
        Assert.Contains(files, e.Message);
        Assert.Contains("not made by Tessera", e.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(files, "notes.txt")));
        Assert.False(File.Exists(_dir.Combine("out", "p.dzi")));
    }

    [Fact]
    public void An_output_that_contains_the_input_is_refused_and_the_input_kept()
    {
        int before = Directory.GetFiles(Tiles).Length;

        // IIIF output "DIR" over DIR/tiles, and a Deep Zoom output whose tile folder is the input folder.
        var iiif = Assert.ThrowsAny<TesseraException>(() => PyramidBuild.Run(Iiif(_dir.Path) with { Overwrite = true }));
        Assert.Contains("contains the input folder", iiif.Message);
        Directory.Move(Tiles, _dir.Combine("tiles_files"));
        File.WriteAllText(_dir.Combine("tiles_files", OutputFolder.MarkerName), "Made by Tessera.\n"); // even one that looks like Tessera's
        var same = Assert.ThrowsAny<TesseraException>(() => PyramidBuild.Run(Request(_dir.Combine("tiles.dzi")) with
        {
            InputDirectory = _dir.Combine("tiles_files"),
            Overwrite = true,
        }));
        Assert.Contains("is the input folder", same.Message);
        Assert.Equal(before, Directory.GetFiles(_dir.Combine("tiles_files"), "*.jpg").Length);
    }

    [Fact]
    public void Overwrite_replaces_what_Tessera_made_and_refuses_a_pyramid_without_its_marker()
    {
        string results = _dir.Combine("results");
        PyramidBuild.Run(Iiif(results));
        Assert.True(OutputFolder.IsMarked(results));
        File.WriteAllText(Path.Combine(results, "stray.txt"), "left by a viewer");
        PyramidBuild.Run(Iiif(results) with { Overwrite = true });
        Assert.False(File.Exists(Path.Combine(results, "stray.txt")));
        Assert.True(File.Exists(Path.Combine(results, "info.json")));

        // As a pyramid from a Tessera before markers would be: refused, and said so.
        File.Delete(Path.Combine(results, OutputFolder.MarkerName));
        var e = Assert.ThrowsAny<TesseraException>(() => PyramidBuild.Run(Iiif(results) with { Overwrite = true }));
        Assert.Contains("Tessera versions before this marker", e.Message);
        Assert.True(File.Exists(Path.Combine(results, "info.json")));
    }

    [Fact]
    public void Removing_a_folder_needs_the_marker_and_takes_everything_with_it()
    {
        string mine = _dir.Combine("mine"), made = _dir.Combine("made");
        Directory.CreateDirectory(Path.Combine(mine, "sub"));
        File.WriteAllText(Path.Combine(mine, "sub", "a.txt"), "kept");
        Assert.ThrowsAny<TesseraException>(() => OutputFolder.Delete(mine));
        Assert.ThrowsAny<TesseraException>(() => OutputFolder.Create(mine));
        Assert.Equal("kept", File.ReadAllText(Path.Combine(mine, "sub", "a.txt")));

        OutputFolder.Create(made);
        Directory.CreateDirectory(Path.Combine(made, "0"));
        File.WriteAllText(Path.Combine(made, "0", "0_0.jpeg"), "tile");
        OutputFolder.Create(made); // again: kept as it is
        Assert.True(File.Exists(Path.Combine(made, "0", "0_0.jpeg")));
        OutputFolder.Delete(made);
        Assert.False(Directory.Exists(made));
    }

    [Fact]
    public void An_empty_folder_is_used_for_the_output()
    {
        string results = _dir.Combine("results");
        Directory.CreateDirectory(results);
        PyramidBuild.Run(Iiif(results));
        Assert.True(File.Exists(Path.Combine(results, "info.json")));
        Assert.True(OutputFolder.IsMarked(results));
    }

    [Fact]
    public void A_resumed_build_on_a_changed_tile_names_it_and_refuses_until_overwrite()
    {
        string output = _dir.Combine("p.dzi");
        PyramidBuild.Run(Request(output) with { Shard = new ShardSpec(0, 2) }); // an unfinished build
        SampleGrid.Write(_dir.Combine("other"), _sample with { Seed = 7 });
        File.Copy(_dir.Combine("other", "1_1.jpg"), Path.Combine(Tiles, "1_1.jpg"), overwrite: true);

        var e = Assert.Throws<RequestException>(() => PyramidBuild.Run(Request(output)));
        Assert.Contains("\"1_1.jpg\"", e.Message);
        Assert.Contains("1 file changed", e.Message);
        Assert.Contains("Overwrite", e.Properties);
        Assert.False(File.Exists(output));

        BuildResult fresh = PyramidBuild.Run(Request(output) with { Overwrite = true });
        Assert.Equal(0, fresh.BlocksSkipped);
        PyramidBuild.Run(Request(_dir.Combine("reference.dzi")));
        PyramidComparison.AssertIdenticalFiles(_dir.Combine("reference.dzi"), output);
    }

    [Fact]
    public void Shards_and_the_finishing_step_refuse_inputs_touched_after_the_first_shard()
    {
        string output = _dir.Combine("p.dzi");
        PyramidBuild.Run(Request(output) with { Shard = new ShardSpec(0, 2) });
        File.SetLastWriteTimeUtc(Path.Combine(Tiles, "3_2.jpg"), DateTime.UtcNow.AddMinutes(5));
        File.Delete(Path.Combine(Tiles, "0_1.jpg"));

        var shard = Assert.Throws<RequestException>(() => PyramidBuild.Run(Request(output) with { Shard = new ShardSpec(1, 2) }));
        Assert.Contains("\"3_2.jpg\" was modified", shard.Message);
        Assert.Contains("\"0_1.jpg\" is gone", shard.Message);
        Assert.Contains("2 files changed", shard.Message);
        var finish = Assert.Throws<RequestException>(() => PyramidBuild.Run(Request(output) with { Finish = true }));
        Assert.Contains("3_2.jpg", finish.Message);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void The_command_names_the_changed_tile_and_the_option_that_starts_over()
    {
        string output = _dir.Combine("p.dzi");
        Assert.Equal(0, CliRunner.Run(Cli(output, "--tile-size", "16", "--shard", "0/2")).ExitCode);
        File.AppendAllText(Path.Combine(Tiles, "2_0.jpg"), "trailing bytes");
        var r = CliRunner.Run(Cli(output, "--tile-size", "16"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("\"2_0.jpg\" is", r.Error);
        Assert.Contains("--overwrite", r.Error);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void An_output_dzi_that_is_a_folder_is_refused_before_anything_is_written()
    {
        Directory.CreateDirectory(_dir.Combine("out", "p.dzi"));
        var e = Assert.ThrowsAny<TesseraException>(() => PyramidBuild.Run(Request(_dir.Combine("out", "p.dzi"))));
        Assert.Contains("p.dzi", e.Message);
        Assert.Contains("is a folder", e.Message);
        Assert.False(Directory.Exists(_dir.Combine("out", "p_files")));
        Assert.False(Directory.Exists(_dir.Combine("out", "p.tessera")));
    }

    [Theory]
    [InlineData(OutputContainer.Directory)]
    [InlineData(OutputContainer.Zip)]
    public void A_rerun_after_a_kill_between_completing_and_the_cleanup_finishes_it(OutputContainer container)
    {
        // The state a SIGKILL right after the .dzi (or .zip) was renamed into place leaves: a
        // complete pyramid and its work folder, with all blocks done.
        string output = _dir.Combine("p.dzi");
        BuildRequest request = Request(output) with { Container = container };
        string complete = container == OutputContainer.Zip ? _dir.Combine("p.zip") : output;
        StopPartWay(request);
        CopyFolder(_dir.Combine("p.tessera"), _dir.Combine("saved.tessera"));
        PyramidBuild.Run(request);
        byte[] written = File.ReadAllBytes(complete);
        CopyFolder(_dir.Combine("saved.tessera"), _dir.Combine("p.tessera"));

        BuildResult rerun = PyramidBuild.Run(request);
        Assert.True(rerun.Complete && rerun.CompletedEarlier);
        Assert.Equal(0, rerun.TilesWritten);
        Assert.False(Directory.Exists(_dir.Combine("p.tessera")));
        Assert.Equal(written, File.ReadAllBytes(complete));

        // Once clean, the same command is refused as any complete output is.
        var again = Assert.Throws<RequestException>(() => PyramidBuild.Run(request));
        Assert.Contains("already exists", again.Message);
    }

    [Fact]
    public void The_command_reports_a_completed_pyramid_with_a_leftover_work_folder()
    {
        string output = _dir.Combine("p.dzi");
        Assert.Equal(0, CliRunner.Run(Cli(output, "--tile-size", "16", "--shard", "0/1")).ExitCode);
        CopyFolder(_dir.Combine("p.tessera"), _dir.Combine("saved.tessera"));
        Assert.Equal(0, CliRunner.Run(Cli(output, "--tile-size", "16", "--finish")).ExitCode);
        CopyFolder(_dir.Combine("saved.tessera"), _dir.Combine("p.tessera"));

        var r = CliRunner.Run(Cli(output, "--tile-size", "16"));
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("already complete", r.Output);
        Assert.DoesNotContain("already exists", r.Error);
        Assert.False(Directory.Exists(_dir.Combine("p.tessera")));
    }

    /// <summary>Runs <paramref name="request"/> until some blocks are done, then stops it (as Ctrl-C does): its work folder is left.</summary>
    private static void StopPartWay(BuildRequest request)
    {
        using var stop = new CancellationTokenSource();
        var progress = new BuildProgress();
        Task build = Task.Run(() => PyramidBuild.Run(request, progress: progress, cancellationToken: stop.Token));
        while (!build.IsCompleted && progress.TilesWritten < 300)
        {
            Thread.Sleep(1);
        }

        stop.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => build.GetAwaiter().GetResult());
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
        }
    }

    public void Dispose() => _dir.Dispose();
}
