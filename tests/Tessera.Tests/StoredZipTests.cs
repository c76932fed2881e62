using System.IO.Compression;
using System.Text;
using Tessera.Outputs;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>The zip reader behind verify and serve: entries found from the central directory, read where they lie.</summary>
public sealed class StoredZipTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void More_than_65535_entries_are_read_through_the_zip64_end_record()
    {
        string path = _dir.Combine("many.zip");
        const int count = 70_000;
        using (ZipArchive zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            for (int i = 0; i < count; i++)
            {
                using Stream stream = zip.CreateEntry($"e/{i}", CompressionLevel.NoCompression).Open();
                stream.Write(Encoding.ASCII.GetBytes($"entry {i}"));
            }
        }

        using StoredZip stored = StoredZip.Open(path);
        Assert.Equal(count, stored.Entries.Count);
        foreach (int i in new[] { 0, 65_534, 65_535, 65_536, count - 1 })
        {
            StoredZipEntry entry = stored.Entries[$"e/{i}"];
            byte[] bytes = new byte[entry.Length];
            stored.Read(entry, bytes);
            Assert.Equal($"entry {i}", Encoding.ASCII.GetString(bytes));
        }
    }

    [Fact]
    public void A_comment_after_the_central_directory_and_an_empty_zip_are_read()
    {
        string path = _dir.Combine("commented.zip");
        using (ZipArchive zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            zip.Comment = "PK\u0005\u0006 is not the end record here";
            using Stream stream = zip.CreateEntry("a.txt", CompressionLevel.NoCompression).Open();
            stream.Write("hello"u8);
        }

        using (StoredZip stored = StoredZip.Open(path))
        {
            Assert.Equal(["a.txt"], stored.Entries.Keys);
        }

        string empty = _dir.Combine("empty.zip");
        using (ZipFile.Open(empty, ZipArchiveMode.Create))
        {
        }

        using StoredZip none = StoredZip.Open(empty);
        Assert.Empty(none.Entries);
    }

    [Fact]
    public void A_truncated_zip_is_refused_with_the_file_named()
    {
        string path = _dir.Combine("cut.zip");
        CraftedZips.WriteStored(path, ("a.txt", new byte[1000]), ("b.txt", new byte[1000]));
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^30]);

        var e = Assert.Throws<TesseraException>(() => StoredZip.Open(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("is not a readable zip", e.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
