namespace Tessera.Sinks;

/// <summary>The files of a DZI pyramid: NAME.dzi and the tile folder NAME_files beside it.</summary>
public sealed record DziPaths
{
    public DziPaths(string dziPath)
    {
        string full = Path.GetFullPath(dziPath);
        if (!full.EndsWith(".dzi", StringComparison.OrdinalIgnoreCase))
        {
            full += ".dzi";
        }

        DziFile = full;
        FilesDirectory = full[..^4] + "_files";
    }

    public string DziFile { get; }
    public string FilesDirectory { get; }

    public string LevelDirectory(int level) => Path.Combine(FilesDirectory, level.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public bool AnyExists => File.Exists(DziFile) || Directory.Exists(FilesDirectory);
}
