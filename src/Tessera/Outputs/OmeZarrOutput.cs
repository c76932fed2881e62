using Tessera.Imaging;
using Tessera.Outputs.Zarr;
using Tessera.Pyramid;

namespace Tessera.Outputs;

/// <summary>
/// NAME.ome.zarr: the pyramid as an OME-NGFF 0.4 image (see <see cref="ZarrPyramidWriter"/>). Every
/// chunk is a file of its own, so shards write side by side and a rerun keeps the chunks written;
/// <c>.zgroup</c>, written last, marks it complete.
/// </summary>
public sealed class OmeZarrOutput : IPyramidOutput
{
    private readonly DziGeometry _geometry;
    private readonly ZarrPyramidWriter _writer;

    /// <param name="folder">NAME.ome.zarr.</param>
    /// <param name="name">The image's name in the multiscales.</param>
    public OmeZarrOutput(string folder, string name, DziGeometry geometry, PixelFormat format, PixelSize? pixelSize)
    {
        _geometry = geometry;
        _writer = new ZarrPyramidWriter(folder, name,
            RasterPyramid.Of(geometry, TilePacker.Channels(format), TilePacker.SampleTypeOf(format)), pixelSize);
    }

    public string Folder => _writer.Folder;

    /// <summary>The levels, chunks and samples it holds.</summary>
    public RasterPyramid Raster => _writer.Raster;

    public string CompleteFile => _writer.GroupFile;

    public string Location => Folder;

    public bool IsComplete => File.Exists(CompleteFile);

    public bool AnyExists => Directory.Exists(Folder);

    public IReadOnlyList<string> Folders => [Folder];

    public IReadOnlyList<string> Files => [];

    public bool KeepsTilesAcrossRuns => true;

    public bool AllowsShards => true;

    public bool OnlyCompletionLeft => false;

    public int LevelsOf(DziGeometry geometry) => _writer.Raster.LevelCount;

    public void RemoveIntermediates()
    {
    }

    public void Open(int levelCount) => _writer.Open();

    public void Write(int level, int column, int row, PixelBuffer source, PixelRect tile)
    {
        int omeLevel = _geometry.TopLevel - level;
        RasterPyramid raster = _writer.Raster;
        if (omeLevel >= raster.LevelCount)
        {
            return; // below the level that fits in one chunk: not part of the multiscales
        }

        TilePacker.Write(_writer, omeLevel, column, row, source, tile);
    }

    public void Complete(DziGeometry geometry) => _writer.Complete();

    public void Delete()
    {
        _writer.Dispose();
        OutputFolder.Delete(Folder);
    }

    public void Dispose() => _writer.Dispose();
}
