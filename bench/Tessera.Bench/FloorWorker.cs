using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Outputs;

namespace Tessera.Bench;

/// <summary>
/// Per-thread state of the codec floor. Decodes one input tile at a time with Tessera's own codec
/// and encodes output tiles as crops of the most recently decoded one; with a sink, writes them too.
/// </summary>
internal sealed class FloorWorker(InputGrid grid, OutputTiles tiles, ITileCodec codec, EncodeSettings settings, PixelMemoryPool pool, DeepZoomFiles? sink)
    : IDisposable
{
    private PixelBuffer? _pixels;

    public void Decode(string path)
    {
        _pixels?.Dispose();
        _pixels = codec.Decode(path, PixelFormat.Rgbx8888, pool);
        if (_pixels.Width != grid.TileWidth || _pixels.Height != grid.TileHeight)
        {
            throw new BenchException($"'{path}' is {_pixels.Width}x{_pixels.Height}, expected {grid.TileWidth}x{grid.TileHeight}");
        }
    }

    /// <summary>Encodes output tiles [<paramref name="first"/>, <paramref name="end"/>) of the pyramid.</summary>
    public void Encode(long first, long end)
    {
        PixelBuffer pixels = _pixels ?? throw new InvalidOperationException("Nothing decoded yet.");
        for (var index = first; index < end; index++)
        {
            var (level, column, row, rect) = tiles[index];
            var left = (int)(index * 37 % (grid.TileWidth - rect.Width + 1));
            var top = (int)(index * 53 % (grid.TileHeight - rect.Height + 1));
            using IEncodedImage jpeg = codec.Encode(pixels, new PixelRect(left, top, rect.Width, rect.Height), settings);
            sink?.Write(level, column, row, jpeg.Bytes);
        }
    }

    public void Dispose() => _pixels?.Dispose();
}
