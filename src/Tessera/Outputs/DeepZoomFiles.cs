using System.Globalization;
using Tessera.Codecs;
using Tessera.Pyramid;

namespace Tessera.Outputs;

/// <summary>
/// Writes the pyramid as libvips <c>dzsave</c> lays it out: NAME_files/LEVEL/COLUMN_ROW.SUFFIX, and
/// NAME.dzi last of all, so a run that stopped early never looks complete. Takes tiles already
/// encoded; <see cref="DeepZoomFolderOutput"/> encodes them.
/// </summary>
public sealed class DeepZoomFiles : IDisposable
{
    private readonly DziPaths _paths;
    private readonly string _suffix;
    private TileDirectory[] _levelDirectories = [];

    public DeepZoomFiles(DziPaths paths, TileFormat format)
    {
        _paths = paths;
        Format = format;
        _suffix = "." + format.DziName();
    }

    public TileFormat Format { get; }

    public string CompleteFile => _paths.DziFile;

    public bool IsComplete => _paths.IsComplete;

    public bool AnyExists => _paths.AnyExists;

    public DziPaths Paths => _paths;

    /// <summary>Creates whatever tile folders are missing and keeps what is there (shards share one output).</summary>
    public void Open(int levelCount)
    {
        try
        {
            OutputFolder.Create(_paths.FilesDirectory);
            CloseDirectories();
            _levelDirectories = new TileDirectory[levelCount];
            for (int level = 0; level < levelCount; level++)
            {
                _levelDirectories[level] = new TileDirectory(Directory.CreateDirectory(_paths.LevelDirectory(level)).FullName);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TesseraException($"Cannot create the output folder \"{_paths.FilesDirectory}\": {e.Message}", e);
        }
    }

    public void Write(int level, int column, int row, ReadOnlySpan<byte> encoded)
    {
        TileDirectory directory = _levelDirectories[level];
        string name = string.Create(CultureInfo.InvariantCulture, $"{column}_{row}{_suffix}");
        try
        {
            directory.Write(name, encoded);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TesseraException($"Cannot write tile \"{directory.PathOf(name)}\": {e.Message}", e);
        }
    }

    /// <summary>Writes NAME.dzi, which marks the pyramid complete (written to a temporary name, then renamed).</summary>
    public void Commit(DziGeometry geometry)
    {
        string temporary = _paths.DziFile + ".partial";
        try
        {
            File.WriteAllBytes(temporary, DziDescriptor.ToBytes(geometry, Format));
            File.Move(temporary, _paths.DziFile, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            throw new TesseraException($"Cannot write \"{_paths.DziFile}\": {e.Message}", e);
        }
    }

    public void Dispose() => CloseDirectories();

    private void CloseDirectories()
    {
        foreach (TileDirectory directory in _levelDirectories)
        {
            directory.Dispose();
        }

        _levelDirectories = [];
    }

    /// <summary>Removes the pyramid: NAME.dzi first (it marks the pyramid complete), then the tile folder.</summary>
    public void Delete()
    {
        CloseDirectories();
        if (File.Exists(_paths.DziFile))
        {
            File.Delete(_paths.DziFile);
        }

        OutputFolder.Delete(_paths.FilesDirectory);
    }
}
