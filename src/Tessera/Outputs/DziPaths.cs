namespace Tessera.Outputs;

/// <summary>The files of a DZI pyramid: NAME.dzi and the tile folder NAME_files beside it.</summary>
public sealed record DziPaths
{
    public DziPaths(string dziPath)
    {
        string full = Path.GetFullPath(dziPath);
        if (full.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            full = full[..^4];
        }

        if (!full.EndsWith(".dzi", StringComparison.OrdinalIgnoreCase))
        {
            full += ".dzi";
        }

        DziFile = full;
        FilesDirectory = FilesFolderName(full[..^4]);
        Name = full[..^4];
        HtmlFile = full[..^4] + ".html";
    }

    public string DziFile { get; }

    /// <summary>The tile folder of pyramid NAME (NAME.dzi): NAME_files, as libvips names it on disk and in zips.</summary>
    public static string FilesFolderName(string name) => name + "_files";
    public string FilesDirectory { get; }

    /// <summary>NAME: the full path without the .dzi.</summary>
    public string Name { get; }

    /// <summary>NAME.html, the viewer page beside NAME.dzi (or NAME.zip).</summary>
    public string HtmlFile { get; }

    public string LevelDirectory(int level) => Path.Combine(FilesDirectory, level.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public bool AnyExists => File.Exists(DziFile) || Directory.Exists(FilesDirectory);

    public bool IsComplete => File.Exists(DziFile);
}
