using System.Diagnostics;
using Tessera.Build;
using Tessera.Codecs;
using Tessera.Samples;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>One writer per output: a second build, or a second copy of a shard, is refused at once, naming the first; a killed writer blocks nothing.</summary>
public sealed class OutputLockTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private string Tiles() => Support.Samples.ProcessGrid(_dir);

    private string[] Build(string output, params string[] extra) => Support.Samples.ProcessBuild(_dir, output, extra);

    private string Output => _dir.Combine("p.dzi");

    private string WorkFolder => _dir.Combine("p.tessera");

    private string OwnerFile => _dir.Combine("p.tessera.owner");

    [Fact]
    public void A_second_build_of_an_output_being_written_exits_at_once_naming_the_first()
    {
        using ChildProcess first = ChildProcess.Start(Build(Output));
        WaitFor(OwnerFile, first);
        first.Pause(); // still, holding its lock, so that it is surely running when the second starts
        var clock = Stopwatch.StartNew();
        var second = CliRunner.Run(Build(Output));
        clock.Stop();
        Assert.False(first.HasExited, "the first build ended before the second was refused");
        first.Continue();

        Assert.Equal(1, second.ExitCode);
        string message = second.Error.Trim();
        Assert.DoesNotContain('\n', message);
        Assert.Contains($"process {first.Id} on {Environment.MachineName}", message, StringComparison.Ordinal);
        Assert.Contains("started", message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the refusal took {clock.Elapsed}");

        Assert.Equal(0, first.WaitForExit(TimeSpan.FromMinutes(2)).ExitCode);
        Assert.Equal(0, CliRunner.Run(Build(_dir.Combine("alone", "p.dzi"))).ExitCode);
        PyramidComparison.AssertIdenticalFiles(_dir.Combine("alone", "p.dzi"), Output);
        Assert.Empty(Directory.GetFiles(_dir.Path, "p.tessera*"));
    }

    [Fact]
    public void Shards_run_side_by_side_but_a_second_copy_of_one_and_a_whole_build_beside_them_are_refused()
    {
        using ChildProcess shard0 = ChildProcess.Start(Build(Output, "--shard", "0/2"));
        WaitFor(_dir.Combine("p.tessera.shard-0-of-2.owner"), shard0);

        // Held still while the others are tried, holding its locks as a running shard does.
        shard0.Pause();

        var copy = CliRunner.Run(Build(Output, "--shard", "0/2"));
        var whole = CliRunner.Run(Build(Output));
        using ChildProcess other = ChildProcess.Start(Build(Output, "--shard", "1/2"));
        WaitFor(_dir.Combine("p.tessera.shard-1-of-2.owner"), other);
        Assert.False(shard0.HasExited, "shard 0 ended before the others were tried");
        shard0.Continue();

        Assert.Equal(1, copy.ExitCode);
        Assert.Contains($"another copy of shard 0/2: process {shard0.Id} on {Environment.MachineName}", copy.Error, StringComparison.Ordinal);
        Assert.Equal(1, whole.ExitCode);
        Assert.Contains($"shard 0/2 by process {shard0.Id}", whole.Error, StringComparison.Ordinal);

        Assert.Equal(0, shard0.WaitForExit(TimeSpan.FromMinutes(2)).ExitCode);
        var otherResult = other.WaitForExit(TimeSpan.FromMinutes(2));
        Assert.True(otherResult.ExitCode == 0, otherResult.Error);
        Assert.Equal(0, CliRunner.Run(Build(Output, "--finish")).ExitCode);
        Assert.Equal(0, CliRunner.Run(Build(_dir.Combine("alone", "p.dzi"))).ExitCode);
        PyramidComparison.AssertIdenticalFiles(_dir.Combine("alone", "p.dzi"), Output);
        Assert.Empty(Directory.GetFiles(_dir.Path, "p.tessera*"));
    }

    [Fact]
    public void A_killed_writer_leaves_a_lock_file_that_the_rerun_takes_over()
    {
        using (ChildProcess killed = ChildProcess.Start(Build(Output)))
        {
            WaitFor(_dir.Combine("p.tessera", "job.json"), killed);
            Assert.True(File.Exists(OwnerFile));
            killed.Kill();
            killed.WaitForExit(TimeSpan.FromSeconds(30));
        }

        Assert.True(File.Exists(_dir.Combine("p.tessera.lock")), "the killed build left no lock file: the test shows nothing");
        var rerun = CliRunner.Run(Build(Output));
        Assert.True(rerun.ExitCode == 0, rerun.Error);
        Assert.Equal(0, CliRunner.Run(Build(_dir.Combine("alone", "p.dzi"))).ExitCode);
        PyramidComparison.AssertIdenticalFiles(_dir.Combine("alone", "p.dzi"), Output);
        Assert.Empty(Directory.GetFiles(_dir.Path, "p.tessera*"));
    }

    [Fact]
    public void In_one_process_the_whole_output_is_exclusive_and_shards_share_it()
    {
        using (OutputLock.Acquire(Output, WorkFolder, null))
        {
            var e = Assert.Throws<TesseraException>(() => OutputLock.Acquire(Output, WorkFolder, null));
            Assert.Contains($"process {Environment.ProcessId}", e.Message, StringComparison.Ordinal);
            Assert.Throws<TesseraException>(() => OutputLock.Acquire(Output, WorkFolder, new ShardSpec(0, 2)));
        }

        using (OutputLock.Acquire(Output, WorkFolder, new ShardSpec(0, 2)))
        using (OutputLock.Acquire(Output, WorkFolder, new ShardSpec(1, 2)))
        {
            Assert.Throws<TesseraException>(() => OutputLock.Acquire(Output, WorkFolder, new ShardSpec(1, 2)));
            var e = Assert.Throws<TesseraException>(() => OutputLock.Acquire(Output, WorkFolder, null));
            Assert.Contains("2 shard(s)", e.Message, StringComparison.Ordinal);
        }

        using (OutputLock.Acquire(Output, WorkFolder, null))
        {
            // Everything was let go.
        }

        Assert.Empty(Directory.GetFiles(_dir.Path, "p.tessera*"));
    }

    public void Dispose() => _dir.Dispose();

    private static void WaitFor(string file, ChildProcess process)
    {
        var clock = Stopwatch.StartNew();
        while (!File.Exists(file) && !process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            Thread.Sleep(5);
        }

        Assert.True(File.Exists(file), $"\"{file}\" never appeared");
    }
}
