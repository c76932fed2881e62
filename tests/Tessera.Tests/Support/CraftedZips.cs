using System.IO.Compression;

namespace Tessera.Tests.Support;

/// <summary>Zips made in code the way an attacker or a careless tool would make them: stored or deflated entries of any name, twice if asked.</summary>
public static class CraftedZips
{
    /// <summary>Writes <paramref name="entries"/> in order, each stored (no compression).</summary>
    public static void WriteStored(string path, params (string Name, byte[] Data)[] entries)
    {
        using ZipArchive zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach ((string name, byte[] data) in entries)
        {
            using Stream stream = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
            stream.Write(data);
        }
    }

    /// <summary>A stored <paramref name="dziName"/> and a deflated <paramref name="entryName"/> of <paramref name="zeros"/> zero bytes, streamed through the compressor (a few MB on disk).</summary>
    public static void WriteDeflatedZeros(string path, string dziName, byte[] dzi, string entryName, long zeros)
    {
        using ZipArchive zip = ZipFile.Open(path, ZipArchiveMode.Create);
        using (Stream stream = zip.CreateEntry(dziName, CompressionLevel.NoCompression).Open())
        {
            stream.Write(dzi);
        }

        using Stream bomb = zip.CreateEntry(entryName, CompressionLevel.Optimal).Open();
        byte[] block = new byte[1 << 20];
        for (long written = 0; written < zeros; written += block.Length)
        {
            bomb.Write(block, 0, (int)Math.Min(block.Length, zeros - written));
        }
    }

    /// <summary>All entries of a zip, in order, with their bytes.</summary>
    public static List<(string Name, byte[] Data)> ReadAll(string path)
    {
        using ZipArchive zip = ZipFile.OpenRead(path);
        var entries = new List<(string, byte[])>();
        foreach (ZipArchiveEntry entry in zip.Entries)
        {
            using Stream stream = entry.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            entries.Add((entry.FullName, copy.ToArray()));
        }

        return entries;
    }
}
