namespace Tessera.Serving;

/// <summary>
/// Which Range headers name byte ranges (RFC 9110, section 14.1): <c>bytes=</c> (any case) and a
/// list of <c>FIRST-[LAST]</c> with LAST ≥ FIRST, or <c>-SUFFIX</c>. Anything else — another unit such
/// as <c>items=0-5</c>, or a malformed list — is to be ignored, and the whole content sent with 200.
/// A valid set is handed on in its plainest form, which every range parser reads.
/// </summary>
public static class ByteRanges
{
    public static bool IsByteRangeSet(string value) => Normalize(value) is not null;

    /// <summary>The byte range set in its plainest form (<c>bytes=</c>, no white space or empty elements); null when the value is not one.</summary>
    public static string? Normalize(string value)
    {
        int equals = value.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0 || !value.AsSpan(0, equals).Equals("bytes", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var specs = new List<string>();
        foreach (string element in value[(equals + 1)..].Split(','))
        {
            // Lists may hold empty elements and optional white space around each (RFC 9110, section 5.6.1).
            string spec = element.Trim(' ', '\t');
            if (spec.Length == 0)
            {
                continue;
            }

            if (!IsRangeSpec(spec))
            {
                return null;
            }

            specs.Add(spec);
        }

        return specs.Count == 0 ? null : "bytes=" + string.Join(',', specs);
    }

    private static bool IsRangeSpec(string spec)
    {
        int dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return false;
        }

        string first = spec[..dash], last = spec[(dash + 1)..];
        if (first.Length == 0)
        {
            return IsNumber(last);
        }

        if (!IsNumber(first) || (last.Length > 0 && !IsNumber(last)))
        {
            return false;
        }

        return last.Length == 0 || Compare(first, last) <= 0;
    }

    private static bool IsNumber(string text) => text.Length > 0 && text.All(char.IsAsciiDigit);

    /// <summary>Compares decimal numbers of any length, so that huge positions never overflow.</summary>
    private static int Compare(string a, string b)
    {
        a = a.TrimStart('0');
        b = b.TrimStart('0');
        return a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
    }
}
