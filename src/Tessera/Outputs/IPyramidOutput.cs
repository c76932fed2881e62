using Tessera.Pyramid;

namespace Tessera.Outputs;

/// <summary>
/// One kind of output on disk (a Deep Zoom folder or zip, IIIF tiles, an OME-TIFF, an OME-Zarr):
/// its files, how it is opened, written, completed and removed. The build's own state (its work
/// folder, job file and finished blocks) is the build's, never an output's.
/// </summary>
public interface IPyramidOutput : ITileWriter, IDisposable
{
    /// <summary>The output as a user names it: NAME.dzi, NAME.zip, the IIIF folder, NAME.ome.tif, NAME.ome.zarr.</summary>
    string Location { get; }

    /// <summary>The file written last, whose presence means the output is complete.</summary>
    string CompleteFile { get; }

    bool IsComplete { get; }

    /// <summary>Whether anything of this output, complete or not, is on disk.</summary>
    bool AnyExists { get; }

    /// <summary>
    /// The folders this output is made of: what it creates (marked as Tessera's, see
    /// <see cref="OutputFolder"/>) and what removing it removes.
    /// </summary>
    IReadOnlyList<string> Folders { get; }

    /// <summary>The files it writes outside its folders (none may be a folder).</summary>
    IReadOnlyList<string> Files { get; }

    /// <summary>
    /// Whether tiles an interrupted run wrote are still there for the next run to keep. An output
    /// that cannot say which tiles it holds (one file, indexed at the end) starts again instead.
    /// </summary>
    bool KeepsTilesAcrossRuns { get; }

    /// <summary>Whether several processes (shards) can write it at once.</summary>
    bool AllowsShards { get; }

    /// <summary>
    /// Every tile is written and only the completing step was cut short (a zip packed from its
    /// folder): completing it again is all that is left.
    /// </summary>
    bool OnlyCompletionLeft { get; }

    /// <summary>How many levels of <paramref name="geometry"/>'s pyramid it holds, from the full resolution down.</summary>
    int LevelsOf(DziGeometry geometry);

    /// <summary>Creates what is missing for tiles to be written; keeps what is there where <see cref="KeepsTilesAcrossRuns"/>.</summary>
    void Open(int levelCount);

    /// <summary>Writes what marks the output complete, last.</summary>
    void Complete(DziGeometry geometry);

    /// <summary>
    /// Removes what completing leaves behind only when it is cut short (a zip's folder pyramid,
    /// packed but not yet removed); nothing for most outputs.
    /// </summary>
    void RemoveIntermediates();

    /// <summary>Removes the output; refuses a folder Tessera did not make.</summary>
    void Delete();
}
