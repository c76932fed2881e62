using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Tessera.Layout;

/// <summary>A positions file is malformed or names tiles that are not there; the message names the file and line.</summary>
public sealed class PositionsFileException(string message) : TesseraException(message);

/// <summary>
/// Tile positions as text: Fiji's TileConfiguration (Grid/Collection stitching; registered or not)
/// and MIST's global-positions files are read; Fiji's syntax is written.
/// </summary>
/// <remarks>
/// Fiji: an optional <c>dim = 2</c> line, <c>#</c> comments, blank lines, and one
/// <c>name; ; (x, y)</c> line per tile (a third coordinate must be 0). MIST: one
/// <c>file: name; corr: c; position: (x, y); grid: (col, row);</c> line per tile. Numbers are
/// invariant-culture. Names are relative to the input folder.
/// </remarks>
public static partial class PositionsFile
{
    /// <summary>Reads a Fiji or MIST positions file; paths are <paramref name="inputDirectory"/> combined with each name.</summary>
    /// <exception cref="PositionsFileException">Unreadable, unknown format, a malformed line, a duplicate or a tile file that does not exist.</exception>
    public static IReadOnlyList<TilePlacement> Read(string path, string inputDirectory)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PositionsFileException($"Cannot read the positions file \"{path}\": {e.Message}");
        }

        bool mist = Array.Exists(lines, l => l.TrimStart().StartsWith("file:", StringComparison.OrdinalIgnoreCase));
        var placements = new List<TilePlacement>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        bool sawDimension = false;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            int number = i + 1;
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            string name;
            double x, y;
            int column = -1, row = -1;
            if (mist)
            {
                Match m = MistLine().Match(line);
                if (!m.Success)
                {
                    throw Malformed(path, number, line, "file: NAME; corr: C; position: (X, Y); grid: (COLUMN, ROW);");
                }

                name = m.Groups["name"].Value.Trim();
                x = Number(m.Groups["x"].Value, path, number);
                y = Number(m.Groups["y"].Value, path, number);
                column = Integer(m.Groups["col"].Value, path, number);
                row = Integer(m.Groups["row"].Value, path, number);
            }
            else
            {
                if (DimensionLine().Match(line) is { Success: true } d)
                {
                    if (d.Groups[1].Value != "2")
                    {
                        throw new PositionsFileException($"{Where(path, number)}: \"dim = {d.Groups[1].Value}\": only two-dimensional tile configurations (dim = 2) are supported.");
                    }

                    sawDimension = true;
                    continue;
                }

                Match m = FijiLine().Match(line);
                if (!m.Success)
                {
                    throw placements.Count == 0 && !sawDimension
                        ? new PositionsFileException($"\"{path}\" is not a Fiji TileConfiguration or MIST global-positions file (line {number}: \"{Shorten(line)}\").")
                        : Malformed(path, number, line, "NAME; ; (X, Y)");
                }

                name = m.Groups["name"].Value.Trim();
                x = Number(m.Groups["x"].Value, path, number);
                y = Number(m.Groups["y"].Value, path, number);
                if (m.Groups["z"].Success && Number(m.Groups["z"].Value, path, number) != 0)
                {
                    throw new PositionsFileException($"{Where(path, number)}: \"{Shorten(line)}\" has a z coordinate other than 0; only flat (2-D) mosaics are supported.");
                }
            }

            if (name.Length == 0)
            {
                throw Malformed(path, number, line, mist ? "file: NAME; …" : "NAME; ; (X, Y)");
            }

            if (seen.TryGetValue(name, out int first))
            {
                throw new PositionsFileException($"{Where(path, number)}: \"{name}\" is listed twice (first on line {first}).");
            }

            seen[name] = number;
            string full = System.IO.Path.Combine(inputDirectory, name);
            if (InputFile.Problem(full) is { } problem)
            {
                throw new PositionsFileException($"{Where(path, number)}: the tile \"{name}\" in \"{inputDirectory}\" cannot be read: {problem}.");
            }

            if (!File.Exists(full))
            {
                throw new PositionsFileException($"{Where(path, number)}: the tile \"{name}\" does not exist in \"{inputDirectory}\".");
            }

            placements.Add(new TilePlacement(full, x, y, column, row));
        }

        if (placements.Count == 0)
        {
            throw new PositionsFileException($"The positions file \"{path}\" lists no tiles.");
        }

        return placements;
    }

    /// <summary>
    /// Writes Fiji's TileConfiguration syntax (<c>dim = 2</c>, then <c>name; ; (x, y)</c>). Names
    /// are relative to <paramref name="inputDirectory"/>; a tile outside it is refused.
    /// </summary>
    public static void WriteFiji(string path, IEnumerable<TilePlacement> placements, string inputDirectory)
    {
        string? folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        // Streamed to a temporary file and moved into place: a 600×600 grid's positions are 20 MB of
        // text, which need not be held in memory, and a reader never sees half a file.
        string root = System.IO.Path.GetFullPath(inputDirectory);
        string temporary = path + ".tmp";
        try
        {
            using (var text = new StreamWriter(temporary, append: false, new UTF8Encoding(false)))
            {
                text.Write("# Define the number of dimensions we are working on\n");
                text.Write("dim = 2\n\n");
                text.Write("# Define the image coordinates (top-left corner, pixels)\n");
                foreach (TilePlacement p in placements)
                {
                    string name = System.IO.Path.GetRelativePath(root, System.IO.Path.GetFullPath(p.Path));
                    if (name.StartsWith("..", StringComparison.Ordinal) || System.IO.Path.IsPathRooted(name))
                    {
                        throw new ArgumentException($"Tile \"{p.Path}\" is not inside \"{inputDirectory}\".", nameof(placements));
                    }

                    text.Write(string.Create(CultureInfo.InvariantCulture, $"{name.Replace('\\', '/')}; ; ({Format(p.X)}, {Format(p.Y)})\n"));
                }
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>The shortest text that reads back as the same double, with a decimal point as Fiji writes it (720.0).</summary>
    private static string Format(double v)
    {
        string text = (v == 0 ? 0 : v).ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.') || text.Contains('E') ? text : text + ".0";
    }

    private static double Number(string text, string path, int line) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
            ? v
            : throw new PositionsFileException($"{Where(path, line)}: \"{text.Trim()}\" is not a number.");

    private static int Integer(string text, string path, int line) =>
        int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= 0
            ? v
            : throw new PositionsFileException($"{Where(path, line)}: \"{text.Trim()}\" is not a grid index (a whole number ≥ 0).");

    private static string Where(string path, int line) => string.Create(CultureInfo.InvariantCulture, $"{path}, line {line}");

    private static PositionsFileException Malformed(string path, int line, string text, string expected) =>
        new($"{Where(path, line)}: \"{Shorten(text)}\" is not a tile line (expected \"{expected}\").");

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";

    [GeneratedRegex(@"^dim\s*=\s*(\S+)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex DimensionLine();

    [GeneratedRegex(@"^(?<name>[^;]+);\s*[^;]*;\s*\(\s*(?<x>[^,()]+),\s*(?<y>[^,()]+)(,\s*(?<z>[^,()]+))?\)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex FijiLine();

    [GeneratedRegex(@"^file:\s*(?<name>[^;]+);\s*corr:\s*[^;]*;\s*position:\s*\(\s*(?<x>[^,()]+),\s*(?<y>[^,()]+)\);\s*grid:\s*\(\s*(?<col>[^,()]+),\s*(?<row>[^,()]+)\);?\s*$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex MistLine();
}
