using System.Text.RegularExpressions;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>
/// deploy/slurm/submit.sh on a real Slurm (the one-node cluster of scripts/slurm-local.sh): the
/// shards run as an array job, --finish as a job that depends on it, and the pyramid is the one a
/// single process writes. docs/CLUSTER.md shows these same commands.
/// </summary>
public sealed partial class SlurmTests(LocalSlurm slurm) : IClassFixture<LocalSlurm>, IDisposable
{
    private const int Shards = 3;
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(90);

    // 16 tiles of 800×600 in 64 px output tiles: 12 blocks, so each of the 3 shards has work.
    private static readonly string[] BuildOptions = ["--overlap", "10%", "--tile-size", "64"];

    private readonly TempDirectory _dir = new();

    private sealed record Submission(string Shards, string Finish);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_build_submitted_to_slurm_equals_a_single_process_build_byte_for_byte()
    {
        string tiles = Tiles();
        string output = _dir.Combine("cluster", "slide.dzi");

        Submission job = Submit(tiles, output, sbatchArgs: "--time=00:05:00 --cpus-per-task=1");
        slurm.WaitUntilEnded(JobTimeout, job.Shards, job.Finish);

        SlurmJobState[] shards = slurm.States(job.Shards);
        Assert.Equal(new[] { 0, 1, 2 }, shards.Select(s => s.Task).Order());
        Assert.All([.. shards, .. slurm.States(job.Finish)], s => Assert.Equal("00:05:00", s.TimeLimit)); // SBATCH_ARGS reached both sbatch calls
        Assert.All(shards, s => Assert.True(s.State == "COMPLETED", $"{s}: {Log(output, $"shard-{s.Task}-{job.Shards}.log")}"));
        Assert.True(slurm.States(job.Finish).Single().State == "COMPLETED", Log(output, $"finish-{job.Finish}.log"));
        Assert.Contains("Wrote", Log(output, $"finish-{job.Finish}.log"));

        PyramidComparison.AssertIdenticalFiles(SingleProcessBuild(tiles), output);
        Assert.False(Directory.Exists(_dir.Combine("cluster", "slide.tessera")), "the work folder was left behind");
    }

    [Fact]
    public void A_failed_shard_stops_the_finish_and_its_rerun_through_slurm_completes_the_pyramid()
    {
        string tiles = Tiles();
        string output = _dir.Combine("cluster", "slide.dzi");

        // A bad copy of the first tile: only the shard whose band holds it meets the damage.
        string damaged = Path.Combine(tiles, "0_0.jpg");
        byte[] good = File.ReadAllBytes(damaged);
        DateTime time = File.GetLastWriteTimeUtc(damaged);
        byte[] bad = (byte[])good.Clone();
        Array.Clear(bad, bad.Length / 2, 4096);
        WriteKeepingTime(damaged, bad, time);

        Submission first = Submit(tiles, output);
        slurm.WaitUntilEnded(JobTimeout, first.Shards, first.Finish);
        SlurmJobState[] shards = slurm.States(first.Shards);
        int[] failed = [.. shards.Where(s => s.State == "FAILED").Select(s => s.Task).Order()];
        Assert.Contains(0, failed);
        Assert.True(failed.Length < Shards, $"every shard failed: {string.Join("; ", shards.AsEnumerable())}");
        Assert.All(shards.Where(s => !failed.Contains(s.Task)), s => Assert.Equal("COMPLETED", s.State));
        Assert.Contains("0_0.jpg", Log(output, $"shard-0-{first.Shards}.log"));

        // Slurm cancels the finish job, whose dependency can no longer be met; it never ran.
        SlurmJobState finish = slurm.States(first.Finish).Single();
        Assert.Equal("CANCELLED", finish.State);
        Assert.Equal("DependencyNeverSatisfied", finish.Reason);
        Assert.False(File.Exists(Path.Combine(output[..^4] + ".logs", $"finish-{first.Finish}.log")), "the finish job ran");
        Assert.False(File.Exists(output), "a failed job left a .dzi");

        // The tile copied again with its time kept (cp -p, rsync -t), and only the failed shards rerun.
        WriteKeepingTime(damaged, good, time);
        Submission rerun = Submit(tiles, output, ["--only-shards", string.Join(',', failed)]);
        slurm.WaitUntilEnded(JobTimeout, rerun.Shards, rerun.Finish);
        SlurmJobState[] reruns = slurm.States(rerun.Shards);
        Assert.Equal(failed, reruns.Select(s => s.Task).Order());
        Assert.All(reruns, s => Assert.Equal("COMPLETED", s.State));
        Assert.True(slurm.States(rerun.Finish).Single().State == "COMPLETED", Log(output, $"finish-{rerun.Finish}.log"));

        PyramidComparison.AssertIdenticalFiles(SingleProcessBuild(tiles), output);
    }

    [Theory]
    [InlineData("SHARDS \"0\" is not a whole number", "tiles", "0")]
    [InlineData("INPUT_DIR", "no-such-folder", "3")]
    [InlineData("give no --shard", "tiles", "3", "--shard", "1/3")]
    [InlineData("give no --finish", "tiles", "3", "--finish")]
    [InlineData("there is no shard 3 in a build of 3", "tiles", "3", "--only-shards", "1,3")]
    [InlineData("is not a list of shards", "tiles", "3", "--only-shards", "one")]
    [InlineData("\"no-such-tessera\" is not a command", "tiles", "3", "TESSERA=no-such-tessera")]
    public void Bad_arguments_are_refused_in_one_line_before_anything_is_submitted(string expected, string input, string shards, params string[] more)
    {
        Directory.CreateDirectory(_dir.Combine("tiles"));
        string output = _dir.Combine("out", "slide.dzi");
        var environment = new Dictionary<string, string?> { ["TESSERA"] = Tessera };
        var before = new List<string>();
        var after = new List<string>();
        foreach (string arg in more)
        {
            if (arg.StartsWith("TESSERA=", StringComparison.Ordinal))
            {
                environment["TESSERA"] = arg["TESSERA=".Length..];
            }
            else if (arg == "--only-shards" || before.LastOrDefault() == "--only-shards")
            {
                before.Add(arg);
            }
            else
            {
                after.Add(arg);
            }
        }

        var r = slurm.RunWith(environment, "bash", [LocalSlurm.SubmitScript, .. before, _dir.Combine(input), output, shards, .. after]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Error);
        Assert.Single(r.Error.Trim().Split('\n'));
        Assert.Equal("", r.Output);
        Assert.False(Directory.Exists(_dir.Combine("out")), "submit.sh made the output's folder for a submission it refused");
    }

    [Fact]
    public void Help_names_the_arguments_and_the_environment()
    {
        var r = slurm.Run("bash", LocalSlurm.SubmitScript, "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("usage: deploy/slurm/submit.sh", r.Output);
        Assert.Contains("TESSERA", r.Output);
        Assert.Contains("SBATCH_ARGS", r.Output);
        Assert.Contains("--only-shards", r.Output);
    }

    /// <summary>The tessera the tests were built with, as TESSERA gives a command with arguments.</summary>
    private static string Tessera => $"dotnet {Path.Combine(AppContext.BaseDirectory, "Tessera.Cli.dll")}";

    private string Tiles()
    {
        string tiles = _dir.Combine("tiles");
        var sample = CliRunner.Run("sample", tiles, "--across", "4", "--down", "4");
        Assert.True(sample.ExitCode == 0, sample.Error);
        return tiles;
    }

    private Submission Submit(string tiles, string output, string[]? submitOptions = null, string? sbatchArgs = null)
    {
        var r = slurm.RunWith(new Dictionary<string, string?> { ["TESSERA"] = Tessera, ["SBATCH_ARGS"] = sbatchArgs }, "bash",
            [LocalSlurm.SubmitScript, .. submitOptions ?? [], tiles, output, Shards.ToString(System.Globalization.CultureInfo.InvariantCulture), .. BuildOptions]);
        Assert.True(r.ExitCode == 0, $"submit.sh: exit {r.ExitCode}: {r.Error}");
        Match shards = ShardsLine().Match(r.Output), finish = FinishLine().Match(r.Output);
        Assert.True(shards.Success && finish.Success, $"submit.sh printed no job ids: {r.Output}");
        return new Submission(shards.Groups[1].Value, finish.Groups[1].Value);
    }

    private string SingleProcessBuild(string tiles)
    {
        string single = _dir.Combine("single", "slide.dzi");
        var r = CliRunner.Run(["build", tiles, single, .. BuildOptions]);
        Assert.True(r.ExitCode == 0, r.Error);
        return single;
    }

    /// <summary>A job's log, from the folder submit.sh names after the output.</summary>
    private static string Log(string output, string name)
    {
        string path = Path.Combine(output[..^".dzi".Length] + ".logs", name);
        return File.Exists(path) ? File.ReadAllText(path) : $"(no log {path})";
    }

    private static void WriteKeepingTime(string path, byte[] bytes, DateTime time)
    {
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, time);
    }

    [GeneratedRegex(@"^shards job (\d+):", RegexOptions.Multiline)]
    private static partial Regex ShardsLine();

    [GeneratedRegex(@"^finish job (\d+):", RegexOptions.Multiline)]
    private static partial Regex FinishLine();
}
