using System.Text.Json.Serialization;

namespace Tessera.Viewer;

/// <summary>What the page's script reads: the pyramids shown (two in a comparison).</summary>
internal sealed record PageJson(IReadOnlyList<PyramidJson> Pyramids, bool Compare);

/// <summary>One pyramid as the page's script reads it; URLs relative to the page, already escaped.</summary>
internal sealed record PyramidJson(string Name, string TilesUrl, string Format, int Width, int Height, int TileSize, int Overlap, int TopLevel,
    string Container, string OverlayUrl, double? PixelSize, OverlayIndex? Overlay);

/// <summary>
/// Serializers generated at compile time: the reflection-based one emitted code at run time,
/// some 50 ms at the end of every build.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false)]
[JsonSerializable(typeof(PageJson))]
[JsonSerializable(typeof(ViewerMetadata))]
internal sealed partial class ViewerJson : JsonSerializerContext;
