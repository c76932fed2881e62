using System.Globalization;
using Tessera.Pyramid;

namespace Tessera.Outputs;

/// <summary>
/// NAME.zip as libvips and <see cref="DeepZoomZipOutput"/> write it: NAME.dzi and NAME_files/LEVEL/… at the
/// root, every entry stored. Opening checks the layout as well as the zip (<see cref="StoredZip"/>):
/// nothing else at the root, a .dzi that reads, and no entry larger than a tile of its geometry can be,
/// so that a reader holds at most one tile's bytes at a time, whatever an entry claims.
/// </summary>
public sealed class ZipPyramid : IDisposable
{
    /// <summary>A .dzi is a few hundred bytes of XML.</summary>
    private const int MaxDescriptorBytes = 1 << 20;

    private readonly StoredZip _zip;

    private ZipPyramid(StoredZip zip, string name, DziGeometry geometry, string format, StoredZipEntry descriptor)
    {
        _zip = zip;
        Name = name;
        Geometry = geometry;
        Format = format;
        Descriptor = descriptor;
        FilesPrefix = DziPaths.FilesFolderName(name) + "/";
    }

    /// <summary>The zip file.</summary>
    public string ZipFile => _zip.Path;

    /// <summary>NAME: the zip's file name without extension.</summary>
    public string Name { get; }

    public DziGeometry Geometry { get; }

    /// <summary>The tiles' format as the .dzi names it (and their file suffix).</summary>
    public string Format { get; }

    /// <summary>The NAME.dzi entry.</summary>
    public StoredZipEntry Descriptor { get; }

    /// <summary>NAME_files/: every other entry's name starts with it.</summary>
    public string FilesPrefix { get; }

    public IReadOnlyDictionary<string, StoredZipEntry> Entries => _zip.Entries;

    /// <summary>
    /// The most bytes a tile entry may have: 8 bytes for each pixel of the largest tile (JPEG, PNG and
    /// WebP all take less than a raw 4-byte pixel), and 1 MiB for metadata.
    /// </summary>
    public long MaxTileBytes => LargestTileSide * LargestTileSide * 8 + (1 << 20);

    /// <summary>The largest tile, edge tiles' overlap on both sides included.</summary>
    public long LargestTileSide => Geometry.TileSize + 2L * Geometry.Overlap;

    /// <exception cref="TesseraException">The zip cannot be read, or is not a pyramid of that layout; the message names the file and the entry.</exception>
    public static ZipPyramid Open(string zipFile)
    {
        StoredZip zip = StoredZip.Open(zipFile);
        try
        {
            string name = Path.GetFileNameWithoutExtension(zipFile);
            if (!zip.Entries.TryGetValue(name + ".dzi", out StoredZipEntry descriptor))
            {
                throw new TesseraException($"\"{zipFile}\" is not a Deep Zoom zip: it has no {name}.dzi at its root.");
            }

            (DziGeometry geometry, string format) = ReadDescriptor(zip, descriptor);
            var pyramid = new ZipPyramid(zip, name, geometry, format, descriptor);
            pyramid.CheckLayout();
            return pyramid;
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    /// <summary>The entry NAME_files/LEVEL/FILE, when the zip has it.</summary>
    public bool TryGetTile(int level, string file, out StoredZipEntry entry) =>
        _zip.Entries.TryGetValue(string.Create(CultureInfo.InvariantCulture, $"{FilesPrefix}{level}/{file}"), out entry) && !entry.IsFolder;

    /// <summary>The whole entry, in a new array (at most <see cref="MaxTileBytes"/> long, as <see cref="Open"/> checked).</summary>
    public byte[] ReadAll(StoredZipEntry entry)
    {
        byte[] bytes = GC.AllocateUninitializedArray<byte>(checked((int)entry.Length));
        _zip.Read(entry, bytes);
        return bytes;
    }

    /// <summary>Reads the whole entry into <paramref name="into"/>, exactly as long.</summary>
    public void Read(StoredZipEntry entry, Span<byte> into) => _zip.Read(entry, into);

    public void Dispose() => _zip.Dispose();

    private static (DziGeometry, string) ReadDescriptor(StoredZip zip, StoredZipEntry descriptor)
    {
        if (descriptor.Length > MaxDescriptorBytes)
        {
            throw new TesseraException($"\"{zip.Path}\": entry \"{descriptor.Name}\" is {descriptor.Length:N0} bytes, too large for a .dzi.");
        }

        byte[] bytes = new byte[descriptor.Length];
        zip.Read(descriptor, bytes);
        using var stream = new MemoryStream(bytes, writable: false);
        return DziDescriptor.Read(stream, $"{zip.Path}: {descriptor.Name}");
    }

    private void CheckLayout()
    {
        long maxTileBytes = Math.Min(MaxTileBytes, Array.MaxLength);
        foreach (StoredZipEntry entry in _zip.Entries.Values)
        {
            if (entry.Name == Descriptor.Name)
            {
                continue;
            }

            if (!entry.Name.StartsWith(FilesPrefix, StringComparison.Ordinal))
            {
                throw new TesseraException($"\"{ZipFile}\": entry \"{entry.Name}\" is not part of the pyramid (only {Descriptor.Name} and {FilesPrefix}… are).");
            }

            if (entry.IsFolder && entry.Length != 0)
            {
                throw new TesseraException($"\"{ZipFile}\": entry \"{entry.Name}\" is a folder with {entry.Length:N0} bytes of data.");
            }

            if (entry.Length > maxTileBytes)
            {
                throw new TesseraException($"\"{ZipFile}\": entry \"{entry.Name}\" is {entry.Length:N0} bytes, more than a tile of this pyramid can be ({maxTileBytes:N0}).");
            }
        }
    }
}
