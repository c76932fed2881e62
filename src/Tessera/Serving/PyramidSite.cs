namespace Tessera.Serving;

/// <summary>
/// The web site of one pyramid, without a web server: which request target names which file. Only
/// four kinds of address exist (<see cref="SiteView"/>); there are no directory listings. Targets that
/// try to step out (<c>..</c>, encoded dots, slashes or backslashes, absolute forms) are refused with
/// 400 before any lookup. Tiles come from NAME_files, where no link may lead out of it
/// (<see cref="DirectorySite"/>), or straight from NAME.zip, reopened when the file changes
/// (<see cref="ZipSite"/>).
/// </summary>
public abstract class PyramidSite : IServedSite
{
    public const string PageCacheControl = "no-cache";
    public const string TileCacheControl = "public, max-age=300";

    private protected PyramidSite(string source, string name)
    {
        Source = source;
        Name = name;
    }

    /// <summary>The .dzi or .zip served.</summary>
    public string Source { get; }

    /// <summary>NAME: the pyramid's file name without extension.</summary>
    public string Name { get; }

    /// <summary>Opens NAME.dzi (with NAME_files beside it) or NAME.zip (libvips' zip layout).</summary>
    /// <exception cref="TesseraException">The file is missing, or is not a Deep Zoom pyramid.</exception>
    public static PyramidSite Open(string path)
    {
        string full = Path.GetFullPath(path);
        if (OmeKind(full) is { } ome)
        {
            throw new TesseraException($"\"{full}\" is an {ome}: serving is for Deep Zoom only (NAME.dzi or NAME.zip); open an {ome} in QuPath, napari, OMERO or Fiji (Bio-Formats).");
        }

        if (Directory.Exists(full))
        {
            throw new TesseraException($"\"{full}\" is a folder: give the pyramid's .dzi or .zip file.");
        }

        if (!File.Exists(full))
        {
            throw new TesseraException($"\"{full}\" does not exist.");
        }

        string extension = Path.GetExtension(full).ToLowerInvariant();
        return extension switch
        {
            ".dzi" => DirectorySite.Create(full),
            ".zip" => ZipSite.Create(full),
            _ => throw new TesseraException($"\"{full}\" is not a Deep Zoom pyramid: give NAME.dzi or NAME.zip."),
        };
    }

    /// <summary>"OME-TIFF" or "OME-Zarr" when <paramref name="path"/> names one (by its suffix, or a folder by its zarr metadata); else null.</summary>
    private static string? OmeKind(string path)
    {
        string trimmed = Path.TrimEndingDirectorySeparator(path);
        return trimmed.EndsWith(".ome.tif", StringComparison.OrdinalIgnoreCase) || trimmed.EndsWith(".ome.tiff", StringComparison.OrdinalIgnoreCase) ? "OME-TIFF"
            : trimmed.EndsWith(".ome.zarr", StringComparison.OrdinalIgnoreCase) || File.Exists(Path.Combine(trimmed, ".zattrs")) ? "OME-Zarr"
            : null;
    }

    /// <summary>The answer to a GET or HEAD of <paramref name="target"/>, the request target as sent (path and query).</summary>
    public SiteResponse Resolve(string target)
    {
        if (RefuseTarget(target) is { } refused)
        {
            return refused;
        }

        int query = target.IndexOfAny(['?', '#']);
        string path;
        try
        {
            path = Uri.UnescapeDataString(query < 0 ? target : target[..query]);
        }
        catch (UriFormatException)
        {
            return SiteResponse.BadRequest("Malformed address.");
        }

        if (path.Contains('\0', StringComparison.Ordinal) || path.Contains('\\', StringComparison.Ordinal)
            || path.Contains("//", StringComparison.Ordinal) || path.Split('/').Any(segment => segment is "." or ".."))
        {
            return SiteResponse.BadRequest("Addresses may not step out of the pyramid.");
        }

        return Answer(path);
    }

    /// <summary>
    /// Refuses, on the raw target, what could mean a step outside once decoded or normalised: a target
    /// that is not a path (absolute form, asterisk), a backslash, or an encoded dot, slash, backslash or NUL.
    /// </summary>
    private static SiteResponse? RefuseTarget(string target)
    {
        if (!target.StartsWith('/'))
        {
            return SiteResponse.BadRequest("Only paths are served.");
        }

        if (target.Contains('\\', StringComparison.Ordinal))
        {
            return SiteResponse.BadRequest("Backslashes are not allowed in addresses.");
        }

        foreach (string encoded in (ReadOnlySpan<string>)["%2e", "%2f", "%5c", "%00"])
        {
            if (target.Contains(encoded, StringComparison.OrdinalIgnoreCase))
            {
                return SiteResponse.BadRequest($"Encoded \"{encoded}\" is not allowed in addresses.");
            }
        }

        return null;
    }

    /// <summary>How the pyramid looks on the web now (for a zip, the version on disk).</summary>
    /// <exception cref="TesseraException">A zip that changed cannot be read.</exception>
    internal abstract SiteView CurrentView();

    public string Description => Source;

    /// <summary>The answer for <paramref name="path"/>, decoded and checked not to step out.</summary>
    private protected abstract SiteResponse Answer(string path);

    public virtual void Dispose()
    {
        GC.SuppressFinalize(this);
    }
}
