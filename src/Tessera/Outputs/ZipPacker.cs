using System.IO.Compression;

namespace Tessera.Outputs;

/// <summary>
/// Packs a finished pyramid into one .zip laid out as libvips <c>dzsave --container zip</c> writes
/// it: <c>NAME.dzi</c> and <c>NAME_files/LEVEL/COLUMN_ROW.SUFFIX</c> at the root, every entry
/// stored (tiles are already compressed), ZIP64 wherever there are more than 65,535 entries or
/// more than 4 GiB. Written under a temporary name and renamed, so a .zip that exists is whole.
/// </summary>
public static class ZipPacker
{
    public static void Pack(DziPaths pyramid, string zipPath)
    {
        string temporary = zipPath + ".partial";
        string name = Path.GetFileNameWithoutExtension(pyramid.DziFile);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20))
            using (var zip = new ZipArchive(stream, ZipArchiveMode.Create))
            {
                for (int level = 0; Directory.Exists(pyramid.LevelDirectory(level)); level++)
                {
                    foreach (string tile in Directory.EnumerateFiles(pyramid.LevelDirectory(level)).Order(StringComparer.Ordinal))
                    {
                        Add(zip, tile, $"{DziPaths.FilesFolderName(name)}/{level}/{Path.GetFileName(tile)}");
                    }
                }

                Add(zip, pyramid.DziFile, $"{name}.dzi");
            }

            File.Move(temporary, zipPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            throw new TesseraException($"Cannot write \"{zipPath}\": {e.Message}", e);
        }
    }

    private static void Add(ZipArchive zip, string file, string entryName)
    {
        ZipArchiveEntry entry = zip.CreateEntry(entryName, CompressionLevel.NoCompression);
        using Stream target = entry.Open();
        using var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        source.CopyTo(target);
    }
}
