using Tessera.Build;
using Tessera.Codecs;
using Tessera.Samples;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary><c>tessera plan</c>: the figures of a build before it runs, from names and one header.</summary>
public sealed class PlanTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void Plan_prints_sizes_tiles_and_shares_without_writing_anything()
    {
        SampleGrid.Write(_dir.Combine("tiles"), Support.Samples.Small(TileFormat.Jpeg));
        var r = CliRunner.Run("plan", _dir.Combine("tiles"), _dir.Combine("p.dzi"), "--overlap", "16,12", "--tile-size", "16", "--shards", "3");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("592×336 px", r.Output);
        Assert.Contains("4×3 cells, 12 tiles, 0 missing", r.Output);
        Assert.Matches(@"shard\s+blocks\s+tiles\s+work", r.Output);
        Assert.Matches(@"peak memory\s+about [0-9.]+ MiB per process with \d+ threads?: 130 MiB runtime and codecs, [0-9.]+ [KM]iB pixels \(with the threads, not the grid\), 13 KiB with the grid's 12 tiles", r.Output);
        Assert.False(File.Exists(_dir.Combine("p.dzi")));
        Assert.False(Directory.Exists(_dir.Combine("p_files")));

        // The plan's tile count is what a build writes.
        var build = CliRunner.Run("build", _dir.Combine("tiles"), _dir.Combine("p.dzi"), "--overlap", "16,12", "--tile-size", "16");
        Assert.True(build.ExitCode == 0, build.Error);
        string planned = System.Text.RegularExpressions.Regex.Match(r.Output, @"output tiles\s+([0-9,]+)").Groups[1].Value.Replace(",", "");
        Assert.Equal(long.Parse(planned, System.Globalization.CultureInfo.InvariantCulture), PyramidComparison.TileNames(_dir.Combine("p.dzi")).Length);
    }

    [Fact]
    public void Plan_of_a_600_by_600_grid_reads_only_names_and_one_header()
    {
        // 360,000 names, hard links to one real tile (a copy per 100 rows: a file takes at most
        // 65,000 links): only the first is ever opened.
        string tiles = _dir.Combine("big");
        SampleGrid.Write(_dir.Combine("one"), Support.Samples.Small(TileFormat.Jpeg) with { Across = 1, Down = 1, TileWidth = 800, TileHeight = 600 });
        Directory.CreateDirectory(tiles);
        for (int y = 0; y < 600; y++)
        {
            string source = _dir.Combine("one", $"copy{y / 100}.jpg");
            if (y % 100 == 0)
            {
                File.Copy(_dir.Combine("one", "0_0.jpg"), source);
            }

            for (int x = 0; x < 600; x++)
            {
                HardLink.Create(source, Path.Combine(tiles, $"{x}_{y}.jpg"));
            }
        }

        BuildPlanReport plan = BuildPlanReport.Describe(new BuildRequest
        {
            InputDirectory = tiles,
            OutputPath = _dir.Combine("big.dzi"),
            Overlap = Layout.OverlapSpec.Parse("10%"),
            Pyramid = new Pyramid.PyramidOptions { Threads = 2 },
        }, new SkiaTileCodec(), shards: 64);

        Assert.Equal((432_080, 324_060), (plan.Geometry.Width, plan.Geometry.Height));
        Assert.Equal(360_000, plan.TilesPresent);
        Assert.Equal(64, plan.Shards.Count);
        Assert.All(plan.Shards, s => Assert.InRange(s.Share * 64, 0.97, 1.03));
        // What grows with the grid is said apart from what grows with the threads: the 1,088 bytes a
        // tile measured (docs/BENCHMARKS.md, 2026-12-04), 374 MiB here.
        Assert.Equal(360_000 * 1088L, plan.PeakMemory.GridBytes);
        Assert.Equal(BuildPlanReport.BaseMemoryBytes, plan.PeakMemory.BaseBytes);
        Assert.InRange(plan.PeakMemory.PixelBytes, 32L << 20, 512L << 20);
        Assert.InRange(plan.PeakMemory.TotalBytes, 400L << 20, 1L << 30);
    }

    public void Dispose() => _dir.Dispose();
}
