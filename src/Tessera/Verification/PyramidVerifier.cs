using System.Collections.Concurrent;
using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Tessera.Codecs;
using Tessera.Pyramid;
using Tessera.Outputs;

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
    /// <summary>
    /// Checks NAME.zip (libvips' zip layout) in place: its entries are read where they lie, one tile at
    /// a time, and nothing is written. A zip that is not a stored pyramid of that layout (compressed,
    /// duplicate or escaping entries, see <see cref="ZipPyramid"/>) is one problem, and nothing in it is decoded.
    /// </summary>
    public static VerifyReport VerifyZip(string zipFile, ITileCodec codec, int threads, bool blankTilesMayBeMissing = false)
    {
        string full = Path.GetFullPath(zipFile);
        if (!File.Exists(full))
        {
            return new VerifyReport(full, null, null, 0, [$"\"{full}\" does not exist."]);
        }

        ZipPyramid zip;
        try
        {
            zip = ZipPyramid.Open(full);
        }
        catch (TesseraException e)
        {
            return new VerifyReport(full, null, null, 0, [e.Message]);
        }

        using (zip)
        {
            return Check(full, new ZipPyramidFiles(zip), zip.Geometry, zip.Format, codec, threads, blankTilesMayBeMissing);
        }
    }

    /// <param name="dziFile">The .dzi to check; its tiles are in NAME_files beside it.</param>
    /// <param name="codec">Decodes the tiles.</param>
    /// <param name="threads">Tiles decoded at once.</param>
    /// <param name="blankTilesMayBeMissing">The pyramid was built with --skip-blank: a missing tile is not a problem.</param>
    public static VerifyReport Verify(string dziFile, ITileCodec codec, int threads, bool blankTilesMayBeMissing = false)
    {
        var paths = new DziPaths(dziFile);
        if (!File.Exists(paths.DziFile))
        {
            return new VerifyReport(paths.DziFile, null, null, 0, [$"\"{paths.DziFile}\" does not exist."]);
        }

        if (!TryReadDescriptor(paths.DziFile, out DziGeometry? geometry, out string? format, out string? problem))
        {
            return new VerifyReport(paths.DziFile, null, null, 0, [problem!]);
        }

        return Check(paths.DziFile, new DirectoryPyramidFiles(paths), geometry!, format!, codec, threads, blankTilesMayBeMissing);
    }

    /// <summary>Checks the tile folder of <paramref name="source"/> against <paramref name="geometry"/>.</summary>
    private static VerifyReport Check(string source, IPyramidFiles files, DziGeometry geometry, string format, ITileCodec codec, int threads, bool blankTilesMayBeMissing)
    {
        var problems = new ConcurrentBag<string>();
        if (files.TopLevel() is not { } top)
        {
            return new VerifyReport(source, geometry, format, 0, [$"The tile folder \"{files.Folder}\" is missing."]);
        }

        var expected = new List<(int Level, string Name, int Width, int Height)>();
        foreach ((string name, bool isFolder) in top)
        {
            if (name == OutputFolder.MarkerName)
            {
                continue; // Tessera's mark on a folder it made (see OutputFolder), not part of the pyramid
            }

            if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int level) || level > geometry.TopLevel || !isFolder)
            {
                problems.Add($"Unexpected \"{name}\" in the tile folder (levels run from 0 to {geometry.TopLevel}).");
            }
        }

        for (int level = 0; level <= geometry.TopLevel; level++)
        {
            if (files.Level(level) is not { } present)
            {
                problems.Add($"Level {level}: the folder is missing.");
                continue;
            }

            var (columns, rows) = geometry.TileCount(level);
            for (int row = 0; row < rows; row++)
            {
                for (int column = 0; column < columns; column++)
                {
                    string name = string.Create(CultureInfo.InvariantCulture, $"{column}_{row}.{format}");
                    if (present.Remove(name))
                    {
                        var rect = geometry.TileRect(level, column, row);
                        expected.Add((level, name, rect.Width, rect.Height));
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
                using var pixels = files.Decode(tile.Level, tile.Name, codec);
                if (pixels.Width != tile.Width || pixels.Height != tile.Height)
                {
                    problems.Add($"Level {tile.Level}: tile {tile.Name} is {pixels.Width}×{pixels.Height} px, expected {tile.Width}×{tile.Height}.");
                }
            }
            catch (TileReadException e)
            {
                // The codec's own judgement, in the words of a build: damaged data, truncated, not an image.
                problems.Add($"Level {tile.Level}: tile {tile.Name} does not decode: {e.Problem}.");
            }
            catch (TesseraException e)
            {
                problems.Add($"Level {tile.Level}: tile {tile.Name} does not decode ({e.Message}).");
            }
        });

        return new VerifyReport(source, geometry, format, expected.Count, problems.Order(StringComparer.Ordinal).ToList());
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
