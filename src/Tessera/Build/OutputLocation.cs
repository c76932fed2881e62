using Tessera.Outputs;

namespace Tessera.Build;

/// <summary>
/// Where a build writes: the output's path, as its layout names it, and the build's own work
/// folder NAME.tessera beside it (job file, finished blocks), which belongs to the build and goes
/// when the output is complete.
/// </summary>
/// <param name="Path">NAME.dzi (Deep Zoom, and its zip), the IIIF folder NAME, NAME.ome.tif or NAME.ome.zarr; a full path.</param>
/// <param name="Name">NAME: the path without the layout's suffix.</param>
internal sealed record OutputLocation(string Path, string Name)
{
    public string WorkDirectory => Name + ".tessera";

    /// <summary>The folder the output is written in.</summary>
    public string Parent => System.IO.Path.GetDirectoryName(Path)!;

    /// <summary>
    /// Deep Zoom and IIIF take any name (NAME.zip and a name without .dzi become NAME.dzi, as
    /// before); an OME output takes its own suffix or none, which it then gets, and refuses
    /// another (a name ending in .dzi or .tif is most likely a mistake of layout).
    /// </summary>
    /// <exception cref="RequestException">An OME output named with another suffix.</exception>
    public static OutputLocation Of(BuildRequest request)
    {
        if (request.PyramidLayout is PyramidLayout.DeepZoom or PyramidLayout.Iiif3)
        {
            var paths = new DziPaths(request.OutputPath);
            return new OutputLocation(request.PyramidLayout == PyramidLayout.Iiif3 ? paths.Name : paths.DziFile, paths.Name);
        }

        string[] suffixes = request.PyramidLayout == PyramidLayout.OmeTiff ? [".ome.tif", ".ome.tiff"] : [".ome.zarr"];
        string full = System.IO.Path.GetFullPath(request.OutputPath.TrimEnd('/', System.IO.Path.DirectorySeparatorChar));
        if (suffixes.FirstOrDefault(s => full.EndsWith(s, StringComparison.OrdinalIgnoreCase)) is { } suffix)
        {
            return new OutputLocation(full, full[..^suffix.Length]);
        }

        if (System.IO.Path.GetExtension(full).Length == 0)
        {
            return new OutputLocation(full + suffixes[0], full);
        }

        throw new RequestException(
            $"OutputPath \"{request.OutputPath}\" ends in \"{System.IO.Path.GetExtension(full)}\", but PyramidLayout {(request.PyramidLayout == PyramidLayout.OmeTiff ? "ome-tiff" : "ome-zarr")} " +
            $"is written to NAME{suffixes[0]}: name it so, or give NAME alone.", nameof(BuildRequest.OutputPath), nameof(BuildRequest.PyramidLayout));
    }
}
