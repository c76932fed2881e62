using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Tessera.Layout;

/// <summary>
/// A file name template such as <c>{x}_{y}.jpg</c>, <c>tile_{iii}.tif</c> or <c>r{rrr}_c{ccc}.tif</c>.
/// <c>{x}</c> (or <c>{c}</c>) is the column, <c>{y}</c> (or <c>{r}</c>) the row and <c>{i}</c> a
/// sequence number. A placeholder matches any run of digits, so zero-padded names match whatever
/// their width; a repeated letter such as <c>{iii}</c> or <c>{rrr}</c> shows the padding (as in Fiji)
/// and means the same as the single letter.
/// </summary>
public sealed partial class FilenamePattern
{
    private readonly Regex _regex;

    private FilenamePattern(string text, Regex regex, bool hasX, bool hasY, bool hasIndex)
    {
        Text = text;
        _regex = regex;
        HasColumnAndRow = hasX && hasY;
        HasIndex = hasIndex;
    }

    public string Text { get; }
    public bool HasColumnAndRow { get; }
    public bool HasIndex { get; }

    public static FilenamePattern Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new LayoutException("The file name pattern is empty.");
        }

        if (text.Contains('/') || text.Contains('\\'))
        {
            throw new LayoutException($"The file name pattern \"{text}\" must be a file name, without a folder.");
        }

        var regex = new StringBuilder("^");
        var seen = new HashSet<char>();
        int position = 0;
        foreach (Match m in Placeholder().Matches(text))
        {
            regex.Append(Regex.Escape(text[position..m.Index]));
            char written = m.Groups[1].Value[0];
            char name = written switch { 'c' => 'x', 'r' => 'y', _ => written };
            if (!seen.Add(name))
            {
                throw new LayoutException(written == name
                    ? $"The file name pattern \"{text}\" uses {{{name}}} twice."
                    : $"The file name pattern \"{text}\" names the {(name == 'x' ? "column" : "row")} twice ({{{written}}} is {{{name}}}).");
            }

            regex.Append(CultureInfo.InvariantCulture, $"(?<{name}>[0-9]+)");
            position = m.Index + m.Length;
        }

        regex.Append(Regex.Escape(text[position..])).Append('$');
        string rest = Placeholder().Replace(text, string.Empty);
        if (rest.Contains('{') || rest.Contains('}'))
        {
            throw new LayoutException($"The file name pattern \"{text}\" has a placeholder other than {{x}} or {{c}} (column), {{y}} or {{r}} (row), or {{i}} (sequence number).");
        }

        bool hasX = seen.Contains('x'), hasY = seen.Contains('y'), hasI = seen.Contains('i');
        if (hasX != hasY)
        {
            throw new LayoutException($"The file name pattern \"{text}\" needs both a column ({{x}} or {{c}}) and a row ({{y}} or {{r}}), or neither.");
        }

        if (!hasX && !hasI)
        {
            throw new LayoutException($"The file name pattern \"{text}\" has no placeholder: use {{x}} and {{y}}, or {{i}}.");
        }

        if (hasX && hasI)
        {
            throw new LayoutException($"The file name pattern \"{text}\" mixes {{i}} with {{x}} and {{y}}: use one or the other.");
        }

        return new FilenamePattern(text, new Regex(regex.ToString(), RegexOptions.CultureInvariant), hasX, hasY, hasI);
    }

    /// <summary>Matches a file name; the numbers are null where the pattern lacks the placeholder.</summary>
    public bool TryMatch(string fileName, out long? x, out long? y, out long? index)
    {
        x = y = index = null;
        Match m = _regex.Match(fileName);
        if (!m.Success)
        {
            return false;
        }

        x = Number(m, "x");
        y = Number(m, "y");
        index = Number(m, "i");
        return true;
    }

    private static long? Number(Match m, string group)
    {
        Group g = m.Groups[group];
        if (!g.Success)
        {
            return null;
        }

        // Digits only, so this fails only on overflow: such a name is not a grid cell.
        return long.TryParse(g.Value, NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value : long.MaxValue;
    }

    public override string ToString() => Text;

    [GeneratedRegex(@"\{(x+|y+|i+|c+|r+)\}")]
    private static partial Regex Placeholder();
}
