using Tessera.Pyramid;

namespace Tessera.Build;

/// <summary>What a build (or one shard of it, or its finishing step) did.</summary>
/// <param name="Output">The output's path: NAME.dzi (also for its zip), the IIIF folder, NAME.ome.tif or NAME.ome.zarr.</param>
public sealed record BuildResult(
    string Output,
    DziGeometry Geometry,
    int Columns,
    int Rows,
    int TileWidth,
    int TileHeight,
    int OverlapX,
    int OverlapY,
    IReadOnlyList<(int Column, int Row)> MissingCells,
    long TilesWritten,
    long BlankTiles,
    long InputDecodes,
    TimeSpan Elapsed)
{
    /// <summary>The shard this run built, or null for a whole build or a finishing step.</summary>
    public ShardSpec? Shard { get; init; }

    /// <summary>First-round blocks this run built, and those it found already built (a rerun).</summary>
    public int BlocksBuilt { get; init; }

    public int BlocksSkipped { get; init; }

    /// <summary>Whether the pyramid is complete (its .dzi written); false after a shard.</summary>
    public bool Complete { get; init; }

    /// <summary>
    /// The pyramid was already complete: a run stopped at its very end had left its work folder,
    /// which this run removed, and there was nothing else to do.
    /// </summary>
    public bool CompletedEarlier { get; init; }

    /// <summary>Image files in the input folder the layout left out (names that do not fit the pattern).</summary>
    public IReadOnlyList<string> LeftOut { get; init; } = [];

    /// <summary>How 16-bit input samples were mapped to 8 bits (given, or worked out from the tiles); null for 8-bit input.</summary>
    public Imaging.IntensityRange? InputRange { get; init; }

    /// <summary>Bits per sample of the pyramid: 8, or 16 where 16-bit input kept its depth (the OME layouts without a range).</summary>
    public int SampleBits { get; init; } = 8;

    /// <summary>The output as written: NAME.dzi, NAME.zip, the IIIF info.json, NAME.ome.tif or NAME.ome.zarr.</summary>
    public string Written { get; init; } = "";

    /// <summary>Levels the output holds (an OME or IIIF pyramid stops at the first level that fits in one tile).</summary>
    public int Levels { get; init; }

    /// <summary>Input tiles placed (present cells of the grid, or the tiles of a positions list).</summary>
    public int TileCount { get; init; }

    /// <summary>Whether the tiles were placed at explicit positions rather than on the nominal grid.</summary>
    public bool Positioned { get; init; }

    /// <summary>What the build's own registration found (<see cref="BuildRequest.Registration"/>); null where it ran none.</summary>
    public Registration.RegistrationReport? Registration { get; init; }

    /// <summary>Where the build's own registration wrote its positions, report and gains; null where it ran none.</summary>
    public Registration.RegistrationFiles? RegistrationFiles { get; init; }

    /// <summary>The flat-field divided out of every tile, described; null for none.</summary>
    public string? Correction { get; init; }

    /// <summary>
    /// The most pixel memory the run held at once: its blocks' windows, the decoded input tiles it
    /// kept and the levels it built, in use or pooled for reuse (<see cref="Imaging.PixelMemoryPool.PeakBytes"/>).
    /// </summary>
    public long PixelMemoryPeakBytes { get; init; }
}
