using System.Globalization;
using System.Text;

namespace Tessera.Illumination;

/// <summary>
/// Per-tile gains as text a person can read and edit, written beside a positions file
/// (<c>NAME.txt</c> → <c>NAME.gains.txt</c>):
/// <code>
/// # comments
/// flatfield = none                     (the correction the gains were measured after)
/// 0_0.jpg; 1.012345                    (one tile a line: name relative to the input folder; gain)
/// </code>
/// A tile as recorded is its gain times the evenly lit scene; a build divides each tile by its
/// gain. Numbers are invariant-culture.
/// </summary>
public static class GainsFile
{
    private const string FlatFieldKey = "flatfield";

    /// <summary>Where the gains of the positions file <paramref name="positionsFile"/> are kept: beside it, NAME.gains.txt.</summary>
    public static string SidecarOf(string positionsFile) => Path.ChangeExtension(positionsFile, null) + ".gains.txt";

    /// <summary>Writes <paramref name="gains"/> (atomically), names relative to <paramref name="inputDirectory"/>, with <paramref name="notes"/> as comments.</summary>
    public static void Write(string path, TileGains gains, string inputDirectory, IEnumerable<string>? notes = null)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        // Streamed to a temporary file and moved into place: a 600×600 grid's gains are 8 MB of
        // text, which need not be held in memory, and a reader never sees half a file.
        string temporary = path + ".tmp";
        try
        {
            using (var text = new StreamWriter(temporary, append: false, new UTF8Encoding(false)))
            {
                WriteLines(text, gains, inputDirectory, notes);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static void WriteLines(StreamWriter text, TileGains gains, string inputDirectory, IEnumerable<string>? notes)
    {
        var inv = CultureInfo.InvariantCulture;
        text.Write("# Tessera tile gains: a tile as recorded is its gain times the evenly lit scene;\n");
        text.Write("# a build divides every tile by its gain, after the flat-field named here.\n");
        text.Write(string.Create(inv, $"{FlatFieldKey} = {gains.MeasuredAfter}\n"));
        foreach (string note in notes ?? [])
        {
            text.Write(string.Create(inv, $"# {note}\n"));
        }

        string root = Path.GetFullPath(inputDirectory);
        for (int i = 0; i < gains.Count; i++)
        {
            string name = Path.GetRelativePath(root, Path.GetFullPath(gains.PathOf(i))).Replace('\\', '/');
            text.Write(string.Create(inv, $"{name}; {gains.GainOf(i):F6}\n"));
        }
    }

    /// <summary>Reads a gains file; tile names are taken relative to <paramref name="inputDirectory"/>.</summary>
    /// <exception cref="GainsFileException">Unreadable, a malformed line, a gain out of range, or a tile listed twice.</exception>
    public static TileGains Read(string path, string inputDirectory)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GainsFileException($"Cannot read the gains file \"{path}\": {e.Message}");
        }

        string measuredAfter = "none";
        var paths = new List<string>();
        var gains = new List<double>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            int number = i + 1;
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            int equals = line.IndexOf('='), semicolon = line.LastIndexOf(';');
            if (semicolon < 0 && equals > 0 && line[..equals].Trim().Equals(FlatFieldKey, StringComparison.OrdinalIgnoreCase))
            {
                measuredAfter = line[(equals + 1)..].Trim();
                continue;
            }

            if (semicolon <= 0)
            {
                throw Bad(path, number, $"\"{Shorten(line)}\" is not a tile line (expected \"NAME; GAIN\")");
            }

            string name = line[..semicolon].Trim(), value = line[(semicolon + 1)..].Trim();
            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double gain) || !double.IsFinite(gain))
            {
                throw Bad(path, number, $"\"{value}\" is not a number");
            }

            if (gain < TileGains.MinGain || gain > TileGains.MaxGain)
            {
                throw Bad(path, number, string.Create(CultureInfo.InvariantCulture, $"the gain {value} of \"{name}\" is outside {TileGains.MinGain}–{TileGains.MaxGain}"));
            }

            if (seen.TryGetValue(name, out int first))
            {
                throw Bad(path, number, $"\"{name}\" is listed twice (first on line {first})");
            }

            seen[name] = number;
            paths.Add(Path.Combine(inputDirectory, name));
            gains.Add(gain);
        }

        if (paths.Count == 0)
        {
            throw new GainsFileException($"The gains file \"{path}\" lists no tiles.");
        }

        return new TileGains(paths, gains, measuredAfter);
    }

    private static GainsFileException Bad(string path, int line, string what) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{path}, line {line}: {what}."));

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
