using SkiaSharp;

namespace Tessera.Bench;

/// <summary>
/// Per-thread state of the codec floor: reusable file and pixel buffers. Decodes one input tile at a
/// time and encodes output tiles as crops of the most recently decoded one.
/// </summary>
internal sealed class FloorWorker(InputGrid grid, DziPyramid pyramid, SKJpegEncoderOptions options)
{
    private readonly SKImageInfo _inputInfo =
        new(grid.TileWidth, grid.TileHeight, SKColorType.Rgba8888, SKAlphaType.Opaque);

    private readonly byte[] _pixels = new byte[grid.TileWidth * grid.TileHeight * 4];
    private byte[] _file = new byte[256 * 1024];

    public unsafe void Decode(string path)
    {
        var length = ReadFile(path);
        using var data = SKData.CreateCopy(_file.AsSpan(0, length));
        using var codec = SKCodec.Create(data) ?? throw new BenchException($"cannot decode '{path}'");
        if (codec.Info.Width != grid.TileWidth || codec.Info.Height != grid.TileHeight)
        {
            throw new BenchException($"'{path}' is {codec.Info.Width}x{codec.Info.Height}, expected {grid.TileWidth}x{grid.TileHeight}");
        }

        fixed (byte* pixels = _pixels)
        {
            var result = codec.GetPixels(_inputInfo, (IntPtr)pixels);
            if (result != SKCodecResult.Success)
            {
                throw new BenchException($"decoding '{path}' failed: {result}");
            }
        }
    }

    /// <summary>Encodes output tiles [<paramref name="first"/>, <paramref name="end"/>) of the pyramid.</summary>
    public unsafe void Encode(long first, long end)
    {
        var stride = _inputInfo.RowBytes;
        fixed (byte* pixels = _pixels)
        {
            for (var index = first; index < end; index++)
            {
                var (width, height) = pyramid.TileSize(index);
                var left = (int)(index * 37 % (grid.TileWidth - width + 1));
                var top = (int)(index * 53 % (grid.TileHeight - height + 1));
                var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
                using var crop = new SKPixmap(info, (IntPtr)(pixels + (top * stride) + (left * 4)), stride);
                using var jpeg = crop.Encode(options) ?? throw new BenchException("JPEG encoding failed");
            }
        }
    }

    private int ReadFile(string path)
    {
        using var handle = File.OpenHandle(path);
        var length = checked((int)RandomAccess.GetLength(handle));
        if (_file.Length < length)
        {
            _file = new byte[length];
        }

        var read = 0;
        while (read < length)
        {
            var n = RandomAccess.Read(handle, _file.AsSpan(read, length - read), read);
            read += n > 0 ? n : throw new BenchException($"'{path}' shrank while reading");
        }

        return length;
    }
}
