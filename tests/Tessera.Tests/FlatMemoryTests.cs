using Tessera.Build;
using Tessera.Codecs;
using Tessera.Layout;
using Tessera.Pyramid;
using Tessera.Samples;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>
/// A build's pixel memory (its blocks' windows, the decoded tiles it keeps, the levels it builds,
/// as its pool holds them) is the same on a small grid as on a large one: it depends on the tile
/// and block sizes, not on the grid.
/// </summary>
public sealed class FlatMemoryTests : IDisposable
{
    // Blocks of 16×16 tiles of 64 px (1024 px), input tiles 112 px apart: a band is 4 blocks wide
    // (32 tile steps at least), and a tile of 128×128 px holds 64 KB decoded, so the row of tiles a
    // band keeps for the block row below is most of what the build holds.
    private static readonly SampleOptions Tiles = Support.Samples.Small(TileFormat.Jpeg) with
    {
        TileWidth = 128, TileHeight = 128, OverlapX = 16, OverlapY = 16,
    };

    private readonly TempDirectory _dir = new();

    [Fact]
    public void A_grid_many_bands_wide_holds_what_a_grid_one_band_wide_holds()
    {
        // 40 tiles across are one band and a bit (4,496 px); 90 are eight blocks and more (10,096 px).
        (BuildResult narrow, BuildPlanReport narrowPlan) = Build("narrow", across: 40, down: 20);
        (BuildResult wide, BuildPlanReport widePlan) = Build("wide", across: 90, down: 20);

        Assert.True(wide.PixelMemoryPeakBytes <= narrow.PixelMemoryPeakBytes * 1.05,
            $"the 90-tile-wide grid held {wide.PixelMemoryPeakBytes:N0} bytes of pixels, the 40-tile-wide one {narrow.PixelMemoryPeakBytes:N0}");
        AssertWithinPlan(narrow, narrowPlan);
        AssertWithinPlan(wide, widePlan);
    }

    [Fact]
    public void Tiles_on_band_edges_add_at_most_a_thirty_second_to_the_decodes()
    {
        (BuildResult wide, _) = Build("wide", across: 90, down: 20);

        // Tiles shared by two block rows are kept for the row below; those on a band's edge are
        // decoded once in each band: one column of tiles for each of the bands after the first.
        int tiles = 90 * 20;
        Assert.InRange(wide.InputDecodes, tiles, tiles + (tiles / PyramidPlan.MinBandSteps));
    }

    [Fact]
    public void The_last_levels_are_streamed_through_one_block_and_never_held_whole()
    {
        // 9×9 tiles: 1,024 px square, one block, built as the last levels of every build are.
        (BuildResult one, BuildPlanReport plan) = Build("one-block", across: 9, down: 9);

        long wholeLevel = (long)one.Geometry.Width * one.Geometry.Height * 4;
        Assert.True(one.PixelMemoryPeakBytes < wholeLevel / 2,
            $"a build of one block held {one.PixelMemoryPeakBytes:N0} bytes of pixels; the whole level is {wholeLevel:N0}");
        AssertWithinPlan(one, plan);
    }

    [Fact]
    public void An_ome_grid_three_blocks_high_holds_what_one_a_block_high_holds()
    {
        // OME blocks of 16×16 chunks of 64 px (1,024 px), input tiles 32 px apart: a band is one
        // block wide, so a band of a grid three blocks high is 48 bands of rows, within the
        // lookahead: the tiles on a band's right edge, needed again only by the next band, were
        // kept for it, a column as high as the grid (2,896 px), where a grid a block high (656 px)
        // keeps a fifth as many.
        (BuildResult low, BuildPlanReport lowPlan) = Build("low", across: 70, down: 20, OmeTiles, PyramidLayout.OmeZarr);
        (BuildResult high, BuildPlanReport highPlan) = Build("high", across: 70, down: 90, OmeTiles, PyramidLayout.OmeZarr);

        Assert.Equal(1, PyramidPlan.BandBlocksFor(64 << 4, OmeTiles.TileWidth - OmeTiles.OverlapX));
        Assert.True(high.PixelMemoryPeakBytes <= low.PixelMemoryPeakBytes * 1.05,
            $"the 90-tile-high grid held {high.PixelMemoryPeakBytes:N0} bytes of pixels, the 20-tile-high one {low.PixelMemoryPeakBytes:N0}");
        AssertWithinPlan(low, lowPlan);
        AssertWithinPlan(high, highPlan);
    }

    [Theory]
    [InlineData(64, 0)]
    [InlineData(64, 1)]
    [InlineData(62, 5)]
    [InlineData(48, 31)]
    public void Windows_about_a_tile_row_high_take_every_band_and_halving(int tileSize, int overlap)
    {
        // The windows hold what PyramidPlan.WindowRows allows and throw past it: builds whose tile
        // rows and halvings fall out of step (odd tiles, overlaps whose halo passes a tile) go through.
        string tiles = _dir.Combine($"tiles-{tileSize}-{overlap}");
        SampleGrid.Write(tiles, Tiles with { Across = 14, Down = 11 });
        BuildRequest request = Support.Samples.Request(tiles, _dir.Combine($"out-{tileSize}-{overlap}", "slide.dzi"), Tiles) with
        {
            Pyramid = new PyramidOptions { TileSize = tileSize, Overlap = overlap, BlockLevels = 4, Threads = 2 },
        };

        ITileCodec codec = TileCodecs.Create(CodecChoice.Auto, out _);
        try
        {
            BuildResult result = PyramidBuild.Run(request, codec);
            Assert.True(result.Complete);
            Assert.Equal(result.Geometry.TotalTileCount(0), result.TilesWritten);
        }
        finally
        {
            (codec as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void A_thread_of_an_ome_build_works_in_under_two_thirds_of_two_tile_rows_a_level()
    {
        // 512-px tiles, blocks of 8,192 px: a level's window was two tile rows and 4 (1,028 rows);
        // it needs at most a tile row and what halving brings at once.
        var plan = new PyramidPlan(new DziGeometry(40_000, 30_000, 512, 0), blockLevels: 4, bandBlocks: 1);
        long twoRows = 0;
        for (int k = 0; k < plan.BlockLevels; k++)
        {
            twoRows += (long)plan.BlockBufferSide(k) * ((2 * 512) + 4) * 4;
        }

        Assert.InRange(plan.WindowRows(0), 512, 520);
        Assert.True(plan.BlockWorkingBytes(4) < twoRows * 2 / 3, $"{plan.BlockWorkingBytes(4):N0} bytes a thread, two tile rows a level {twoRows:N0}");
    }

    public void Dispose() => _dir.Dispose();

    // 48-px tiles 32 px apart (a band of 1,024 px spans 32 tile steps: one block), 9 KB decoded.
    private static readonly SampleOptions OmeTiles = Support.Samples.Small(TileFormat.Jpeg) with
    {
        TileWidth = 48, TileHeight = 48, OverlapX = 16, OverlapY = 16,
    };

    private (BuildResult Result, BuildPlanReport Plan) Build(string name, int across, int down) =>
        Build(name, across, down, Tiles, PyramidLayout.DeepZoom);

    private (BuildResult Result, BuildPlanReport Plan) Build(string name, int across, int down, SampleOptions sample, PyramidLayout layout)
    {
        string tiles = _dir.Combine(name);
        SampleGrid.Write(tiles, sample with { Across = across, Down = down });
        string output = _dir.Combine(name + "-out", layout == PyramidLayout.DeepZoom ? "slide.dzi" : "slide.ome.zarr");
        BuildRequest request = Support.Samples.Request(tiles, output, sample) with
        {
            PyramidLayout = layout,

            // One thread: what is held at each moment is the same in every run.
            Pyramid = new PyramidOptions { TileSize = 64, BlockLevels = 4, Threads = 1, Overlap = layout == PyramidLayout.DeepZoom ? 1 : 0 },
        };

        ITileCodec codec = TileCodecs.Create(CodecChoice.Auto, out _);
        try
        {
            BuildPlanReport plan = BuildPlanReport.Describe(request, codec, shards: 1);
            return (PyramidBuild.Run(request, codec), plan);
        }
        finally
        {
            (codec as IDisposable)?.Dispose();
        }
    }

    /// <summary>The plan's pixel part covers the pixels the build held.</summary>
    private static void AssertWithinPlan(BuildResult result, BuildPlanReport plan) =>
        Assert.True(result.PixelMemoryPeakBytes <= plan.PeakMemory.PixelBytes,
            $"the build held {result.PixelMemoryPeakBytes:N0} bytes of pixels; the plan allowed {plan.PeakMemory.PixelBytes:N0}");
}
