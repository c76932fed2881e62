namespace Tessera.Layout;

/// <summary>
/// One input tile and where its top-left corner lies on the stitched plane, in pixels (subpixel
/// positions allowed; the plane's origin need not be the smallest position). <see cref="Column"/>
/// and <see cref="Row"/> give the tile's grid cell where one is known (-1 where not): registration
/// uses them to find neighbours.
/// </summary>
public readonly record struct TilePlacement(string Path, double X, double Y, int Column = -1, int Row = -1);
