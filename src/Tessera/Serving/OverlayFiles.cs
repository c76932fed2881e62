using Tessera.Viewer;

namespace Tessera.Serving;

/// <summary>
/// The tile overlay's chunks in NAME_overlay beside the pyramid (a folder or a zip): a chunk's real
/// path (links followed) must lie inside the real overlay folder, as tiles must inside NAME_files.
/// </summary>
internal sealed class OverlayFiles(string pyramid)
{
    private const string ContentType = "text/javascript; charset=utf-8";

    private readonly string _folder = new ViewerPaths(pyramid).OverlayDirectory;

    public SiteResponse Answer(SiteAddress address)
    {
        if (RealPaths.Resolve(_folder) is not { } root || RealPaths.Resolve(Path.Combine(_folder, address.File)) is not { } real)
        {
            return SiteResponse.NotFound($"No overlay chunk {address.File}.");
        }

        return !RealPaths.IsInside(real, root)
            ? SiteResponse.Forbidden($"Overlay chunk {address.File} is a link to a file outside the pyramid.")
            : DirectorySite.FileResponse(real, ContentType, PyramidSite.PageCacheControl) ?? SiteResponse.NotFound($"No overlay chunk {address.File}.");
    }
}
