using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Tessera.Build;

/// <summary>
/// What a build's input files were when it began: each one's name, size and modification time.
/// A rerun, a shard or the finishing step compares it with the files it finds, so that no build
/// continues over changed tiles (its pyramid would mix old pixels with new). The job file holds
/// the digest; the list itself is kept beside it, named by the digest, to say which files changed.
/// </summary>
public sealed class InputFingerprint
{
    /// <summary>Files named in a message about changed inputs; the rest are counted.</summary>
    public const int FilesNamed = 5;

    private const string Prefix = "inputs-", Suffix = ".txt";

    // Each file's size and modification time, kept as numbers: the lines are made again from them
    // when the list is written or compared, so a build of 360,000 tiles does not keep 360,000 strings.
    private readonly string _inputDirectory;
    private readonly IReadOnlyList<string> _files;
    private readonly long[] _sizes;
    private readonly long[] _modified;
    private readonly string _hash;

    private InputFingerprint(string inputDirectory, IReadOnlyList<string> files, long[] sizes, long[] modified)
    {
        _inputDirectory = inputDirectory;
        _files = files;
        _sizes = sizes;
        _modified = modified;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var writer = new LineWriter(this);
        for (int i = 0; i < files.Count; i++)
        {
            sha.AppendData(writer.Bytes(i, "\n"));
        }

        _hash = Convert.ToHexString(sha.GetHashAndReset())[..16].ToLowerInvariant();
        Digest = string.Create(CultureInfo.InvariantCulture, $"{files.Count} files, sha256 {_hash}");
    }

    /// <summary>What the job file records: the count of files and a digest of the list.</summary>
    public string Digest { get; }

    /// <summary>The fingerprint of <paramref name="files"/>, named relative to <paramref name="inputDirectory"/>.</summary>
    public static InputFingerprint Of(string inputDirectory, IReadOnlyList<string> files)
    {
        var sizes = new long[files.Count];
        var modified = new long[files.Count];

        // One stat per file; in parallel, since on network storage each is a round trip.
        Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var info = new FileInfo(files[i]);
            sizes[i] = info.Exists ? info.Length : -1;
            modified[i] = info.Exists ? info.LastWriteTimeUtc.Ticks : 0;
        });
        return new InputFingerprint(inputDirectory, files, sizes, modified);
    }

    private IEnumerable<string> Lines()
    {
        var writer = new LineWriter(this);
        for (int i = 0; i < _files.Count; i++)
        {
            yield return writer.Line(i);
        }
    }

    /// <summary>Keeps the list in <paramref name="directory"/> (the work folder) under a name made from its digest.</summary>
    public void WriteTo(string directory)
    {
        string path = PathIn(directory, _hash);
        string temporary = $"{path}.{Guid.NewGuid():N}.partial";
        using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        {
            var writer = new LineWriter(this);
            for (int i = 0; i < _files.Count; i++)
            {
                stream.Write(writer.Bytes(i, Environment.NewLine));
            }
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// What differs between the inputs recorded as <paramref name="recorded"/> (a job file's digest)
    /// in <paramref name="directory"/> and these: the first few files by name, and how many in all.
    /// </summary>
    public string DescribeChangesFrom(string recorded, string directory)
    {
        string? hash = recorded.Split(' ') is [.., "sha256", var h] && h.Length == 16 && h.All(char.IsAsciiHexDigitLower) ? h : null;
        string? path = hash is null ? null : PathIn(directory, hash);
        if (path is null || !File.Exists(path))
        {
            return $"the job file records them as \"{recorded}\", these are \"{Digest}\"";
        }

        Dictionary<string, (string Size, string Modified)> before = Parse(File.ReadAllLines(path));
        Dictionary<string, (string Size, string Modified)> now = Parse(Lines());
        var changes = new List<string>();
        foreach (var (name, (size, modified)) in now)
        {
            if (!before.TryGetValue(name, out var old))
            {
                changes.Add($"\"{name}\" is new");
            }
            else if (old.Size != size)
            {
                changes.Add($"\"{name}\" is {size} bytes, was {old.Size}");
            }
            else if (old.Modified != modified)
            {
                changes.Add($"\"{name}\" was modified");
            }
        }

        changes.AddRange(before.Keys.Where(name => !now.ContainsKey(name)).Select(name => $"\"{name}\" is gone"));
        if (changes.Count == 0)
        {
            return "the same files are listed in another order";
        }

        string named = string.Join(", ", changes.Take(FilesNamed));
        return changes.Count > FilesNamed
            ? string.Create(CultureInfo.InvariantCulture, $"{changes.Count} files changed: {named} and {changes.Count - FilesNamed} more")
            : string.Create(CultureInfo.InvariantCulture, $"{changes.Count} file{(changes.Count == 1 ? "" : "s")} changed: {named}");
    }

    private static Dictionary<string, (string Size, string Modified)> Parse(IEnumerable<string> lines)
    {
        var entries = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (string line in lines)
        {
            string[] parts = line.Split('\t', 3);
            if (parts.Length == 3)
            {
                entries[parts[2]] = (parts[0], parts[1]);
            }
        }

        return entries;
    }

    private static string PathIn(string directory, string hash) => Path.Combine(directory, Prefix + hash + Suffix);

    /// <summary>
    /// Makes the list's lines, "size<c>TAB</c>modification time<c>TAB</c>name" (the name relative to
    /// the input folder, a line break in it written as '?'), one at a time in buffers it reuses: the
    /// digest and the list go over every file, and a string or two per file would be garbage by the
    /// hundred thousand. The relative folder is worked out once for each run of files in one folder.
    /// </summary>
    private sealed class LineWriter(InputFingerprint fingerprint)
    {
        private char[] _chars = new char[256];
        private byte[] _bytes = new byte[1024];
        private string? _folder;
        private string _relativeFolder = string.Empty;

        /// <summary>File <paramref name="i"/>'s line.</summary>
        public string Line(int i) => new(Chars(i));

        /// <summary>File <paramref name="i"/>'s line and <paramref name="newline"/>, as UTF-8, valid until the next call.</summary>
        public ReadOnlySpan<byte> Bytes(int i, string newline)
        {
            ReadOnlySpan<char> line = Chars(i);
            int length = Encoding.UTF8.GetMaxByteCount(line.Length + newline.Length);
            if (length > _bytes.Length)
            {
                _bytes = new byte[length];
            }

            int written = Encoding.UTF8.GetBytes(line, _bytes);
            written += Encoding.UTF8.GetBytes(newline, _bytes.AsSpan(written));
            return _bytes.AsSpan(0, written);
        }

        private ReadOnlySpan<char> Chars(int i)
        {
            string file = fingerprint._files[i];
            ReadOnlySpan<char> name = Path.GetFileName(file.AsSpan()), folder = Path.GetDirectoryName(file.AsSpan());
            if (_folder is null || !folder.SequenceEqual(_folder))
            {
                _folder = folder.ToString();
                string relative = Path.GetRelativePath(fingerprint._inputDirectory, Path.GetFullPath(folder.IsEmpty ? "." : _folder));
                _relativeFolder = relative == "." ? string.Empty
                    : Path.EndsInDirectorySeparator(relative) ? relative : relative + Path.DirectorySeparatorChar;
            }

            // Two numbers of at most 20 characters each, two tabs, the folder and the name.
            int most = 42 + _relativeFolder.Length + name.Length;
            if (most > _chars.Length)
            {
                _chars = new char[most];
            }

            Span<char> line = _chars;
            fingerprint._sizes[i].TryFormat(line, out int at, default, CultureInfo.InvariantCulture);
            line[at++] = '\t';
            fingerprint._modified[i].TryFormat(line[at..], out int digits, default, CultureInfo.InvariantCulture);
            at += digits;
            line[at++] = '\t';
            int nameStart = at;
            _relativeFolder.CopyTo(line[at..]);
            at += _relativeFolder.Length;
            name.CopyTo(line[at..]);
            at += name.Length;
            line[nameStart..at].Replace('\n', '?');
            line[nameStart..at].Replace('\r', '?');
            return line[..at];
        }
    }
}
