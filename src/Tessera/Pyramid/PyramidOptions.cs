using Tessera.Codecs;
using Tessera.Imaging;

namespace Tessera.Pyramid;

/// <summary>The shape and encoding of the pyramid, and the resources to build it with.</summary>
public sealed record PyramidOptions
{
    public int TileSize { get; init; } = 254;
    public int Overlap { get; init; } = 1;
    public EncodeSettings Encode { get; init; } = new();

    /// <summary>
    /// Tiles whose every pixel is this colour are not written (viewers draw a missing tile as
    /// empty); null writes every tile.
    /// </summary>
    public Rgb? SkipBlank { get; init; }

    /// <summary>Worker threads; each holds one block of pixels at a time.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Where intermediate levels too large for memory are kept while the build runs.</summary>
    public string TemporaryDirectory { get; init; } = Path.GetTempPath();

    /// <summary>Intermediate levels up to this many bytes stay in memory; larger ones go to a temporary file.</summary>
    public long InMemoryLevelBytes { get; init; } = 8L << 20;

    /// <summary>
    /// Levels each block emits before the next round (K): blocks are 2^K × 2^K tile cores. Larger
    /// blocks mean fewer rounds and less re-decoding at block edges, and more memory per thread.
    /// </summary>
    public int BlockLevels { get; init; } = 4;

    public void Validate()
    {
        if (BlockLevels is < 1 or > 8)
        {
            throw new TesseraException($"Block levels must be between 1 and 8 (got {BlockLevels}).");
        }

        if (TileSize is < 1 or > DziGeometry.MaxTileSize)
        {
            throw new TesseraException($"Tile size must be between 1 and {DziGeometry.MaxTileSize} (got {TileSize}).");
        }

        if (Overlap < 0 || Overlap > TileSize)
        {
            throw new TesseraException($"Tile overlap must be between 0 and the tile size {TileSize} (got {Overlap}).");
        }

        if (Threads < 1)
        {
            throw new TesseraException($"Threads must be at least 1 (got {Threads}).");
        }

        Encode.Validate();
    }
}
