using Tessera.Codecs;
using Tessera.Imaging;

namespace Tessera.Verification;

/// <summary>A pyramid's tile folder as <see cref="PyramidVerifier"/> reads it: NAME_files on disk, or the NAME_files/ entries of a zip.</summary>
internal interface IPyramidFiles
{
    /// <summary>The tile folder, as problems name it.</summary>
    string Folder { get; }

    /// <summary>What the tile folder holds directly, and whether each is a folder; null when there is no tile folder.</summary>
    IReadOnlyList<(string Name, bool IsFolder)>? TopLevel();

    /// <summary>The names in the folder of <paramref name="level"/>, files and folders, in a set of the caller's own; null when there is no such folder.</summary>
    HashSet<string>? Level(int level);

    /// <summary>Decodes tile <paramref name="file"/> of <paramref name="level"/> in full.</summary>
    /// <exception cref="TesseraException">It cannot be read or decoded.</exception>
    PixelBuffer Decode(int level, string file, ITileCodec codec);
}
