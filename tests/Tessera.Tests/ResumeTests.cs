using System.Diagnostics;
using Tessera.Codecs;
using Tessera.Samples;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>A build stopped at any point — SIGKILL or Ctrl-C — and run again ends with the same bytes as an uninterrupted one.</summary>
public sealed class ResumeTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private string Tiles() => Support.Samples.ProcessGrid(_dir);

    private string[] Build(string output, params string[] extra) => Support.Samples.ProcessBuild(_dir, output, extra);

    [Fact]
    public void Killed_at_random_points_and_resumed_gives_the_same_bytes()
    {
        string reference = _dir.Combine("reference.dzi");
        Assert.Equal(0, CliRunner.Run(Build(reference)).ExitCode);

        var random = new Random(20261127);
        string output = _dir.Combine("p.dzi");
        int kills = 0;
        for (int attempt = 0; attempt < 6 && !File.Exists(output); attempt++)
        {
            using ChildProcess build = ChildProcess.Start(Build(output));

            // Let it write a random number of further tiles, then kill it without warning.
            int target = CountFiles(_dir.Combine("p_files")) + random.Next(50, 3000);
            var clock = Stopwatch.StartNew();
            while (!build.HasExited && CountFiles(_dir.Combine("p_files")) < target && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                Thread.Sleep(10);
            }

            if (!build.HasExited)
            {
                build.Kill();
                Assert.False(File.Exists(output), "a build killed before the end had written its .dzi");
                kills++;
            }

            build.WaitForExit(TimeSpan.FromSeconds(30));
        }

        Assert.True(kills >= 2, $"the build finished before it could be killed often enough ({kills} kills)");
        var last = CliRunner.Run(Build(output));
        Assert.True(last.ExitCode == 0, last.Error);
        PyramidComparison.AssertIdenticalFiles(reference, output);
        Assert.False(Directory.Exists(_dir.Combine("p.tessera")));
    }

    [Fact]
    public void Ctrl_c_stops_soon_says_how_to_continue_and_the_rerun_completes()
    {
        string output = _dir.Combine("p.dzi");
        using (ChildProcess build = ChildProcess.Start(Build(output)))
        {
            var clock = Stopwatch.StartNew();
            while (!build.HasExited && CountFiles(_dir.Combine("p_files")) < 200 && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                Thread.Sleep(2);
            }

            Assert.False(build.HasExited, "the build ended before it could be interrupted");
            build.Interrupt();
            var stopped = Stopwatch.StartNew();
            CliRunner.Result result = build.WaitForExit(TimeSpan.FromSeconds(30));
            Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(10), $"took {stopped.Elapsed} to stop");
            Assert.Equal(130, result.ExitCode);
            Assert.Contains("run the same command to continue", result.Error);
        }

        Assert.False(File.Exists(output));
        var rerun = CliRunner.Run(Build(output));
        Assert.True(rerun.ExitCode == 0, rerun.Error);
        Assert.Contains("blocks were already done", rerun.Output);
        Assert.Equal(0, CliRunner.Run(Build(_dir.Combine("reference.dzi"))).ExitCode);
        PyramidComparison.AssertIdenticalFiles(_dir.Combine("reference.dzi"), output);
    }

    [Fact]
    public void An_interrupted_build_with_other_settings_is_refused_and_overwrite_starts_over()
    {
        string output = _dir.Combine("p.dzi");
        Assert.Equal(0, CliRunner.Run(Build(output, "--shard", "0/2")).ExitCode); // leaves half a build
        var other = CliRunner.Run(Build(output, "--quality", "50"));
        Assert.Equal(1, other.ExitCode);
        Assert.Contains("Quality 75 there, 50 here", other.Error);
        var fresh = CliRunner.Run(Build(output, "--quality", "50", "--overwrite"));
        Assert.True(fresh.ExitCode == 0, fresh.Error);
        Assert.DoesNotContain("already done", fresh.Output);
    }

    private static int CountFiles(string directory) =>
        Directory.Exists(directory) ? Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Count() : 0;

    public void Dispose() => _dir.Dispose();
}
