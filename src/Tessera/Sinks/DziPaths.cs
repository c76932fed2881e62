namespace Tessera.Sinks;

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
        WorkDirectory = full[..^4] + ".tessera";
        ZipFile = full[..^4] + ".zip";
        HtmlFile = full[..^4] + ".html";
    }

    public string DziFile { get; }

    /// <summary>The tile folder of pyramid NAME (NAME.dzi): NAME_files, as libvips names it on disk and in zips.</summary>
    public static string FilesFolderName(string name) => name + "_files";
    public string FilesDirectory { get; }

    /// <summary>The build's own folder while it runs (job settings, finished blocks); removed when the pyramid is complete.</summary>
    public string WorkDirectory { get; }

    /// <summary>NAME.zip, the whole pyramid in one file when built with the zip container.</summary>
    public string ZipFile { get; }

    /// <summary>NAME.html, the viewer page beside NAME.dzi (or NAME.zip).</summary>
    public string HtmlFile { get; }

    public string LevelDirectory(int level) => Path.Combine(FilesDirectory, level.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public bool AnyExists => File.Exists(DziFile) || Directory.Exists(FilesDirectory) || Directory.Exists(WorkDirectory);

    public bool IsComplete => File.Exists(DziFile);
}
