using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Pyramid;
using Tessera.Viewer;

namespace Tessera.Outputs;

/// <summary>
/// A Deep Zoom pyramid as libvips <c>dzsave</c> writes it: NAME_files/LEVEL/COLUMN_ROW.SUFFIX, each
/// tile encoded by the codec, then the viewer page NAME.html, then NAME.dzi, which marks it complete.
/// </summary>
public sealed class DeepZoomFolderOutput : IPyramidOutput
{
    private readonly ITileCodec _codec;
    private readonly EncodeSettings _encode;
    private readonly DeepZoomFiles _files;
    private readonly bool _zipped;

    /// <param name="zipped">The tiles end up in NAME.zip: the viewer page says to serve them.</param>
    public DeepZoomFolderOutput(DziPaths paths, ITileCodec codec, EncodeSettings encode, bool zipped = false)
    {
        _codec = codec;
        _encode = encode;
        _zipped = zipped;
        _files = new DeepZoomFiles(paths, encode.Format);
    }

    public DziPaths Paths => _files.Paths;

    public string CompleteFile => Paths.DziFile;

    public string Location => Paths.DziFile;

    public bool IsComplete => _files.IsComplete;

    public bool AnyExists => _files.AnyExists || File.Exists(Paths.HtmlFile);

    public IReadOnlyList<string> Folders => [Paths.FilesDirectory];

    public IReadOnlyList<string> Files => [Paths.DziFile, Paths.HtmlFile];

    public bool KeepsTilesAcrossRuns => true;

    public bool AllowsShards => true;

    public bool OnlyCompletionLeft => false;

    public int LevelsOf(DziGeometry geometry) => geometry.LevelCount;

    public void Open(int levelCount) => _files.Open(levelCount);

    public void RemoveIntermediates()
    {
    }

    public void Write(int level, int column, int row, PixelBuffer source, PixelRect tile)
    {
        using IEncodedImage encoded = _codec.Encode(source, tile, _encode);
        _files.Write(level, column, row, encoded.Bytes);
    }

    /// <summary>The viewer page first, then NAME.dzi: a pyramid that looks complete has its page.</summary>
    public void Complete(DziGeometry geometry)
    {
        ViewerPage.Write(Paths, geometry, _encode.Format, _zipped);
        _files.Commit(geometry);
    }

    /// <summary>Removes the pyramid and its viewer page.</summary>
    public void Delete()
    {
        DeleteTiles();
        if (File.Exists(Paths.HtmlFile))
        {
            File.Delete(Paths.HtmlFile);
        }
    }

    /// <summary>Removes NAME.dzi and the tile folder, and keeps the page (it stays beside a zip).</summary>
    internal void DeleteTiles() => _files.Delete();

    public void Dispose() => _files.Dispose();
}
