using Tessera.Pyramid;

namespace Tessera.Sinks;

/// <summary>A pyramid on disk in some layout: where tiles go, what marks it complete, how it is removed.</summary>
public interface IPyramidSink : ITileSink, IDisposable
{
    /// <summary>The file written last, whose presence means the pyramid is complete.</summary>
    string CompleteFile { get; }

    bool IsComplete { get; }

    /// <summary>Whether anything of this output (complete or not, or the build's work folder) is on disk.</summary>
    bool AnyExists { get; }

    /// <summary>
    /// The folders this output is made of, the build's work folder among them: what it creates
    /// (marked as Tessera's, see <see cref="OutputFolder"/>) and what removing it removes.
    /// </summary>
    IReadOnlyList<string> Folders { get; }

    /// <summary>Creates what is missing for tiles to be written, keeping what is there.</summary>
    void Open(int levelCount);

    /// <summary>Writes the file that marks the pyramid complete (last).</summary>
    void Commit(DziGeometry geometry);

    /// <summary>Removes the output and the build's work folder; refuses a folder Tessera did not make.</summary>
    void Delete();
}
