using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Outputs;

namespace Tessera.Verification;

/// <summary>NAME_files on disk.</summary>
internal sealed class DirectoryPyramidFiles(DziPaths paths) : IPyramidFiles
{
    public string Folder => paths.FilesDirectory;

    public IReadOnlyList<(string Name, bool IsFolder)>? TopLevel() => Directory.Exists(paths.FilesDirectory)
        ? Directory.EnumerateFileSystemEntries(paths.FilesDirectory).Select(entry => (Path.GetFileName(entry), Directory.Exists(entry))).ToList()
        : null;

    public HashSet<string>? Level(int level)
    {
        string directory = paths.LevelDirectory(level);
        return Directory.Exists(directory)
            ? new HashSet<string>(Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName)!, StringComparer.Ordinal)
            : null;
    }

    public PixelBuffer Decode(int level, string file, ITileCodec codec) =>
        codec.Decode(Path.Combine(paths.LevelDirectory(level), file), PixelFormat.Rgbx8888);
}
