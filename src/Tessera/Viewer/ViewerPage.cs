using System.Text.Json;
using System.Text.Json.Serialization;
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
    public static string Render(string name, DziGeometry geometry, string format, bool zipped)
    {
        var pyramid = new PyramidJson(name, Uri.EscapeDataString(DziPaths.FilesFolderName(name)) + "/", format,
            geometry.Width, geometry.Height, geometry.TileSize, geometry.Overlap, geometry.TopLevel, zipped ? "zip" : "directory");

        // The default encoder escapes <, > and & too, so nothing in the JSON can end the script element.
        string json = JsonSerializer.Serialize(pyramid, ViewerJson.Default.PyramidJson);
        // One pass, so that nothing put in is read again as a placeholder.
        return Placeholder().Replace(Template.Value, match => match.Groups[1].Value switch
        {
            "TITLE" => System.Net.WebUtility.HtmlEncode(name),
            "PYRAMID" => json,
            _ => OpenSeadragon.Value,
        });
    }

    /// <summary>Writes NAME.html beside NAME.dzi (under a temporary name, then renamed).</summary>
    public static void Write(DziPaths paths, DziGeometry geometry, TileFormat format, bool zipped)
    {
        string name = Path.GetFileNameWithoutExtension(paths.DziFile);
        string temporary = paths.HtmlFile + ".partial";
        try
        {
            File.WriteAllText(temporary, Render(name, geometry, format.DziName(), zipped));
            File.Move(temporary, paths.HtmlFile, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            throw new TesseraException($"Cannot write \"{paths.HtmlFile}\": {e.Message}", e);
        }
    }

    /// <summary>The pyramid as the page's script reads it.</summary>
    private sealed record PyramidJson(string Name, string TilesUrl, string Format, int Width, int Height, int TileSize, int Overlap, int TopLevel, string Container);

    /// <summary>
    /// Serializers generated at compile time: the reflection-based one emitted code at run time,
    /// some 50 ms at the end of every build.
    /// </summary>
    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
    [JsonSerializable(typeof(PyramidJson))]
    private sealed partial class ViewerJson : JsonSerializerContext;

    [GeneratedRegex(@"\{\{(TITLE|PYRAMID|OPENSEADRAGON)\}\}")]
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
