using System.Text.Json;
using System.Text.RegularExpressions;
using Tessera.Codecs;
using Tessera.Pyramid;
using Tessera.Outputs;

namespace Tessera.Viewer;

/// <summary>
/// NAME.html, the viewer page written beside NAME.dzi: OpenSeadragon (from the npm package, embedded
/// at build time) and the pyramid's geometry inline, so the page needs nothing but the tile folder
/// beside it and works from a file:// address as well as from <c>tessera serve</c>. The tiles are
/// addressed relative to the page (NAME_files/), which is also where the server puts them.
/// </summary>
public static partial class ViewerPage
{
    private static readonly Lazy<string> Template = new(() => ReadResource("Tessera.Viewer.viewer.html"));
    private static readonly Lazy<string> OpenSeadragon = new(() => ReadResource("Tessera.Viewer.openseadragon.min.js"));

    /// <summary>The page for the pyramid NAME with this geometry and tile format.</summary>
    /// <param name="name">NAME, the file name of the .dzi without its extension.</param>
    /// <param name="zipped">The tiles are in NAME.zip: opened from a file, the page says to use <c>tessera serve</c>.</param>
    /// <param name="metadata">Pixel size and tile overlay, as the sidecar NAME.dzi.json holds them; null for neither.</param>
    public static string Render(string name, DziGeometry geometry, string format, bool zipped, ViewerMetadata? metadata = null) =>
        Render(name, [new ViewerPyramid(name, geometry, format, metadata, Zipped: zipped)], compare: false);

    /// <summary>One page showing two pyramids side by side (or one over the other, swiped), moving together.</summary>
    public static string RenderComparison(ViewerPyramid first, ViewerPyramid second) =>
        Render(first.Name + " | " + second.Name, [first, second], compare: true);

    private static string Render(string title, IReadOnlyList<ViewerPyramid> pyramids, bool compare)
    {
        var page = new PageJson([.. pyramids.Select(ToJson)], compare);

        // The default encoder escapes <, > and & too, so nothing in the JSON can end the script element.
        string json = JsonSerializer.Serialize(page, ViewerJson.Default.PageJson);
        // One pass, so that nothing put in is read again as a placeholder.
        return Placeholder().Replace(Template.Value, match => match.Groups[1].Value switch
        {
            "TITLE" => System.Net.WebUtility.HtmlEncode(title),
            "CONFIG" => json,
            _ => OpenSeadragon.Value,
        });
    }

    private static PyramidJson ToJson(ViewerPyramid p) => new(
        p.Name, p.Prefix + Uri.EscapeDataString(DziPaths.FilesFolderName(p.Name)) + "/", p.Format,
        p.Geometry.Width, p.Geometry.Height, p.Geometry.TileSize, p.Geometry.Overlap, p.Geometry.TopLevel, p.Zipped ? "zip" : "directory",
        p.Prefix + Uri.EscapeDataString(ViewerPaths.OverlayFolderName(p.Name)) + "/", p.Metadata?.PixelSizeMicrometres, p.Metadata?.Overlay);

    /// <summary>Writes NAME.html beside NAME.dzi (under a temporary name, then renamed).</summary>
    internal static void Write(DziPaths paths, DziGeometry geometry, TileFormat format, bool zipped, ViewerMetadata? metadata)
    {
        string name = Path.GetFileNameWithoutExtension(paths.DziFile);
        ViewerFiles.WriteAtomically(paths.HtmlFile, Render(name, geometry, format.DziName(), zipped, metadata));
    }

    [GeneratedRegex(@"\{\{(TITLE|CONFIG|OPENSEADRAGON)\}\}")]
    private static partial Regex Placeholder();

    private static string ReadResource(string name)
    {
        using Stream stream = typeof(ViewerPage).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Resource {name} is missing from {typeof(ViewerPage).Assembly.GetName().Name}: the build embeds it (see Tessera.csproj).");
        using var reader = new StreamReader(stream);
        string text = reader.ReadToEnd();
        if (name.EndsWith(".js", StringComparison.Ordinal) && text.Contains("</script", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{name} contains \"</script\" and cannot be put inline in the page.");
        }

        return text;
    }
}
