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
    /// Tiles whose every pixel is this colour, within <see cref="SkipBlankTolerance"/>, are not
    /// written (viewers draw a missing tile as empty); null writes every tile.
    /// </summary>
    public Rgb? SkipBlank { get; init; }

    /// <summary>How many levels each channel of a left-out tile may differ from <see cref="SkipBlank"/> (0: exactly it).</summary>
    public int SkipBlankTolerance { get; init; }

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

    /// <summary>
    /// The lowest level the output holds: 0 for Deep Zoom, more for an OME or IIIF pyramid, which
    /// ends at the first level that fits in one tile. Tiles below it are neither made nor counted.
    /// </summary>
    public int LowestLevel { get; init; }

    /// <summary>
    /// Throws a <see cref="Build.RequestException"/> naming the first setting the builder cannot
    /// work with; <paramref name="name"/> is how the caller's request reaches these options.
    /// </summary>
    public void Validate(string name = nameof(PyramidOptions))
    {
        if (BlockLevels is < 1 or > 8)
        {
            throw new Build.RequestException($"{name}.BlockLevels must be between 1 and 8 (got {BlockLevels}).", $"{name}.BlockLevels");
        }

        if (TileSize is < 1 or > DziGeometry.MaxTileSize)
        {
            throw new Build.RequestException($"{name}.TileSize must be between 1 and {DziGeometry.MaxTileSize} (got {TileSize}).", $"{name}.TileSize");
        }

        // libvips dzsave, the reference for the layout, refuses an overlap as large as the tile,
        // and a tile that repeated all of its neighbours would hold three tiles' worth of pixels.
        if (Overlap < 0 || Overlap >= TileSize)
        {
            throw new Build.RequestException(
                $"{name}.Overlap must be at least 0 and less than {name}.TileSize, {TileSize} (got {Overlap}).", $"{name}.Overlap", $"{name}.TileSize");
        }

        if (LowestLevel < 0)
        {
            throw new Build.RequestException($"{name}.LowestLevel must be at least 0 (got {LowestLevel}).", $"{name}.LowestLevel");
        }

        if (Threads < 1)
        {
            throw new Build.RequestException($"{name}.Threads must be at least 1 (got {Threads}).", $"{name}.Threads");
        }

        if (SkipBlankTolerance is < 0 or > BlankTile.MaxTolerance)
        {
            throw new Build.RequestException($"{name}.SkipBlankTolerance must be between 0 and {BlankTile.MaxTolerance} (got {SkipBlankTolerance}).", $"{name}.SkipBlankTolerance");
        }

        Encode.Validate();
    }
}
