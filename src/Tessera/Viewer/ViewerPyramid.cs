using Tessera.Pyramid;

namespace Tessera.Viewer;

/// <summary>One pyramid as a viewer page shows it: its name, geometry, tile format and metadata, and where its files are relative to the page.</summary>
/// <param name="Prefix">Put before NAME_files/ and NAME_overlay/: empty beside the page, "1/" for the first of a comparison.</param>
/// <param name="Zipped">The tiles are in NAME.zip, which a page opened from a file cannot read.</param>
public sealed record ViewerPyramid(string Name, DziGeometry Geometry, string Format, ViewerMetadata? Metadata, string Prefix = "", bool Zipped = false);
