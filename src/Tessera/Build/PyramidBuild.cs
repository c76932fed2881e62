using System.Diagnostics;
using Tessera.Codecs;
using Tessera.Compositing;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Pyramid;
using Tessera.Sinks;

namespace Tessera.Build;

/// <summary>
/// <c>tessera build</c> as a library call: finds the tiles, places them on their grid, and writes
/// the Deep Zoom pyramid. The .dzi is written last; a build that fails removes what it wrote.
/// </summary>
public static class PyramidBuild
{
    public static BuildResult Run(BuildRequest request, ITileCodec? codec = null, BuildProgress? progress = null,
        CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        codec ??= TileCodecs.Create(CodecChoice.Auto, out _);
        progress ??= new BuildProgress();
        request.Pyramid.Validate();

        TileGrid grid = GridScanner.Scan(request.InputDirectory, request.Layout);
        ImageHeader first = codec.ReadHeader(grid.FirstTile);
        var (overlapX, overlapY) = request.Overlap.ToPixels(first.Width, first.Height);
        var mosaic = new GridMosaic(grid, first.Width, first.Height, overlapX, overlapY);

        var paths = new DziPaths(request.OutputPath);
        PyramidOptions pyramid = request.Pyramid with
        {
            TemporaryDirectory = Path.GetDirectoryName(paths.DziFile)!,
        };
        var sink = new DirectoryTileSink(paths, pyramid.Encode.Format);
        var geometry = new DziGeometry(mosaic.Width, mosaic.Height, pyramid.TileSize, pyramid.Overlap);
        sink.Create(geometry.LevelCount, request.Overwrite);
        try
        {
            var pool = new PixelMemoryPool();
            using var source = new MosaicSource(mosaic, first.Format, codec, request.Background, request.TileCacheBytes, pool);
            new PyramidBuilder(pyramid, codec, sink, progress, pool).Build(source, cancellationToken);
            sink.Commit(geometry);
            return new BuildResult(paths, geometry, grid.Columns, grid.Rows, first.Width, first.Height, overlapX, overlapY,
                grid.MissingCells().ToList(), progress.TilesWritten, source.Decodes, clock.Elapsed);
        }
        catch
        {
            sink.Delete();
            throw;
        }
    }
}
