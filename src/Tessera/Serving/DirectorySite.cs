using System.Globalization;
using Tessera.Outputs;

namespace Tessera.Serving;

/// <summary>
/// NAME.dzi and NAME_files on disk; a tile is looked up when asked for. Every tile's real path (links
/// followed) must lie inside the real NAME_files: a link in the pyramid that leads out of it is not
/// served, and the file served is the resolved one, so no link is followed after the check.
/// </summary>
internal sealed class DirectorySite : PyramidSite
{
    private readonly DziPaths _paths;
    private readonly string _root;
    private readonly SiteView _view;
    private readonly OverlayFiles _overlay;

    private DirectorySite(DziPaths paths, string root, SiteView view)
        : base(paths.DziFile, Path.GetFileNameWithoutExtension(paths.DziFile))
    {
        _paths = paths;
        _root = root;
        _view = view;
        _overlay = new OverlayFiles(paths.DziFile);
    }

    internal override SiteView CurrentView() => _view;

    public static DirectorySite Create(string dziFile)
    {
        var paths = new DziPaths(dziFile);
        (var geometry, string format) = ReadDescriptor(paths.DziFile);
        if (!Directory.Exists(paths.FilesDirectory) || RealPaths.Resolve(paths.FilesDirectory) is not { } root)
        {
            throw new TesseraException($"The tile folder \"{paths.FilesDirectory}\" of \"{paths.DziFile}\" is missing.");
        }

        string name = Path.GetFileNameWithoutExtension(paths.DziFile);
        var view = new SiteView(paths.DziFile, name, geometry, format, File.GetLastWriteTimeUtc(paths.DziFile), Viewer.ViewerFiles.ReadMetadata(paths.DziFile));
        return new DirectorySite(paths, root, view);
    }

    private protected override SiteResponse Answer(string path)
    {
        SiteAddress address = _view.Match(path);
        return address.Kind switch
        {
            AddressKind.Page => _view.Page,
            AddressKind.Descriptor => FileResponse(_paths.DziFile, "application/xml", PageCacheControl) ?? SiteResponse.NotFound("The .dzi is gone."),
            AddressKind.Tile => Tile(address),
            AddressKind.Overlay => _overlay.Answer(address),
            _ => SiteResponse.NotFound("Not part of this pyramid."),
        };
    }

    private SiteResponse Tile(SiteAddress address)
    {
        string path = Path.Combine(_paths.LevelDirectory(address.Level), address.File);
        if (RealPaths.Resolve(path) is not { } real)
        {
            return SiteResponse.NotFound($"No tile {address.TileName}.");
        }

        if (!RealPaths.IsInside(real, _root))
        {
            return SiteResponse.Forbidden($"Tile {address.TileName} is a link to a file outside the pyramid.");
        }

        return FileResponse(real, _view.ContentTypeOfTiles, TileCacheControl) ?? SiteResponse.NotFound($"No tile {address.TileName}.");
    }

    private static (Pyramid.DziGeometry, string) ReadDescriptor(string dziFile)
    {
        try
        {
            using var stream = new FileStream(dziFile, FileMode.Open, FileAccess.Read, FileShare.Read);
            return DziDescriptor.Read(stream, dziFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TesseraException($"Cannot read \"{dziFile}\": {e.Message}", e);
        }
    }

    /// <summary>A regular file's response; null when there is none (a folder named like a tile is not one).</summary>
    internal static SiteResponse? FileResponse(string path, string contentType, string cacheControl)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            return null;
        }

        DateTime modified = file.LastWriteTimeUtc;
        return new SiteResponse
        {
            Status = 200,
            ContentType = contentType,
            CacheControl = cacheControl,
            ETag = string.Create(CultureInfo.InvariantCulture, $"\"{file.Length:x}-{modified.Ticks:x}\""),
            LastModified = modified,
            FilePath = file.FullName,
        };
    }
}
