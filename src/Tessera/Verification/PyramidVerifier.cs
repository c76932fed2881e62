using System.Collections.Concurrent;
using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Tessera.Codecs;
using Tessera.Pyramid;
using Tessera.Sinks;

namespace Tessera.Verification;

/// <summary>What <see cref="PyramidVerifier"/> found; the pyramid is sound when <see cref="Problems"/> is empty.</summary>
public sealed record VerifyReport(string DziFile, DziGeometry? Geometry, string? Format, long TilesChecked, IReadOnlyList<string> Problems)
{
    public bool IsSound => Problems.Count == 0;
}

/// <summary>
/// Checks a Deep Zoom pyramid against its own .dzi: every level and tile present with the size the
/// geometry gives it, nothing else in the tile folders, and every tile decoding as an image.
/// </summary>
public static class PyramidVerifier
{
    /// <summary>Checks NAME.zip (libvips' zip layout) by unpacking it into a temporary folder beside it.</summary>
    public static VerifyReport VerifyZip(string zipFile, ITileCodec codec, int threads, bool blankTilesMayBeMissing = false)
    {
        string full = Path.GetFullPath(zipFile);
        if (!File.Exists(full))
        {
            return new VerifyReport(full, null, null, 0, [$"\"{full}\" does not exist."]);
        }

        string unpacked = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.verify-{Guid.NewGuid():N}");
        try
        {
            try
            {
                System.IO.Compression.ZipFile.ExtractToDirectory(full, unpacked);
            }
            catch (InvalidDataException e)
            {
                return new VerifyReport(full, null, null, 0, [$"\"{full}\" is not a readable zip: {e.Message}"]);
            }

            string dzi = Path.Combine(unpacked, Path.GetFileNameWithoutExtension(full) + ".dzi");
            VerifyReport report = Verify(dzi, codec, threads, blankTilesMayBeMissing);
            return report with
            {
                DziFile = full,
                Problems = report.Problems.Select(p => p.Replace(unpacked + Path.DirectorySeparatorChar, string.Empty, StringComparison.Ordinal)).ToList(),
            };
        }
        finally
        {
            if (Directory.Exists(unpacked))
            {
                Directory.Delete(unpacked, recursive: true);
            }
        }
    }

    /// <param name="dziFile">The .dzi to check; its tiles are in NAME_files beside it.</param>
    /// <param name="codec">Decodes the tiles.</param>
    /// <param name="threads">Tiles decoded at once.</param>
    /// <param name="blankTilesMayBeMissing">The pyramid was built with --skip-blank: a missing tile is not a problem.</param>
    public static VerifyReport Verify(string dziFile, ITileCodec codec, int threads, bool blankTilesMayBeMissing = false)
    {
        var problems = new ConcurrentBag<string>();
        var paths = new DziPaths(dziFile);
        if (!File.Exists(paths.DziFile))
        {
            return new VerifyReport(paths.DziFile, null, null, 0, [$"\"{paths.DziFile}\" does not exist."]);
        }

        if (!TryReadDescriptor(paths.DziFile, out DziGeometry? geometry, out string? format, out string? problem))
        {
            return new VerifyReport(paths.DziFile, null, null, 0, [problem!]);
        }

        if (!Directory.Exists(paths.FilesDirectory))
        {
            return new VerifyReport(paths.DziFile, geometry, format, 0, [$"The tile folder \"{paths.FilesDirectory}\" is missing."]);
        }

        var expected = new List<(string Path, int Level, string Name, int Width, int Height)>();
        foreach (string entry in Directory.EnumerateFileSystemEntries(paths.FilesDirectory))
        {
            string name = Path.GetFileName(entry);
            if (name == OutputFolder.MarkerName)
            {
                continue; // Tessera's mark on a folder it made (see OutputFolder), not part of the pyramid
            }

            if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int level) || level > geometry!.TopLevel || !Directory.Exists(entry))
            {
                problems.Add($"Unexpected \"{name}\" in the tile folder (levels run from 0 to {geometry!.TopLevel}).");
            }
        }

        for (int level = 0; level <= geometry!.TopLevel; level++)
        {
            string directory = paths.LevelDirectory(level);
            if (!Directory.Exists(directory))
            {
                problems.Add($"Level {level}: the folder is missing.");
                continue;
            }

            var present = new HashSet<string>(Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName)!, StringComparer.Ordinal);
            var (columns, rows) = geometry.TileCount(level);
            for (int row = 0; row < rows; row++)
            {
                for (int column = 0; column < columns; column++)
                {
                    string name = string.Create(CultureInfo.InvariantCulture, $"{column}_{row}.{format}");
                    if (present.Remove(name))
                    {
                        var rect = geometry.TileRect(level, column, row);
                        expected.Add((Path.Combine(directory, name), level, name, rect.Width, rect.Height));
                    }
                    else if (!blankTilesMayBeMissing)
                    {
                        problems.Add($"Level {level}: tile {name} is missing.");
                    }
                }
            }

            foreach (string extra in present.Order(StringComparer.Ordinal))
            {
                problems.Add($"Level {level}: unexpected file \"{extra}\".");
            }
        }

        Parallel.ForEach(expected, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, tile =>
        {
            try
            {
                using var pixels = codec.Decode(tile.Path, Imaging.PixelFormat.Rgbx8888);
                if (pixels.Width != tile.Width || pixels.Height != tile.Height)
                {
                    problems.Add($"Level {tile.Level}: tile {tile.Name} is {pixels.Width}×{pixels.Height} px, expected {tile.Width}×{tile.Height}.");
                }
            }
            catch (TesseraException e)
            {
                problems.Add($"Level {tile.Level}: tile {tile.Name} does not decode ({e.Message}).");
            }
        });

        return new VerifyReport(paths.DziFile, geometry, format, expected.Count, problems.Order(StringComparer.Ordinal).ToList());
    }

    private static bool TryReadDescriptor(string path, out DziGeometry? geometry, out string? format, out string? problem)
    {
        geometry = null;
        format = null;
        problem = null;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            (geometry, format) = DziDescriptor.Read(stream, path);
            return true;
        }
        catch (Exception e) when (e is TesseraException or IOException or UnauthorizedAccessException)
        {
            problem = e is TesseraException ? e.Message : $"\"{path}\" is not a valid .dzi: {e.Message}.";
            return false;
        }
    }
}
