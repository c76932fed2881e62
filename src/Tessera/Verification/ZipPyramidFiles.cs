using System.Globalization;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Outputs;

namespace Tessera.Verification;

/// <summary>
/// The NAME_files/ entries of a zip, read in place: each tile's bytes go into one pooled buffer, are
/// checked against the zip's CRC-32 and decoded from memory, so checking a zip writes nothing and
/// holds one tile per thread.
/// </summary>
internal sealed class ZipPyramidFiles : IPyramidFiles
{
    private readonly ZipPyramid _zip;
    private readonly Dictionary<string, bool> _top = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _levels = new(StringComparer.Ordinal);

    public ZipPyramidFiles(ZipPyramid zip)
    {
        _zip = zip;
        foreach (string name in zip.Entries.Keys)
        {
            if (name.StartsWith(zip.FilesPrefix, StringComparison.Ordinal) && name.Length > zip.FilesPrefix.Length)
            {
                Add(name[zip.FilesPrefix.Length..].Split('/'));
            }
        }
    }

    public string Folder => $"{_zip.ZipFile}: {_zip.FilesPrefix}";

    public IReadOnlyList<(string Name, bool IsFolder)>? TopLevel() => _top.Select(entry => (entry.Key, entry.Value)).ToList();

    public HashSet<string>? Level(int level) =>
        _levels.TryGetValue(level.ToString(CultureInfo.InvariantCulture), out HashSet<string>? names) ? new HashSet<string>(names, StringComparer.Ordinal) : null;

    public PixelBuffer Decode(int level, string file, ITileCodec codec)
    {
        string name = string.Create(CultureInfo.InvariantCulture, $"{_zip.FilesPrefix}{level}/{file}");
        if (!_zip.TryGetTile(level, file, out StoredZipEntry entry))
        {
            throw new TileReadException(name, "it is a folder, not a tile");
        }

        if (codec is not IEncodedImageDecoder decoder)
        {
            throw new TesseraException($"The {codec.Name} codec cannot check tiles inside a zip: it reads only files.");
        }

        using FileBytes bytes = FileBytes.Rent(checked((int)entry.Length));
        _zip.Read(entry, bytes.Bytes.AsSpan(0, bytes.Length));

        // Stored bytes damaged after packing may still decode: the zip's own checksum tells.
        if (System.IO.Hashing.Crc32.HashToUInt32(bytes.Bytes.AsSpan(0, bytes.Length)) != entry.Crc32)
        {
            throw new TileReadException(name, "its bytes do not match the CRC-32 the zip records for them: the entry is damaged");
        }

        // A header that claims more than any tile of the pyramid is refused before its pixels are allocated.
        ImageHeader header = decoder.ReadHeader(name, bytes);
        if (header.Width > _zip.LargestTileSide || header.Height > _zip.LargestTileSide)
        {
            throw new TileReadException(name, $"its header says {header.Width}×{header.Height} px, larger than any tile of the pyramid");
        }

        return decoder.Decode(name, bytes, PixelFormat.Rgbx8888);
    }

    /// <summary>Records NAME_files/TOP[/LEVELFILE[/…]]: TOP is a folder when anything is below it (or the entry is a folder).</summary>
    private void Add(string[] parts)
    {
        bool isFolder = parts.Length > 1;
        _top[parts[0]] = isFolder || _top.GetValueOrDefault(parts[0]);
        if (!isFolder)
        {
            return;
        }

        if (!_levels.TryGetValue(parts[0], out HashSet<string>? names))
        {
            _levels[parts[0]] = names = new HashSet<string>(StringComparer.Ordinal);
        }

        if (parts[1].Length > 0)
        {
            names.Add(parts[1]);
        }
    }
}
