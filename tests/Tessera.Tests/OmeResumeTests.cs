using System.Diagnostics;
using Tessera.Codecs;
using Tessera.Samples;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>
/// An OME build killed part-way and run again ends with the whole image: an OME-Zarr keeps the
/// chunks and blocks already done; an OME-TIFF, whose tile index is only in memory until the end,
/// starts its file and its blocks again. An OME-Zarr can be built in shards.
/// </summary>
public sealed class OmeResumeTests : IDisposable
{
    private const int TileSize = 16;
    private readonly TempDirectory _dir = new();
    private readonly SampleOptions _sample = Support.Samples.Small(TileFormat.Png) with { Across = 8, Down = 6 };

    [Fact]
    public void Killed_ome_zarr_build_continues_from_its_chunks_and_is_the_image()
    {
        string zarr = _dir.Combine("p.ome.zarr");
        KillOnceBlocksAreDone(zarr);
        Assert.True(Directory.Exists(zarr), "the killed build wrote no chunk");

        var rerun = CliRunner.Run(Build(zarr));
        Assert.True(rerun.ExitCode == 0, rerun.Error);
        Assert.Contains("blocks were already done", rerun.Output);
        Assert.False(Directory.Exists(_dir.Combine("p.tessera")));
        OmeReaders.Check(ExactCut.Expect("zarr", zarr, _sample, TileSize, _dir.Combine("source.raw")));
    }

    [Fact]
    public void Killed_ome_tiff_build_starts_its_file_again_and_is_the_image()
    {
        string tiff = _dir.Combine("p.ome.tif");
        KillOnceBlocksAreDone(tiff);
        Assert.False(File.Exists(tiff), "a build killed before the end had written its .ome.tif");
        Assert.True(File.Exists(tiff + ".partial"));

        var rerun = CliRunner.Run(Build(tiff));
        Assert.True(rerun.ExitCode == 0, rerun.Error);
        Assert.DoesNotContain("already done", rerun.Output);
        Assert.False(File.Exists(tiff + ".partial"));
        Assert.False(Directory.Exists(_dir.Combine("p.tessera")));
        OmeReaders.Check(ExactCut.Expect("tiff", tiff, _sample, TileSize, _dir.Combine("source.raw")));
    }

    [Fact]
    public void Ome_zarr_built_in_shards_then_finished_is_the_image()
    {
        string zarr = _dir.Combine("p.ome.zarr");
        foreach (string[] step in new[] { new[] { "--shard", "1/3" }, ["--shard", "0/3"], ["--shard", "2/3"] })
        {
            var shard = CliRunner.Run([.. Build(zarr), .. step]);
            Assert.True(shard.ExitCode == 0, shard.Error);
            Assert.False(File.Exists(Path.Combine(zarr, ".zgroup")), "a shard marked the image complete");
        }

        var finish = CliRunner.Run([.. Build(zarr), "--finish"]);
        Assert.True(finish.ExitCode == 0, finish.Error);
        Assert.False(Directory.Exists(_dir.Combine("p.tessera")));
        OmeReaders.Check(ExactCut.Expect("zarr", zarr, _sample, TileSize, _dir.Combine("source.raw")));
    }

    private string[] Build(string output)
    {
        string tiles = _dir.Combine("tiles");
        if (!Directory.Exists(tiles))
        {
            SampleGrid.Write(tiles, _sample);
        }

        string layout = output.EndsWith(".ome.zarr", StringComparison.Ordinal) ? "ome-zarr" : "ome-tiff";
        return ["build", tiles, output, "--pattern", "{x}_{y}.png", "--overlap", "16,12", "--tile-size", "16", "--threads", "2",
            "--layout", layout, "--pixel-size", "0.325um"];
    }

    /// <summary>Starts the build and kills it without warning once its block log says some blocks are done.</summary>
    private void KillOnceBlocksAreDone(string output)
    {
        using ChildProcess build = ChildProcess.Start(Build(output));
        string log = _dir.Combine("p.tessera", "blocks.log");
        var clock = Stopwatch.StartNew();
        while (!build.HasExited && (!File.Exists(log) || new FileInfo(log).Length < 8) && clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            Thread.Sleep(5);
        }

        Assert.False(build.HasExited, "the build ended before it could be killed");
        build.Kill();
        build.WaitForExit(TimeSpan.FromSeconds(30));
    }

    public void Dispose() => _dir.Dispose();
}
