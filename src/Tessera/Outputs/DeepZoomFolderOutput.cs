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
    private readonly Func<ViewerContent>? _viewer;

    /// <param name="viewer">What the viewer's tile overlay shows, asked for when the pyramid is complete; null for a page without one.</param>
    public DeepZoomFolderOutput(DziPaths paths, ITileCodec codec, EncodeSettings encode, Func<ViewerContent>? viewer = null)
    {
        _codec = codec;
        _encode = encode;
        _viewer = viewer;
        _files = new DeepZoomFiles(paths, encode.Format);
    }

    public DziPaths Paths => _files.Paths;

    public string CompleteFile => Paths.DziFile;

    public string Location => Paths.DziFile;

    public bool IsComplete => _files.IsComplete;

    public bool AnyExists => _files.AnyExists || File.Exists(Paths.HtmlFile);

    public IReadOnlyList<string> Folders => [Paths.FilesDirectory, new ViewerPaths(Paths.DziFile).OverlayDirectory];

    public IReadOnlyList<string> Files => [Paths.DziFile, Paths.HtmlFile, new ViewerPaths(Paths.DziFile).MetadataFile];

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

    /// <summary>The viewer's files first (overlay, sidecar, page), then NAME.dzi: a pyramid that looks complete has its page.</summary>
    public void Complete(DziGeometry geometry)
    {
        ViewerFiles.Write(Paths, geometry, _encode.Format, zipped: false, _viewer?.Invoke());
        _files.Commit(geometry);
    }

    /// <summary>Removes the pyramid and the viewer's files.</summary>
    public void Delete()
    {
        DeleteTiles();
        ViewerFiles.Delete(Paths);
    }

    /// <summary>Removes NAME.dzi and the tile folder, and keeps the page (it stays beside a zip).</summary>
    internal void DeleteTiles() => _files.Delete();

    public void Dispose() => _files.Dispose();
}
