using System.Globalization;
using Tessera.Codecs;
using Tessera.Pyramid;

namespace Tessera.Sinks;

/// <summary>
/// Writes the pyramid as libvips <c>dzsave</c> lays it out: NAME_files/LEVEL/COLUMN_ROW.SUFFIX, and
/// NAME.dzi last of all, so a run that stopped early never looks complete.
/// </summary>
public sealed class DirectoryTileSink : ITileSink
{
    private readonly DziPaths _paths;
    private readonly string _suffix;
    private string[] _levelDirectories = [];

    public DirectoryTileSink(DziPaths paths, TileFormat format)
    {
        _paths = paths;
        Format = format;
        _suffix = "." + format.DziName();
    }

    public TileFormat Format { get; }

    /// <summary>Creates the tile folders. With <paramref name="overwrite"/> an existing pyramid is removed first; without it one is refused.</summary>
    public void Create(int levelCount, bool overwrite)
    {
        if (_paths.AnyExists)
        {
            if (!overwrite)
            {
                throw new TesseraException($"Output \"{_paths.DziFile}\" already exists (or its folder \"{_paths.FilesDirectory}\" does); use --overwrite to replace it.");
            }

            Delete();
        }

        try
        {
            Directory.CreateDirectory(_paths.FilesDirectory);
            _levelDirectories = new string[levelCount];
            for (int level = 0; level < levelCount; level++)
            {
                _levelDirectories[level] = Directory.CreateDirectory(_paths.LevelDirectory(level)).FullName;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TesseraException($"Cannot create the output folder \"{_paths.FilesDirectory}\": {e.Message}", e);
        }
    }

    public void Write(int level, int column, int row, ReadOnlySpan<byte> encoded)
    {
        string path = Path.Combine(_levelDirectories[level], string.Create(CultureInfo.InvariantCulture, $"{column}_{row}{_suffix}"));
        try
        {
            TileFile.Write(path, encoded);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TesseraException($"Cannot write tile \"{path}\": {e.Message}", e);
        }
    }

    /// <summary>Writes NAME.dzi, which marks the pyramid complete. Written to a temporary name, then renamed.</summary>
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

    /// <summary>Removes everything this sink wrote (after a failed build).</summary>
    public void Delete()
    {
        if (File.Exists(_paths.DziFile))
        {
            File.Delete(_paths.DziFile);
        }

        if (Directory.Exists(_paths.FilesDirectory))
        {
            Directory.Delete(_paths.FilesDirectory, recursive: true);
        }
    }
}
