using System.Buffers.Binary;
using System.Text;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Outputs;
using Tessera.Outputs.Tiff;
using Tessera.Outputs.Zarr;
using Tessera.Samples;
using Tessera.Tests.Support;
using Tessera.Verification;
using Xunit;

namespace Tessera.Tests;

/// <summary>
/// verify, plan and serve of the OME layouts. verify: a sound OME-TIFF or OME-Zarr (8- or 16-bit)
/// passes; a truncated file, a damaged tile or chunk, a missing level or chunk, and metadata that
/// disagree with the image are each found, named, and exit 1. plan: the output's file, levels and
/// the tiles a build writes. serve: refused in one line that says what opens it.
/// </summary>
public sealed class OmeOutputCommandTests : IDisposable
{
    private const ushort SubIfds = 330;
    private readonly TempDirectory _dir = new();

    public OmeOutputCommandTests() => SampleGrid.Write(_dir.Combine("tiles"), Support.Samples.Small(TileFormat.Jpeg));

    [Theory]
    [InlineData("ome-tiff", "deflate")]
    [InlineData("ome-tiff", "lzw")]
    [InlineData("ome-tiff", "jpeg")]
    [InlineData("ome-zarr", "deflate")]
    public void A_sound_ome_output_passes(string layout, string compression)
    {
        string output = Build(layout, "--format", compression);
        var r = CliRunner.Run("verify", output);
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("sound: 592×336 px, 5 levels, uint8 RGB, 84 ", r.Output);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Sixteen_bit_ome_outputs_written_by_the_writers_pass(int channels)
    {
        var raster = new RasterPyramid(150, 100, channels, SampleType.UInt16, 32);
        string tiff = _dir.Combine("sixteen.ome.tif"), zarr = _dir.Combine("sixteen.ome.zarr");
        using (var tiffWriter = new BigTiffPyramidWriter(tiff, raster, TiffCompression.Lzw, OmeXml.For("sixteen", raster, null)))
        using (var zarrWriter = new ZarrPyramidWriter(zarr, "sixteen", raster, new PixelSize(0.5)))
        {
            zarrWriter.Open();
            var random = new Random(channels);
            byte[] samples = new byte[raster.TileBytes];
            for (int level = 0; level < raster.LevelCount; level++)
            {
                var (columns, rows) = raster.TileCount(level);
                for (int tile = 0; tile < columns * rows; tile++)
                {
                    random.NextBytes(samples);
                    tiffWriter.WriteTile(level, tile % columns, tile / columns, samples);
                    zarrWriter.WriteTile(level, tile % columns, tile / columns, samples);
                }
            }

            tiffWriter.Complete();
            zarrWriter.Complete();
        }

        foreach (string output in new[] { tiff, zarr })
        {
            var r = CliRunner.Run("verify", output);
            Assert.True(r.ExitCode == 0, r.Error);
            Assert.Contains($"sound: 150×100 px, 4 levels, uint16 {(channels == 1 ? "grey" : "RGB")}", r.Output);
        }
    }

    [Fact]
    public void A_truncated_ome_tiff_is_named_truncated()
    {
        string tiff = Build("ome-tiff");
        using (var file = new FileStream(tiff, FileMode.Open))
        {
            file.SetLength(file.Length / 2);
        }

        AssertFound(tiff, $"\"{tiff}\" ends at byte", "the file is truncated");
    }

    [Fact]
    public void A_damaged_tile_of_an_ome_tiff_is_named_by_level_and_position()
    {
        string tiff = Build("ome-tiff");
        long offset, length;
        using (var reader = BigTiffReader.Open(tiff))
        {
            TiffDirectory first = reader.ReadDirectory(reader.FirstDirectory);
            TiffDirectory level1 = reader.ReadDirectory(first.Numbers(SubIfds)![0]);
            offset = level1.Numbers(TiffDirectory.TileOffsets)![7]; // tile (2, 1) of level 1's 5×3
            length = level1.Numbers(TiffDirectory.TileByteCounts)![7];
        }

        Overwrite(tiff, offset + (length / 2), Enumerable.Repeat((byte)0x5A, 16).ToArray());
        AssertFound(tiff, "Level 1: tile (2, 1) does not decode");
    }

    [Fact]
    public void A_missing_level_of_an_ome_tiff_is_named()
    {
        string tiff = Build("ome-tiff");
        // One SubIFD fewer: the count of the SubIFDs entry (bytes 4–11 of its 20) drops from 4 to 3.
        long first, entry;
        using (var reader = BigTiffReader.Open(tiff))
        {
            first = reader.FirstDirectory;
            byte[] count = new byte[8];
            reader.Read(first, count);
            byte[] entries = new byte[20 * BinaryPrimitives.ReadInt64LittleEndian(count)];
            reader.Read(first + 8, entries);
            entry = Enumerable.Range(0, entries.Length / 20).First(i => BinaryPrimitives.ReadUInt16LittleEndian(entries.AsSpan(20 * i)) == SubIfds);
        }

        Overwrite(tiff, first + 8 + (20 * entry) + 4, BitConverter.GetBytes(3L));

        AssertFound(tiff, "Level 4 (37×21 px) is missing: the file has 4 levels");
    }

    [Fact]
    public void Ome_xml_that_disagrees_with_the_image_is_named()
    {
        string tiff = Build("ome-tiff");
        byte[] bytes = File.ReadAllBytes(tiff);
        byte[] from = Encoding.ASCII.GetBytes("SizeX=\"592\""), to = Encoding.ASCII.GetBytes("SizeX=\"593\"");
        int at = bytes.AsSpan().IndexOf(from);
        Assert.True(at > 0, "no SizeX in the OME-XML");
        Overwrite(tiff, at, to);
        AssertFound(tiff, "The OME-XML says SizeX=\"593\", but the image has 592.");
    }

    [Fact]
    public void A_damaged_chunk_of_an_ome_zarr_is_named()
    {
        string zarr = Build("ome-zarr");
        string chunk = Path.Combine(zarr, "0", "0", "1", "2");
        Overwrite(chunk, new FileInfo(chunk).Length / 2, Enumerable.Repeat((byte)0xA5, 16).ToArray());
        AssertFound(zarr, "Level 0: chunk 0/1/2 does not decode");
    }

    [Fact]
    public void A_missing_chunk_and_a_missing_level_of_an_ome_zarr_are_named()
    {
        string zarr = Build("ome-zarr");
        File.Delete(Path.Combine(zarr, "1", "0", "2", "4"));
        Directory.Delete(Path.Combine(zarr, "3"), recursive: true);
        AssertFound(zarr, "Level 1: chunk 0/2/4 is missing", "Level \"3\" is missing");
    }

    [Fact]
    public void An_ome_zarr_without_its_group_or_with_other_multiscales_is_refused()
    {
        string zarr = Build("ome-zarr");
        string attributes = Path.Combine(zarr, ".zattrs");
        File.WriteAllText(attributes, File.ReadAllText(attributes).Replace("\"0.4\"", "\"0.3\"", StringComparison.Ordinal));
        AssertFound(zarr, "the multiscales are not OME-NGFF version 0.4");

        File.Delete(Path.Combine(zarr, ".zgroup"));
        AssertFound(zarr, ".zgroup\" is missing: the OME-Zarr was never completed");
    }

    [Theory]
    [InlineData("ome-tiff", ".ome.tif", "(one pyramidal BigTIFF)")]
    [InlineData("ome-zarr", ".ome.zarr", "(a folder: 5 zarr arrays, one file per chunk)")]
    public void Plan_of_an_ome_layout_names_its_output_levels_and_the_tiles_a_build_writes(string layout, string suffix, string kind)
    {
        var r = CliRunner.Run("plan", _dir.Combine("tiles"), _dir.Combine("planned"), "--layout", layout, "--overlap", "16,12", "--tile-size", "64", "--shards", "2");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Matches($@"output\s+{System.Text.RegularExpressions.Regex.Escape(_dir.Combine("planned") + suffix)} {System.Text.RegularExpressions.Regex.Escape(kind)}", r.Output);
        Assert.Matches(@"levels\s+5, 592×336 px down to 37×21, tiles 64 px, no overlap", r.Output);
        Assert.Matches(@"output tiles\s+84\n", r.Output);

        // Lossless tiles: at most the samples, 3 bytes a pixel of every level.
        long samples = 3L * ((592 * 336) + (296 * 168) + (148 * 84) + (74 * 42) + (37 * 21));
        Assert.Contains($"output size       at most {samples / 1024.0:F0} KiB (the samples uncompressed", r.Output);
        if (layout == "ome-tiff")
        {
            Assert.Contains("shards            none: --layout ome-tiff is one file indexed at the end", r.Output);
        }
        else
        {
            Assert.Matches(@"shard\s+blocks\s+tiles\s+work", r.Output);
        }

        Assert.False(File.Exists(_dir.Combine("planned") + suffix) || Directory.Exists(_dir.Combine("planned") + suffix));
    }

    [Theory]
    [InlineData("ome-tiff", "OME-TIFF")]
    [InlineData("ome-zarr", "OME-Zarr")]
    public void Serve_refuses_an_ome_output_in_one_line_naming_what_opens_it(string layout, string kind)
    {
        string output = Build(layout);
        var r = CliRunner.Run("serve", output);
        Assert.Equal(1, r.ExitCode);
        string line = Assert.Single(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"is an {kind}: serving is for Deep Zoom only (NAME.dzi or NAME.zip)", line);
        Assert.Contains("QuPath, napari, OMERO or Fiji", line);
        Assert.Equal("", r.Output);
    }

    private string Build(string layout, params string[] options)
    {
        string output = _dir.Combine("out", $"p-{string.Join('-', options)}{(layout == "ome-tiff" ? ".ome.tif" : ".ome.zarr")}");
        var r = CliRunner.Run(["build", _dir.Combine("tiles"), output, "--layout", layout, "--overlap", "16,12", "--tile-size", "64", .. options]);
        Assert.True(r.ExitCode == 0, r.Error);
        return output;
    }

    private static void Overwrite(string file, long offset, byte[] bytes)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Write);
        stream.Position = offset;
        stream.Write(bytes);
    }

    private static void AssertFound(string output, params string[] problems)
    {
        var r = CliRunner.Run("verify", output);
        Assert.True(r.ExitCode == 1, $"exit {r.ExitCode}; stdout: {r.Output}");
        foreach (string problem in problems)
        {
            Assert.True(r.Error.Contains(problem, StringComparison.Ordinal), $"'{problem}' not in: {r.Error}");
        }
    }

    public void Dispose() => _dir.Dispose();
}
