using System.Security.Cryptography;

namespace Tessera.Registration;

/// <summary>
/// Which of a few files hold the same bytes: the same number means the same content. A file whose
/// length no other has is told apart without being read; only files of a shared length are hashed.
/// </summary>
internal sealed class TileContents
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);

    public TileContents(IEnumerable<string> paths)
    {
        var byLength = new Dictionary<long, List<string>>();
        foreach (string path in paths.Distinct(StringComparer.Ordinal))
        {
            long length = new FileInfo(path).Length;
            if (!byLength.TryGetValue(length, out var same))
            {
                byLength[length] = same = [];
            }

            same.Add(path);
        }

        foreach (List<string> same in byLength.Values)
        {
            var byHash = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (string path in same)
            {
                string hash = same.Count == 1 ? "" : Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
                if (!byHash.TryGetValue(hash, out int id))
                {
                    byHash[hash] = id = _ids.Count;
                }

                _ids[path] = id;
            }
        }
    }

    /// <summary>Whether both are files and hold the same bytes (a missing tile is no file's copy).</summary>
    public bool Same(string? a, string? b) =>
        a is not null && b is not null && _ids.TryGetValue(a, out int x) && _ids.TryGetValue(b, out int y) && x == y;
}
