using System.Globalization;
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
    // The pattern as literal text around its placeholders: _literals[k] comes before placeholder
    // _names[k], the last literal after the last placeholder. A name matches where its text is the
    // literals with a run of digits in each placeholder's place.
    private readonly string[] _literals;
    private readonly char[] _names;

    private FilenamePattern(string text, string[] literals, char[] names)
    {
        Text = text;
        _literals = literals;
        _names = names;
        HasColumnAndRow = names.Contains('x') && names.Contains('y');
        HasIndex = names.Contains('i');
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

        var literals = new List<string>();
        var names = new List<char>();
        int position = 0;
        foreach (Match m in Placeholder().Matches(text))
        {
            literals.Add(text[position..m.Index]);
            char written = m.Groups[1].Value[0];
            char name = written switch { 'c' => 'x', 'r' => 'y', _ => written };
            if (names.Contains(name))
            {
                throw new LayoutException(written == name
                    ? $"The file name pattern \"{text}\" uses {{{name}}} twice."
                    : $"The file name pattern \"{text}\" names the {(name == 'x' ? "column" : "row")} twice ({{{written}}} is {{{name}}}).");
            }

            names.Add(name);
            position = m.Index + m.Length;
        }

        literals.Add(text[position..]);
        string rest = Placeholder().Replace(text, string.Empty);
        if (rest.Contains('{') || rest.Contains('}'))
        {
            throw new LayoutException($"The file name pattern \"{text}\" has a placeholder other than {{x}} or {{c}} (column), {{y}} or {{r}} (row), or {{i}} (sequence number).");
        }

        bool hasX = names.Contains('x'), hasY = names.Contains('y'), hasI = names.Contains('i');
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

        return new FilenamePattern(text, [.. literals], [.. names]);
    }

    /// <summary>
    /// Matches a file name; the numbers are null where the pattern lacks the placeholder. Nothing is
    /// allocated: a scan matches every file of the folder, 360,000 of them on a 600×600 grid.
    /// </summary>
    public bool TryMatch(ReadOnlySpan<char> fileName, out long? x, out long? y, out long? index)
    {
        x = y = index = null;
        Span<Range> runs = stackalloc Range[_names.Length];
        if (!Matches(fileName, 0, 0, runs))
        {
            return false;
        }

        for (int k = 0; k < _names.Length; k++)
        {
            long value = Number(fileName[runs[k]]);
            switch (_names[k])
            {
                case 'x':
                    x = value;
                    break;
                case 'y':
                    y = value;
                    break;
                default:
                    index = value;
                    break;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether <paramref name="name"/> from <paramref name="at"/> is literal <paramref name="part"/>
    /// and all that follows it. Each placeholder takes the longest run of digits that lets the rest
    /// match, then shorter ones, as a greedy regular expression would (a literal may hold digits).
    /// </summary>
    private bool Matches(ReadOnlySpan<char> name, int at, int part, Span<Range> runs)
    {
        string literal = _literals[part];
        if (!name[at..].StartsWith(literal, StringComparison.Ordinal))
        {
            return false;
        }

        at += literal.Length;
        if (part == _names.Length)
        {
            return at == name.Length;
        }

        int end = at;
        while (end < name.Length && char.IsAsciiDigit(name[end]))
        {
            end++;
        }

        for (; end > at; end--)
        {
            if (Matches(name, end, part + 1, runs))
            {
                runs[part] = at..end;
                return true;
            }
        }

        return false;
    }

    // Digits only, so this fails only on overflow: such a name is not a grid cell.
    private static long Number(ReadOnlySpan<char> digits) =>
        long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value : long.MaxValue;

    public override string ToString() => Text;

    [GeneratedRegex(@"\{(x+|y+|i+|c+|r+)\}")]
    private static partial Regex Placeholder();
}
