using System.Text.Json;
using Tessera.Codecs;
using Tessera.Pyramid;
using Tessera.Outputs;

namespace Tessera.Viewer;

/// <summary>
/// Everything the viewer needs beside a Deep Zoom pyramid, written when the build completes, before
/// the .dzi: the tile overlay (NAME_overlay), the sidecar NAME.dzi.json (pixel size, overlay index)
/// and the page NAME.html, which embeds the sidecar's content. All three go with the pyramid: an
/// overwriting or failed build removes them, and the overlay folder carries Tessera's marker.
/// </summary>
public static class ViewerFiles
{
    /// <summary>Writes the overlay (where <paramref name="content"/> is given), the sidecar and the page.</summary>
    public static void Write(DziPaths paths, DziGeometry geometry, TileFormat format, bool zipped, ViewerContent? content)
    {
        var viewer = new ViewerPaths(paths.DziFile);
        try
        {
            OverlayIndex? overlay = content is null ? null : TileOverlayWriter.Write(viewer.OverlayDirectory, content);
            var metadata = new ViewerMetadata(content?.PixelSize?.Micrometres, overlay);
            WriteAtomically(viewer.MetadataFile, JsonSerializer.Serialize(metadata, ViewerJson.Default.ViewerMetadata) + "\n");
            ViewerPage.Write(paths, geometry, format, zipped, metadata);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TesseraException($"Cannot write the viewer's files beside \"{paths.DziFile}\": {e.Message}", e);
        }
    }

    /// <summary>Removes the page, the sidecar and the overlay folder (only where marked as Tessera's); what is missing is nothing to do.</summary>
    public static void Delete(DziPaths paths)
    {
        var viewer = new ViewerPaths(paths.DziFile);
        // The output's folder may not exist yet (it is made when the pyramid is opened).
        foreach (string file in new[] { viewer.HtmlFile, viewer.MetadataFile })
        {
            if (File.Exists(file))
            {
                File.Delete(file);
            }
        }

        OutputFolder.Delete(viewer.OverlayDirectory);
    }

    /// <summary>The sidecar of pyramid <paramref name="pyramid"/> (NAME.dzi or NAME.zip); null where there is none (a pyramid from elsewhere, or an older Tessera).</summary>
    /// <exception cref="TesseraException">The sidecar is there but cannot be read.</exception>
    public static ViewerMetadata? ReadMetadata(string pyramid)
    {
        string file = new ViewerPaths(pyramid).MetadataFile;
        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(file), ViewerJson.Default.ViewerMetadata)
                ?? throw new JsonException("it holds null");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new TesseraException($"Cannot read the viewer's sidecar \"{file}\": {e.Message}", e);
        }
    }

    /// <summary>Writes under a temporary name, then renames: a file that exists is whole.</summary>
    internal static void WriteAtomically(string path, string text)
    {
        string temporary = path + ".partial";
        try
        {
            File.WriteAllText(temporary, text);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            throw new TesseraException($"Cannot write \"{path}\": {e.Message}", e);
        }
    }
}
