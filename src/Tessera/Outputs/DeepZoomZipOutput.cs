using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Pyramid;

namespace Tessera.Outputs;

/// <summary>
/// A Deep Zoom pyramid in one NAME.zip, laid out as libvips <c>dzsave --container zip</c> writes it.
/// Built as a folder pyramid first and packed at the end (<see cref="ZipPacker"/>), which then goes;
/// the viewer page stays beside the zip. The zip, written under a temporary name and renamed, marks
/// the output complete.
/// </summary>
public sealed class DeepZoomZipOutput : IPyramidOutput
{
    private readonly DeepZoomFolderOutput _folder;

    public DeepZoomZipOutput(DziPaths paths, ITileCodec codec, EncodeSettings encode)
    {
        _folder = new DeepZoomFolderOutput(paths, codec, encode, zipped: true);
        ZipFile = paths.Name + ".zip";
    }

    public string ZipFile { get; }

    public string CompleteFile => ZipFile;

    public string Location => ZipFile;

    public bool IsComplete => File.Exists(ZipFile);

    public bool AnyExists => _folder.AnyExists || File.Exists(ZipFile);

    public IReadOnlyList<string> Folders => _folder.Folders;

    public IReadOnlyList<string> Files => [.. _folder.Files, ZipFile];

    public bool KeepsTilesAcrossRuns => true;

    public bool AllowsShards => true;

    /// <summary>Stopped while packing: the folder pyramid is whole, only the zip is left to write.</summary>
    public bool OnlyCompletionLeft => !IsComplete && _folder.IsComplete;

    public int LevelsOf(DziGeometry geometry) => geometry.LevelCount;

    public void Open(int levelCount) => _folder.Open(levelCount);

    /// <summary>The folder pyramid, where a run stopped after packing it.</summary>
    public void RemoveIntermediates() => _folder.DeleteTiles();

    public void Write(int level, int column, int row, PixelBuffer source, PixelRect tile) => _folder.Write(level, column, row, source, tile);

    /// <summary>Completes the folder pyramid (where a stopped run did not), packs it into NAME.zip and removes it.</summary>
    public void Complete(DziGeometry geometry)
    {
        if (!_folder.IsComplete)
        {
            _folder.Complete(geometry);
        }

        ZipPacker.Pack(_folder.Paths, ZipFile);
        _folder.DeleteTiles();
    }

    public void Delete()
    {
        _folder.Delete();
        File.Delete(ZipFile);
        File.Delete(ZipFile + ".partial");
    }

    public void Dispose() => _folder.Dispose();
}
