using System.Text;

namespace Tessera.Layout;

/// <summary>
/// The file of every cell of a grid, held compactly: the part all paths share (their folder) once,
/// and each path's rest as UTF-8 in one array. A string per tile would cost about 100 bytes each
/// (360,000 of them at 600×600, kept through the whole build); this costs the name's bytes and
/// four more. A path is made again on each look-up, equal to the one given.
/// </summary>
internal sealed class TileNames
{
    private readonly string _prefix;
    private readonly byte[] _bytes;

    // Cell c's bytes are _bytes[_starts[c].._starts[c + 1]]; none: the cell is empty, or its path is in _others.
    private readonly int[] _starts;
    private readonly Dictionary<int, string> _others = [];

    public TileNames(string?[] cells)
    {
        _prefix = CommonFolder(cells);
        _starts = new int[cells.Length + 1];
        long length = 0;
        for (int c = 0; c < cells.Length; c++)
        {
            if (cells[c] is { } path && path.StartsWith(_prefix, StringComparison.Ordinal) && path.Length > _prefix.Length)
            {
                length += Encoding.UTF8.GetByteCount(path.AsSpan(_prefix.Length));
            }
        }

        _bytes = new byte[checked((int)length)];
        int at = 0;
        for (int c = 0; c < cells.Length; c++)
        {
            _starts[c] = at;
            if (cells[c] is not { } path)
            {
                continue;
            }

            if (path.StartsWith(_prefix, StringComparison.Ordinal) && path.Length > _prefix.Length)
            {
                at += Encoding.UTF8.GetBytes(path.AsSpan(_prefix.Length), _bytes.AsSpan(at));
            }
            else
            {
                _others[c] = path;
            }
        }

        _starts[cells.Length] = at;
    }

    /// <summary>Cell <paramref name="cell"/>'s path, or null where the cell is empty.</summary>
    public string? this[int cell]
    {
        get
        {
            int start = _starts[cell], end = _starts[cell + 1];
            if (end <= start)
            {
                return _others.GetValueOrDefault(cell);
            }

            // One string, the folder and the name decoded straight into it: a build reads every path more than once.
            var bytes = new ReadOnlySpan<byte>(_bytes, start, end - start);
            return string.Create(_prefix.Length + Encoding.UTF8.GetCharCount(bytes), (this, start, end), static (chars, at) =>
            {
                at.Item1._prefix.CopyTo(chars);
                Encoding.UTF8.GetChars(at.Item1._bytes.AsSpan(at.start, at.end - at.start), chars[at.Item1._prefix.Length..]);
            });
        }
    }

    /// <summary>
    /// Cell <paramref name="cell"/>'s file name (its path's last part), decoded into
    /// <paramref name="buffer"/> where it fits, so no string is made; empty where the cell is empty.
    /// </summary>
    public ReadOnlySpan<char> FileName(int cell, Span<char> buffer)
    {
        int start = _starts[cell], end = _starts[cell + 1];
        if (end <= start)
        {
            return _others.TryGetValue(cell, out string? other) ? Path.GetFileName(other.AsSpan()) : [];
        }

        ReadOnlySpan<byte> bytes = _bytes.AsSpan(start, end - start);
        Span<char> into = Encoding.UTF8.GetMaxCharCount(bytes.Length) <= buffer.Length
            ? buffer
            : new char[Encoding.UTF8.GetCharCount(bytes)];
        int length = Encoding.UTF8.GetChars(bytes, into);
        return Path.GetFileName((ReadOnlySpan<char>)into[..length]);
    }

    public bool IsPresent(int cell) => _starts[cell + 1] > _starts[cell] || _others.ContainsKey(cell);

    /// <summary>The folder part (with its separator) of the first path, which the scan's paths all share.</summary>
    private static string CommonFolder(string?[] cells)
    {
        string? first = Array.Find(cells, c => c is not null);
        if (first is null)
        {
            return string.Empty;
        }

        int slash = first.LastIndexOf(Path.DirectorySeparatorChar);
        return slash < 0 ? string.Empty : first[..(slash + 1)];
    }
}
