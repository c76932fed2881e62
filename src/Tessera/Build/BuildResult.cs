using Tessera.Pyramid;
using Tessera.Sinks;

namespace Tessera.Build;

/// <summary>What a finished build made.</summary>
public sealed record BuildResult(
    DziPaths Output,
    DziGeometry Geometry,
    int Columns,
    int Rows,
    int TileWidth,
    int TileHeight,
    int OverlapX,
    int OverlapY,
    IReadOnlyList<(int Column, int Row)> MissingCells,
    long TilesWritten,
    long InputDecodes,
    TimeSpan Elapsed);
