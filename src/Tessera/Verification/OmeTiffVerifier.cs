using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Tessera.Codecs;
using Tessera.Outputs;

namespace Tessera.Verification;

/// <summary>
/// Checks an OME-TIFF as Tessera writes it (see <see cref="Outputs.Tiff.BigTiffPyramidWriter"/>):
/// the full resolution in the first directory, every reduced level a SubIFD, each half the one
/// before down to the first that fits in one tile, all with the same tiles and samples; every
/// tile inside the file and decoding to a whole tile; and the OME-XML agreeing with the image.
/// </summary>
public static class OmeTiffVerifier
{
    private const ushort Lzw = 5, Jpeg = 7, Deflate = 8;

    /// <param name="path">NAME.ome.tif.</param>
    /// <param name="codec">Decodes JPEG tiles.</param>
    /// <param name="threads">Tiles decoded at once.</param>
    public static RasterVerifyReport Verify(string path, ITileCodec codec, int threads)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            return Failed(full, Directory.Exists(full) ? $"\"{full}\" is a folder, not an OME-TIFF." : $"\"{full}\" does not exist.");
        }

        BigTiffReader reader;
        try
        {
            reader = BigTiffReader.Open(full);
        }
        catch (TesseraException e)
        {
            return Failed(full, e.Message);
        }

        using (reader)
        {
            return Check(reader, codec, threads);
        }
    }

    private static RasterVerifyReport Check(BigTiffReader reader, ITileCodec codec, int threads)
    {
        var inv = CultureInfo.InvariantCulture;
        if (reader.FirstDirectory == 0)
        {
            return Failed(reader.Path, $"\"{reader.Path}\" has no image directory: it was never completed (Tessera writes the directories last).");
        }

        if (reader.FirstDirectory >= reader.Length)
        {
            return Failed(reader.Path, string.Create(inv,
                $"\"{reader.Path}\" ends at byte {reader.Length:N0}, before its first directory at byte {reader.FirstDirectory:N0}: the file is truncated."));
        }

        TiffDirectory first;
        try
        {
            first = reader.ReadDirectory(reader.FirstDirectory);
        }
        catch (TesseraException e)
        {
            return Failed(reader.Path, $"Level 0: {e.Message}.");
        }

        var problems = new ConcurrentBag<string>();
        if (Shape(first, problems, "Level 0") is not { } raster)
        {
            return new RasterVerifyReport(reader.Path, null, null, 0, Sorted(problems));
        }

        long compression = first.Number(TiffDirectory.Compression) ?? 1;
        CheckOmeXml(first.Text(TiffDirectory.ImageDescription), raster, problems);
        List<TiffDirectory> levels = Levels(reader, first, raster, problems);
        var tiles = new List<(int Level, int Column, int Row, long Offset, long Length)>();
        for (int level = 0; level < levels.Count; level++)
        {
            if (CheckLevel(levels[level], level, raster, compression, problems))
            {
                AddTiles(reader, levels[level], level, raster, tiles, problems);
            }
        }

        Parallel.ForEach(tiles, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, tile =>
        {
            if (DecodeProblem(reader, tile.Offset, tile.Length, compression, raster, codec) is { } problem)
            {
                problems.Add(string.Create(inv, $"Level {tile.Level}: tile ({tile.Column}, {tile.Row}) does not decode: {problem}."));
            }
        });

        return new RasterVerifyReport(reader.Path, raster, CompressionName(compression), tiles.Count, Sorted(problems));
    }

    /// <summary>The pyramid the full-resolution directory describes; null (with the problem) when Tessera would not have written it.</summary>
    private static RasterPyramid? Shape(TiffDirectory ifd, ConcurrentBag<string> problems, string where)
    {
        long width = ifd.Number(TiffDirectory.ImageWidth) ?? 0, height = ifd.Number(TiffDirectory.ImageLength) ?? 0;
        long channels = ifd.Number(TiffDirectory.SamplesPerPixel) ?? 1, bits = ifd.Number(TiffDirectory.BitsPerSample) ?? 1;
        long tileWidth = ifd.Number(TiffDirectory.TileWidth) ?? 0, tileLength = ifd.Number(TiffDirectory.TileLength) ?? 0;
        long format = ifd.Number(TiffDirectory.SampleFormat) ?? 1, compression = ifd.Number(TiffDirectory.Compression) ?? 1;
        string? problem =
            width is < 1 or > int.MaxValue || height is < 1 or > int.MaxValue ? $"the image is {width}×{height} px"
            : tileWidth == 0 ? "it is not tiled"
            : tileWidth != tileLength || tileWidth % 16 != 0 || tileWidth > Pyramid.DziGeometry.MaxTileSize ? $"its tiles are {tileWidth}×{tileLength} px, not square tiles of a multiple of 16 px"
            : channels is not (1 or 3) ? $"it has {channels} samples per pixel, not 1 (grey) or 3 (RGB)"
            : bits is not (8 or 16) || format != 1 ? $"its samples are {bits}-bit (format {format}), not 8- or 16-bit unsigned"
            : compression is not (Lzw or Jpeg or Deflate) ? $"its compression is {compression}, not deflate (8), LZW (5) or JPEG (7)"
            : compression == Jpeg && bits != 8 ? "it holds 16-bit samples in JPEG tiles"
            : null;
        if (problem is not null)
        {
            problems.Add($"{where}: {problem}, as Tessera never writes it.");
            return null;
        }

        return new RasterPyramid((int)width, (int)height, (int)channels, bits == 16 ? SampleType.UInt16 : SampleType.UInt8, (int)tileWidth);
    }

    /// <summary>The first directory and its SubIFDs, one a level; a level missing or unreadable is a problem.</summary>
    private static List<TiffDirectory> Levels(BigTiffReader reader, TiffDirectory first, RasterPyramid raster, ConcurrentBag<string> problems)
    {
        var levels = new List<TiffDirectory> { first };
        long[] subIfds = first.Numbers(TiffDirectory.SubIfds) ?? [];
        foreach (long offset in subIfds)
        {
            try
            {
                levels.Add(reader.ReadDirectory(offset));
            }
            catch (TesseraException e)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"Level {levels.Count}: {e.Message}."));
                break;
            }
        }

        for (int level = subIfds.Length + 1; level < raster.LevelCount; level++)
        {
            var (w, h) = raster.LevelSize(level);
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"Level {level} ({w}×{h} px) is missing: the file has {subIfds.Length + 1} levels, and {raster.Width}×{raster.Height} px in {raster.TileSize}-px tiles takes {raster.LevelCount}."));
        }

        if (levels.Count > raster.LevelCount)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"The file has {levels.Count} levels, more than the {raster.LevelCount} that {raster.Width}×{raster.Height} px in {raster.TileSize}-px tiles takes."));
            levels.RemoveRange(raster.LevelCount, levels.Count - raster.LevelCount);
        }

        return levels;
    }

    /// <summary>Whether a level is the size the pyramid gives it, with the tiles and samples of the first; its tiles are read only then.</summary>
    private static bool CheckLevel(TiffDirectory ifd, int level, RasterPyramid raster, long compression, ConcurrentBag<string> problems)
    {
        var inv = CultureInfo.InvariantCulture;
        var (width, height) = raster.LevelSize(level);
        long w = ifd.Number(TiffDirectory.ImageWidth) ?? 0, h = ifd.Number(TiffDirectory.ImageLength) ?? 0;
        if (w != width || h != height)
        {
            problems.Add(string.Create(inv, $"Level {level} is {w}×{h} px, expected {width}×{height}: each level halves the one before, rounding up."));
            return false;
        }

        bool same = ifd.Number(TiffDirectory.TileWidth) == raster.TileSize && ifd.Number(TiffDirectory.TileLength) == raster.TileSize
            && ifd.Number(TiffDirectory.SamplesPerPixel) == raster.Channels && ifd.Number(TiffDirectory.BitsPerSample) == raster.SampleType.Bits()
            && (ifd.Number(TiffDirectory.Compression) ?? 1) == compression;
        if (!same)
        {
            problems.Add(string.Create(inv, $"Level {level}: its tiles, samples or compression differ from level 0's."));
            return false;
        }

        if (compression != Jpeg && (ifd.Number(TiffDirectory.Predictor) ?? 1) != 2)
        {
            problems.Add(string.Create(inv, $"Level {level}: it has no horizontal predictor (Predictor 2), which Tessera always writes with deflate and LZW."));
            return false;
        }

        return true;
    }

    private static void AddTiles(BigTiffReader reader, TiffDirectory ifd, int level, RasterPyramid raster,
        List<(int, int, int, long, long)> tiles, ConcurrentBag<string> problems)
    {
        var inv = CultureInfo.InvariantCulture;
        var (columns, rows) = raster.TileCount(level);
        long[]? offsets = ifd.Numbers(TiffDirectory.TileOffsets), lengths = ifd.Numbers(TiffDirectory.TileByteCounts);
        if (offsets is null || lengths is null || offsets.Length != (long)columns * rows || lengths.Length != offsets.Length)
        {
            problems.Add(string.Create(inv, $"Level {level}: its tile tables list {offsets?.Length ?? 0} offsets and {lengths?.Length ?? 0} lengths, not the {columns * rows} tiles of {columns}×{rows}."));
            return;
        }

        for (int i = 0; i < offsets.Length; i++)
        {
            int column = i % columns, row = i / columns;
            if (lengths[i] == 0)
            {
                problems.Add(string.Create(inv, $"Level {level}: tile ({column}, {row}) is missing (no bytes)."));
            }
            else if (offsets[i] < 16 || offsets[i] + lengths[i] > reader.Length)
            {
                problems.Add(string.Create(inv,
                    $"Level {level}: tile ({column}, {row}) (bytes {offsets[i]:N0}–{offsets[i] + lengths[i]:N0}) lies outside the file ({reader.Length:N0} bytes): the file is truncated."));
            }
            else
            {
                tiles.Add((level, column, row, offsets[i], lengths[i]));
            }
        }
    }

    /// <summary>Why the tile at <paramref name="offset"/> does not decode to a whole tile; null when it does.</summary>
    private static string? DecodeProblem(BigTiffReader reader, long offset, long length, long compression, RasterPyramid raster, ITileCodec codec)
    {
        if (length > 2L * raster.TileBytes + 4096)
        {
            return string.Create(CultureInfo.InvariantCulture, $"it is {length:N0} bytes, more than any compression of a {raster.TileSize}-px tile");
        }

        byte[] data = ArrayPool<byte>.Shared.Rent((int)length);
        byte[] samples = ArrayPool<byte>.Shared.Rent(raster.TileBytes);
        try
        {
            reader.Read(offset, data.AsSpan(0, (int)length));
            switch (compression)
            {
                case Deflate:
                    CompressedTile.Inflate(data, (int)length, samples.AsSpan(0, raster.TileBytes));
                    return null;
                case Lzw:
                    CompressedTile.Unlzw(data.AsSpan(0, (int)length), samples.AsSpan(0, raster.TileBytes));
                    return null;
                default:
                    return JpegProblem(data, (int)length, raster, codec);
            }
        }
        catch (InvalidDataException e)
        {
            return e.Message.TrimEnd('.');
        }
        catch (TesseraException e)
        {
            return e.Message.TrimEnd('.');
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(data);
            ArrayPool<byte>.Shared.Return(samples);
        }
    }

    private static string? JpegProblem(byte[] data, int length, RasterPyramid raster, ITileCodec codec)
    {
        if (codec is not IEncodedImageDecoder decoder)
        {
            throw new TesseraException($"The {codec.Name} codec cannot check JPEG tiles inside a TIFF: it reads only files.");
        }

        using FileBytes bytes = FileBytes.Rent(length);
        data.AsSpan(0, length).CopyTo(bytes.Bytes);
        try
        {
            ImageHeader header = decoder.ReadHeader("tile", bytes);
            if (header.Width != raster.TileSize || header.Height != raster.TileSize)
            {
                return string.Create(CultureInfo.InvariantCulture, $"it is {header.Width}×{header.Height} px, not {raster.TileSize}×{raster.TileSize}");
            }

            using var pixels = decoder.Decode("tile", bytes, Imaging.PixelFormat.Rgbx8888);
            return null;
        }
        catch (TileReadException e)
        {
            return e.Problem;
        }
    }

    /// <summary>The OME-XML's one image must be the first directory's: size, samples and sample type.</summary>
    private static void CheckOmeXml(string? description, RasterPyramid raster, ConcurrentBag<string> problems)
    {
        if (description is null)
        {
            problems.Add("Level 0 has no ImageDescription: the OME-XML is missing.");
            return;
        }

        XElement? pixels;
        try
        {
            XDocument xml = XDocument.Parse(description);
            pixels = xml.Root is { } root && root.Name.LocalName == "OME"
                ? root.Elements(root.Name.Namespace + "Image").Elements(root.Name.Namespace + "Pixels").FirstOrDefault()
                : null;
        }
        catch (XmlException e)
        {
            problems.Add($"The ImageDescription is not OME-XML: {e.Message}");
            return;
        }

        if (pixels is null)
        {
            problems.Add("The ImageDescription is not OME-XML with an Image and its Pixels.");
            return;
        }

        var inv = CultureInfo.InvariantCulture;
        var expected = new (string Name, string Value)[]
        {
            ("SizeX", raster.Width.ToString(inv)), ("SizeY", raster.Height.ToString(inv)), ("SizeC", raster.Channels.ToString(inv)),
            ("SizeZ", "1"), ("SizeT", "1"), ("Type", raster.SampleType.OmeName()),
        };
        foreach (var (name, value) in expected)
        {
            string? actual = (string?)pixels.Attribute(name);
            if (actual != value)
            {
                problems.Add($"The OME-XML says {name}=\"{actual}\", but the image has {value}.");
            }
        }
    }

    private static string CompressionName(long compression) => compression switch
    {
        Lzw => "lzw",
        Jpeg => "jpeg",
        _ => "deflate",
    };

    private static List<string> Sorted(ConcurrentBag<string> problems) => problems.Order(StringComparer.Ordinal).ToList();

    private static RasterVerifyReport Failed(string path, string problem) => new(path, null, null, 0, [problem]);
}
