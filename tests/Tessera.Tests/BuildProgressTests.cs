using Tessera.Build;
using Tessera.Codecs;
using Tessera.Pyramid;
using Tessera.Samples;
using Tessera.Tests.Support;
using Tessera.Verification;
using Xunit;

namespace Tessera.Tests;

/// <summary>
/// The build's progress counts what it really writes: an OME pyramid ends at the first level that
/// fits in one tile, and the Deep Zoom levels below it, which it never writes, are not counted.
/// </summary>
public sealed class BuildProgressTests : IDisposable
{
    // The small grid is 592×336 px: in 64-px tiles the OME levels are 592×336 (10×6 tiles),
    // 296×168 (5×3), 148×84 (3×2), 74×42 (2×1) and 37×21 (1), where Deep Zoom goes on to 1×1.
    private const long OmeTiles = 60 + 15 + 6 + 2 + 1;
    private readonly TempDirectory _dir = new();
    private readonly SampleOptions _sample = Support.Samples.Small(TileFormat.Jpeg);

    public BuildProgressTests() => SampleGrid.Write(_dir.Combine("tiles"), _sample);

    [Theory]
    [InlineData(PyramidLayout.OmeZarr, 4)]
    [InlineData(PyramidLayout.OmeZarr, 1)]
    [InlineData(PyramidLayout.OmeTiff, 1)]
    public void An_ome_build_counts_only_the_tiles_of_its_own_levels(PyramidLayout layout, int blockLevels)
    {
        string output = _dir.Combine(layout == PyramidLayout.OmeZarr ? "p.ome.zarr" : "p.ome.tif");
        var progress = new BuildProgress();
        PyramidBuild.Run(Request(output, layout, blockLevels), new SkiaTileCodec(), progress);

        Assert.Equal(OmeTiles, progress.TilesTotal);
        Assert.Equal(OmeTiles, progress.TilesWritten);
        RasterVerifyReport verified = layout == PyramidLayout.OmeZarr
            ? OmeZarrVerifier.Verify(output, threads: 2)
            : OmeTiffVerifier.Verify(output, new SkiaTileCodec(), threads: 2);
        Assert.True(verified.IsSound, string.Join("\n", verified.Problems));
        Assert.Equal(OmeTiles, verified.TilesChecked);
    }

    [Fact]
    public void Shards_and_finish_of_an_ome_zarr_together_count_every_chunk_once()
    {
        string output = _dir.Combine("s.ome.zarr");
        long total = 0, written = 0;
        foreach (BuildRequest request in new[]
        {
            Request(output, PyramidLayout.OmeZarr, 1) with { Shard = new ShardSpec(0, 2) },
            Request(output, PyramidLayout.OmeZarr, 1) with { Shard = new ShardSpec(1, 2) },
            Request(output, PyramidLayout.OmeZarr, 1) with { Finish = true },
        })
        {
            var progress = new BuildProgress();
            PyramidBuild.Run(request, new SkiaTileCodec(), progress);
            Assert.Equal(progress.TilesTotal, progress.TilesWritten);
            total += progress.TilesTotal;
            written += progress.TilesWritten;
        }

        Assert.Equal(OmeTiles, total);
        Assert.Equal(OmeTiles, written);
        Assert.Equal(OmeTiles, Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories).Count(f => !Path.GetFileName(f).StartsWith('.')));
    }

    [Fact]
    public void A_deep_zoom_build_still_counts_every_level_down_to_one_pixel()
    {
        var progress = new BuildProgress();
        PyramidBuild.Run(Support.Samples.Request(_dir.Combine("tiles"), _dir.Combine("d.dzi"), _sample), new SkiaTileCodec(), progress);
        var geometry = new DziGeometry(592, 336, 64, 1);
        Assert.Equal(geometry.TotalTileCount(), progress.TilesTotal);
        Assert.Equal(progress.TilesTotal, progress.TilesWritten);
        Assert.Equal(progress.TilesTotal, PyramidComparison.TileNames(_dir.Combine("d.dzi")).Length);
    }

    private BuildRequest Request(string output, PyramidLayout layout, int blockLevels) =>
        Support.Samples.Request(_dir.Combine("tiles"), output, _sample) with
        {
            PyramidLayout = layout,
            Pyramid = new PyramidOptions { TileSize = 64, Overlap = 0, Threads = 2, BlockLevels = blockLevels },
        };

    public void Dispose() => _dir.Dispose();
}
