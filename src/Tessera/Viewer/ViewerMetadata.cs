namespace Tessera.Viewer;

/// <summary>
/// What the viewer knows of a Deep Zoom pyramid beyond its .dzi, kept in the sidecar NAME.dzi.json
/// (where <c>tessera serve</c> reads it) and embedded in NAME.html.
/// </summary>
/// <param name="PixelSizeMicrometres">The size of one full-resolution pixel; null when the build was not told.</param>
/// <param name="Overlay">Where the tile outlines are; null when the pyramid has none.</param>
public sealed record ViewerMetadata(double? PixelSizeMicrometres, OverlayIndex? Overlay);
