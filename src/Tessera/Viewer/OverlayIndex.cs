namespace Tessera.Viewer;

/// <summary>
/// What the viewer page needs to find the tile overlay's chunks: the plane is cut into chunks of
/// <see cref="ChunkWidth"/> × <see cref="ChunkHeight"/> px (about 32×32 input tiles), and the tiles
/// whose top-left corner lies in chunk (column, row) are in NAME_overlay/c{column}_{row}.js.
/// </summary>
/// <param name="Present">One character per chunk, row by row: '1' where the chunk has tiles (and a file), '0' where not.</param>
/// <param name="TileWidth">The median tile width: below a few screen pixels of it, no outline is drawn or loaded.</param>
/// <param name="MaxTileWidth">How far left of a chunk its tiles can reach into view: the margin the page looks for chunks in.</param>
/// <param name="Registered">The tiles' links come from a registration report, so outlines carry its quality.</param>
/// <param name="Gains">Tiles carry the exposure gain the build divided out.</param>
public sealed record OverlayIndex(
    int ChunkWidth, int ChunkHeight, int Columns, int Rows, string Present,
    int TileWidth, int TileHeight, int MaxTileWidth, int MaxTileHeight, int Tiles, bool Registered, bool Gains);
