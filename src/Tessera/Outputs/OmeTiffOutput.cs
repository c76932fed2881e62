using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Outputs.Tiff;
using Tessera.Pyramid;

namespace Tessera.Outputs;

/// <summary>
/// NAME.ome.tif: the pyramid as one tiled BigTIFF with OME-XML (see <see cref="BigTiffPyramidWriter"/>),
/// written as NAME.ome.tif.partial and renamed when complete. The file's tile index is only in
/// memory until then, so a run that stops leaves a partial file that says nothing about which
/// tiles it holds: the next run starts the file, and the build, again.
/// </summary>
public sealed class OmeTiffOutput : IPyramidOutput
{
    private readonly DziGeometry _geometry;
    private readonly RasterPyramid _raster;
    private readonly TiffCompression _compression;
    private readonly ITileCodec _codec;
    private readonly EncodeSettings _encode;
    private readonly string _description;
    private readonly PixelMemoryPool _pool = new();
    private BigTiffPyramidWriter? _writer;

    /// <param name="path">NAME.ome.tif.</param>
    /// <param name="name">The image's name in the OME-XML.</param>
    /// <param name="codec">Encodes JPEG tiles (<paramref name="compression"/> Jpeg, at <paramref name="encode"/>'s quality).</param>
    public OmeTiffOutput(string path, string name, DziGeometry geometry, PixelFormat format, TiffCompression compression, ITileCodec codec, EncodeSettings encode, PixelSize? pixelSize)
    {
        TiffFile = path;
        _geometry = geometry;
        _raster = RasterPyramid.Of(geometry, TilePacker.Channels(format), TilePacker.SampleTypeOf(format));
        _compression = compression;
        _codec = codec;
        _encode = encode with { Format = TileFormat.Jpeg };
        _description = OmeXml.For(name, _raster, pixelSize);
    }

    /// <summary>NAME.ome.tif.</summary>
    public string TiffFile { get; }

    /// <summary>The levels, tiles and samples it holds.</summary>
    public RasterPyramid Raster => _raster;

    public string PartialFile => TiffFile + ".partial";

    public string CompleteFile => TiffFile;

    public string Location => TiffFile;

    public bool IsComplete => File.Exists(TiffFile);

    public bool AnyExists => IsComplete || File.Exists(PartialFile);

    public IReadOnlyList<string> Folders => [];

    public IReadOnlyList<string> Files => [TiffFile, PartialFile];

    public bool KeepsTilesAcrossRuns => false;

    public bool AllowsShards => false;

    public bool OnlyCompletionLeft => false;

    public int LevelsOf(DziGeometry geometry) => _raster.LevelCount;

    public void RemoveIntermediates()
    {
    }

    /// <summary>Starts NAME.ome.tif.partial afresh.</summary>
    public void Open(int levelCount)
    {
        _writer?.Dispose();
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(PartialFile)!);
            _writer = new BigTiffPyramidWriter(PartialFile, _raster, _compression, _description);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TesseraException($"Cannot create \"{PartialFile}\": {e.Message}", e);
        }
    }

    public void Write(int level, int column, int row, PixelBuffer source, PixelRect tile)
    {
        int omeLevel = _geometry.TopLevel - level;
        if (omeLevel >= _raster.LevelCount)
        {
            return; // below the level that fits in one tile: not part of an OME pyramid
        }

        BigTiffPyramidWriter writer = _writer ?? throw new InvalidOperationException("Open the output first.");
        try
        {
            if (_compression == TiffCompression.Jpeg)
            {
                WriteJpeg(writer, omeLevel, column, row, source, tile);
                return;
            }

            TilePacker.Write(writer, omeLevel, column, row, source, tile);
        }
        catch (IOException e)
        {
            throw new TesseraException($"Cannot write to \"{PartialFile}\": {e.Message}", e);
        }
    }

    /// <summary>Writes the directories, then renames the file to NAME.ome.tif, which marks it complete.</summary>
    public void Complete(DziGeometry geometry)
    {
        BigTiffPyramidWriter writer = _writer ?? throw new InvalidOperationException("Open the output first.");
        try
        {
            writer.Complete();
            writer.Dispose();
            _writer = null;
            File.Move(PartialFile, TiffFile, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TesseraException($"Cannot write \"{TiffFile}\": {e.Message}", e);
        }
    }

    public void Delete()
    {
        Dispose();
        File.Delete(PartialFile);
        File.Delete(TiffFile);
    }

    public void Dispose()
    {
        _writer?.Dispose();
        _writer = null;
    }

    /// <summary>A TIFF tile is always whole: an edge tile is encoded from a full-size copy, zeros past the edge.</summary>
    private void WriteJpeg(BigTiffPyramidWriter writer, int level, int column, int row, PixelBuffer source, PixelRect tile)
    {
        int size = _raster.TileSize;
        if (tile.Width == size && tile.Height == size)
        {
            using IEncodedImage encoded = _codec.Encode(source, tile, _encode);
            writer.WriteCompressedTile(level, column, row, encoded.Bytes);
            return;
        }

        using var full = new PixelBuffer(new PixelRect(tile.X, tile.Y, size, size), source.Format, _pool);
        full.Data.AsSpan(0, full.Stride * size).Clear();
        for (int y = 0; y < tile.Height; y++)
        {
            source.RowAt(tile.X, tile.Y + y, tile.Width).CopyTo(full.Row(y));
        }

        using IEncodedImage padded = _codec.Encode(full, full.Bounds, _encode);
        writer.WriteCompressedTile(level, column, row, padded.Bytes);
    }
}
