using System.Diagnostics;
using Tessera.Build;
using Tessera.Codecs;
using Tessera.Pyramid;
using Tessera.Samples;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>Shards run as separate processes, at once, plus --finish, give the very same pyramid as one process.</summary>
public sealed class ShardTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private string Tiles()
    {
        string tiles = _dir.Combine("tiles");
        if (!Directory.Exists(tiles))
        {
            SampleGrid.Write(tiles, Support.Samples.Small(TileFormat.Jpeg) with { Across = 6, Down = 5 });
        }

        return tiles;
    }

    private static string[] Common(string tileSize) => ["--overlap", "16,12", "--tile-size", tileSize, "--threads", "1"];

    [Theory]
    [InlineData("16", 1)]
    [InlineData("16", 2)]
    [InlineData("16", 3)]
    [InlineData("16", 4)]
    [InlineData("16", 5)]
    [InlineData("16", 6)]
    [InlineData("16", 7)]
    [InlineData("32", 7)] // more shards than blocks (4)
    [InlineData("64", 3)] // the image is one block: shards have nothing to do, --finish does it all
    [InlineData("16", 3, "linear")] // blended pixels agree across block, shard and process boundaries
    [InlineData("16", 2, "overlay")]
    public async Task Concurrent_shards_and_finish_equal_a_single_process_build(string tileSize, int shards, string blend = "seam")
    {
        string tiles = Tiles();
        string[] common = [.. Common(tileSize), "--blend", blend];
        var single = CliRunner.Run(["build", tiles, _dir.Combine("single.dzi"), .. common]);
        Assert.True(single.ExitCode == 0, single.Error);

        string output = _dir.Combine("sharded.dzi");
        Task<CliRunner.Result>[] running = Enumerable.Range(0, shards)
            .Select(i => Task.Run(() => CliRunner.Run(["build", tiles, output, .. common, "--shard", $"{i}/{shards}"])))
            .ToArray();
        foreach (CliRunner.Result shard in await Task.WhenAll(running))
        {
            Assert.True(shard.ExitCode == 0, shard.Error);
            Assert.Contains("--finish", shard.Output);
        }

        Assert.False(File.Exists(output), "a shard wrote the .dzi");
        var finish = CliRunner.Run(["build", tiles, output, .. common, "--finish"]);
        Assert.True(finish.ExitCode == 0, finish.Error);

        PyramidComparison.AssertIdenticalFiles(_dir.Combine("single.dzi"), output);
        Assert.False(Directory.Exists(_dir.Combine("sharded.tessera")), "the work folder was left behind");
    }

    [Fact]
    public void Finish_before_every_shard_is_done_names_what_is_missing_and_a_rerun_completes()
    {
        string tiles = Tiles();
        string output = _dir.Combine("p.dzi");
        Assert.Equal(0, CliRunner.Run(["build", tiles, output, .. Common("16"), "--shard", "0/3"]).ExitCode);
        Assert.Equal(0, CliRunner.Run(["build", tiles, output, .. Common("16"), "--shard", "2/3"]).ExitCode);

        var early = CliRunner.Run(["build", tiles, output, .. Common("16"), "--finish"]);
        Assert.Equal(1, early.ExitCode);
        Assert.Contains("blocks are not built yet", early.Error);
        Assert.False(File.Exists(output));

        var again = CliRunner.Run(["build", tiles, output, .. Common("16"), "--shard", "0/3"]);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("0 blocks built", again.Output);

        Assert.Equal(0, CliRunner.Run(["build", tiles, output, .. Common("16"), "--shard", "1/3"]).ExitCode);
        Assert.Equal(0, CliRunner.Run(["build", tiles, output, .. Common("16"), "--finish"]).ExitCode);
        Assert.Equal(0, CliRunner.Run(["build", tiles, _dir.Combine("single.dzi"), .. Common("16")]).ExitCode);
        PyramidComparison.AssertIdenticalFiles(_dir.Combine("single.dzi"), output);
    }

    [Fact]
    public void A_killed_shard_continues_where_it_stopped_when_run_again()
    {
        string tiles = Tiles();
        string output = _dir.Combine("p.dzi");
        string[] shard = ["build", tiles, output, .. Common("8"), "--shard", "0/1"];

        // Kill it once some blocks are done (their numbers appear in the shard's log in the work folder).
        using (ChildProcess process = ChildProcess.Start(shard))
        {
            var clock = Stopwatch.StartNew();
            while (!process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60) &&
                   (!Directory.Exists(_dir.Combine("p.tessera")) || Directory.GetFiles(_dir.Combine("p.tessera"), "*.log").Sum(log => new FileInfo(log).Length) < 3 * 4))
            {
                Thread.Sleep(5);
            }

            if (!process.HasExited)
            {
                process.Kill();
            }

            process.WaitForExit(TimeSpan.FromSeconds(30));
        }

        var rerun = CliRunner.Run(shard);
        Assert.True(rerun.ExitCode == 0, rerun.Error);
        Assert.Matches(@"[1-9][0-9]* already done", rerun.Output);
        Assert.Equal(0, CliRunner.Run(["build", tiles, output, .. Common("8"), "--finish"]).ExitCode);
        Assert.Equal(0, CliRunner.Run(["build", tiles, _dir.Combine("single.dzi"), .. Common("8")]).ExitCode);
        PyramidComparison.AssertIdenticalFiles(_dir.Combine("single.dzi"), output);
    }

    [Fact]
    public void Finish_with_other_settings_is_refused()
    {
        string tiles = Tiles();
        string output = _dir.Combine("p.dzi");
        Assert.Equal(0, CliRunner.Run(["build", tiles, output, .. Common("16"), "--shard", "0/1"]).ExitCode);
        var finish = CliRunner.Run(["build", tiles, output, .. Common("16"), "--quality", "90", "--finish"]);
        Assert.Equal(1, finish.ExitCode);
        Assert.Contains("Quality 75 there, 90 here", finish.Error);

        var otherBlend = CliRunner.Run(["build", tiles, output, .. Common("16"), "--blend", "linear", "--shard", "0/1"]);
        Assert.Equal(1, otherBlend.ExitCode);
        Assert.Contains("Blend seam there, linear here", otherBlend.Error);
    }

    [Fact]
    public void Finish_without_shards_is_refused()
    {
        var finish = CliRunner.Run(["build", Tiles(), _dir.Combine("p.dzi"), .. Common("16"), "--finish"]);
        Assert.Equal(1, finish.ExitCode);
        Assert.Contains("no shard has run", finish.Error);
    }

    [Fact]
    public void Shards_split_the_work_evenly_and_cover_every_block_once()
    {
        // The 600×600 grid of 800×600 tiles with 10 % overlap: 432,080×324,060 px.
        var plan = new PyramidPlan(new DziGeometry(432_080, 324_060, 254, 1), blockLevels: 4);
        long total = plan.CostOf(0, plan.Blocks.Count);
        long largestBlock = Enumerable.Range(0, plan.Blocks.Count).Max(plan.Cost);
        foreach (int shards in new[] { 1, 2, 7, 16, 100, 1000 })
        {
            int next = 0;
            for (int i = 0; i < shards; i++)
            {
                var (start, end) = plan.Shard(i, shards);
                Assert.Equal(next, start);
                next = end;

                // Within 3 % of an equal share, or, for many small shards, within one block of it.
                double ideal = (double)total / shards;
                Assert.InRange(plan.CostOf(start, end), Math.Min(0.97 * ideal, ideal - largestBlock), Math.Max(1.03 * ideal, ideal + largestBlock));
            }

            Assert.Equal(plan.Blocks.Count, next);
        }
    }

    [Theory]
    [InlineData("2/5", null, null, 2, 5)]
    [InlineData("5", "SLURM_ARRAY_TASK_ID=3", null, 3, 5)]
    [InlineData("5", "SLURM_ARRAY_TASK_ID=4", "SLURM_ARRAY_TASK_MIN=1", 3, 5)]
    [InlineData("8", "JOB_COMPLETION_INDEX=7", null, 7, 8)]
    public void Shard_index_comes_from_the_option_or_the_scheduler(string text, string? var1, string? var2, int index, int count)
    {
        var environment = new[] { var1, var2 }.OfType<string>().Select(v => v.Split('=')).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(new ShardSpec(index, count), ShardSpec.Parse(text, name => environment.GetValueOrDefault(name)));
    }

    [Theory]
    [InlineData("5/5")]
    [InlineData("a/5")]
    [InlineData("0")]
    [InlineData("1/2/3")]
    [InlineData("5")]
    public void Bad_shards_are_refused(string text)
    {
        Assert.Throws<TesseraException>(() => ShardSpec.Parse(text, _ => null));
    }

    public void Dispose() => _dir.Dispose();
}
