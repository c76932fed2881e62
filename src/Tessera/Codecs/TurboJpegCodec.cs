using System.Runtime.InteropServices;
using Tessera.Imaging;

namespace Tessera.Codecs;

/// <summary>
/// JPEG through the system's libjpeg-turbo (TurboJPEG API, <c>libturbojpeg.so.0</c>; Debian package
/// <c>libturbojpeg0</c>), whose SIMD paths decode and encode about twice as fast as the scalar
/// libjpeg-turbo inside SkiaSharp's portable build. Encodes straight from the engine's RGBX rows
/// into a reused buffer, so a tile costs no conversion and no allocation. Where Tessera's native
/// region layer is built (see <see cref="JpegRegionDecoder"/>) it also decodes parts of tiles.
/// Everything that is not JPEG goes to <paramref name="fallback"/>.
/// </summary>
public sealed unsafe partial class TurboJpegCodec : ITileCodec, IRegionDecoder, IDisposable
{
    private const int PixelFormatRgbx = 2, PixelFormatGray = 6;
    private const int SubsampleGray = 3, Subsample420 = 2;
    private const int ColorspaceGray = 2, ColorspaceCmyk = 3, ColorspaceYcck = 4;
    private const int FlagNoRealloc = 1024, FlagStopOnWarning = 8192;

    private readonly ITileCodec _fallback;
    private readonly Api _api;
    private readonly ThreadLocal<Handles> _handles;
    private readonly JpegRegionDecoder? _regions;

    private TurboJpegCodec(Api api, ITileCodec fallback, JpegRegionDecoder? regions)
    {
        _api = api;
        _fallback = fallback;
        _regions = regions;
        _handles = new ThreadLocal<Handles>(() => new Handles(_api), trackAllValues: true);
    }

    public string Name => "turbojpeg";

    /// <summary>Whether parts of tiles can be decoded (<see cref="TryDecodeRegion"/>); if not, <see cref="RegionProblem"/> says why.</summary>
    public bool DecodesRegions => _regions is not null;

    /// <summary>Why regions cannot be decoded; null where they can.</summary>
    public string? RegionProblem { get; private init; }

    /// <summary>
    /// The codec, or null (with the reason) where libturbojpeg cannot be loaded. With
    /// <paramref name="regions"/> false it decodes whole tiles even where it could decode parts.
    /// </summary>
    public static TurboJpegCodec? TryCreate(ITileCodec fallback, out string? problem, bool regions = true)
    {
        Api? api = Api.TryLoad(out problem);
        if (api is null)
        {
            return null;
        }

        string? regionProblem = "turned off";
        JpegRegionDecoder? decoder = regions ? JpegRegionDecoder.TryLoad(out regionProblem) : null;
        return new TurboJpegCodec(api, fallback, decoder) { RegionProblem = decoder is null ? regionProblem : null };
    }

    public ImageHeader ReadHeader(string path)
    {
        using FileBytes file = FileBytes.Read(path);
        if (!file.IsJpeg)
        {
            return _fallback.ReadHeader(path);
        }

        var (width, height, colorspace, _) = Header(path, file);
        return new ImageHeader(width, height, colorspace == ColorspaceGray ? PixelFormat.Gray8 : PixelFormat.Rgbx8888);
    }

    public PixelBuffer Decode(string path, PixelFormat format, PixelMemoryPool? pool = null)
    {
        using FileBytes file = FileBytes.Read(path);
        if (!file.IsJpeg)
        {
            return _fallback.Decode(path, format, pool);
        }

        var (width, height, _, _) = Header(path, file);
        return Decompress(path, file, width, height, format, pool);
    }

    public bool TryDecodeRegion(string path, int width, int height, PixelRect region, PixelBuffer target, int atX, int atY)
    {
        using FileBytes? file = ReadForRegions(path);
        return file is not null && _regions!.Decode(path, file.Bytes.AsSpan(0, file.Length), width, height, region, target, atX, atY);
    }

    public IRegionStream? TryOpenRegionStream(string path, int width, int height, PixelRect region, PixelFormat format) =>
        ReadForRegions(path) is { } file ? _regions!.OpenStream(path, file, width, height, region, format) : null;

    /// <summary>
    /// The file, where the region decoder can take it; null otherwise. That decoder stops after the
    /// region's last row, so it cannot tell a truncated file: one whose data does not end with EOI
    /// goes to the whole decode, which can.
    /// </summary>
    private FileBytes? ReadForRegions(string path)
    {
        if (_regions is null)
        {
            return null;
        }

        FileBytes file = FileBytes.Read(path);
        if (file.IsJpeg && file.EndsWithJpegEnd)
        {
            return file;
        }

        file.Dispose();
        return null;
    }

    /// <summary>
    /// Decodes <paramref name="file"/> into a new <paramref name="width"/>×<paramref name="height"/>
    /// buffer: the full size, or a smaller one TurboJPEG reaches with its scaled inverse DCT.
    /// </summary>
    private PixelBuffer Decompress(string path, FileBytes file, int width, int height, PixelFormat format, PixelMemoryPool? pool)
    {
        var buffer = new PixelBuffer(new PixelRect(0, 0, width, height), format, pool);
        try
        {
            int result;
            fixed (byte* src = file.Bytes)
            fixed (byte* dst = buffer.Data)
            {
                // Damaged data only makes libjpeg warn: stop there, as for every other path (see JpegProblems.Damaged).
                result = _api.Decompress(_handles.Value!.Decompressor, src, (nuint)file.Length, dst, width, buffer.Stride, height,
                    format == PixelFormat.Gray8 ? PixelFormatGray : PixelFormatRgbx, FlagStopOnWarning);
            }

            if (result != 0)
            {
                Handles handles = _handles.Value!;
                string problem = _api.ErrorText(handles.Decompressor);
                handles.RenewDecompressor();
                throw JpegProblems.Damaged(path, problem);
            }

            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    public IEncodedImage Encode(PixelBuffer source, PixelRect region, EncodeSettings settings)
    {
        if (settings.Format != TileFormat.Jpeg)
        {
            return _fallback.Encode(source, region, settings);
        }

        if (!source.Bounds.Contains(region) || region.IsEmpty)
        {
            throw new ArgumentOutOfRangeException(nameof(region), $"{region} is not inside the buffer's {source.Bounds}.");
        }

        bool grey = source.Format == PixelFormat.Gray8;
        int subsample = grey ? SubsampleGray : Subsample420;
        Handles handles = _handles.Value!;
        byte[] output = handles.OutputBuffer((int)_api.BufSize(region.Width, region.Height, subsample));
        nuint size = (nuint)output.Length;
        int result;
        fixed (byte* src = source.Data)
        fixed (byte* dst = output)
        {
            byte* outPointer = dst;
            result = _api.Compress(handles.Compressor, src + source.OffsetOf(region.X, region.Y), region.Width, source.Stride, region.Height,
                grey ? PixelFormatGray : PixelFormatRgbx, &outPointer, &size, subsample, settings.Quality, FlagNoRealloc);
        }

        if (result != 0)
        {
            string problem = _api.ErrorText(handles.Compressor);
            handles.RenewCompressor();
            throw new InvalidOperationException($"libjpeg-turbo could not encode a {region.Width}×{region.Height} tile: {problem}");
        }

        return new BorrowedBytes(output, (int)size);
    }

    private (int Width, int Height, int Colorspace, int Subsample) Header(string path, FileBytes file)
    {
        int width, height, subsample, colorspace;
        int result;
        fixed (byte* src = file.Bytes)
        {
            result = _api.DecompressHeader(_handles.Value!.Decompressor, src, (nuint)file.Length, &width, &height, &subsample, &colorspace);
        }

        if (result != 0)
        {
            Handles handles = _handles.Value!;
            string problem = _api.ErrorText(handles.Decompressor);
            handles.RenewDecompressor();
            throw new TileReadException(path, $"not a readable JPEG ({problem})");
        }

        if (width < 1 || height < 1)
        {
            throw new TileReadException(path, "the JPEG header is corrupt (no image size)");
        }

        if (colorspace is ColorspaceCmyk or ColorspaceYcck)
        {
            throw JpegProblems.Cmyk(path);
        }

        return (width, height, colorspace, subsample);
    }

    public void Dispose()
    {
        foreach (Handles handles in _handles.Values)
        {
            handles.Dispose();
        }

        _handles.Dispose();
        _regions?.Dispose();
    }

    /// <summary>
    /// One compressor, one decompressor and one output buffer per thread: TurboJPEG handles are not
    /// thread-safe. A handle that has failed is replaced: libjpeg-turbo 2.1 leaves it in a state in
    /// which every later image fails too ("Bogus Huffman table definition").
    /// </summary>
    private sealed class Handles(Api api) : IDisposable
    {
        private byte[] _output = [];

        public nint Compressor { get; private set; } = api.InitCompress();
        public nint Decompressor { get; private set; } = api.InitDecompress();

        public void RenewDecompressor()
        {
            api.Destroy(Decompressor);
            Decompressor = api.InitDecompress();
        }

        public void RenewCompressor()
        {
            api.Destroy(Compressor);
            Compressor = api.InitCompress();
        }

        public byte[] OutputBuffer(int size)
        {
            if (_output.Length < size)
            {
                _output = GC.AllocateUninitializedArray<byte>(size);
            }

            return _output;
        }

        public void Dispose()
        {
            api.Destroy(Compressor);
            api.Destroy(Decompressor);
        }
    }

    /// <summary>Bytes in the calling thread's output buffer; valid until that thread encodes again.</summary>
    private sealed class BorrowedBytes(byte[] buffer, int length) : IEncodedImage
    {
        public ReadOnlySpan<byte> Bytes => buffer.AsSpan(0, length);

        public void Dispose()
        {
        }
    }

    /// <summary>The TurboJPEG functions, bound at run time so that a machine without the library falls back cleanly.</summary>
    private sealed class Api
    {
        private const string LibraryName = "libturbojpeg.so.0";

        private delegate* unmanaged<nint> _initCompress;
        private delegate* unmanaged<nint> _initDecompress;
        private delegate* unmanaged<nint, int> _destroy;
        private delegate* unmanaged<nint, byte*, nuint, int*, int*, int*, int*, int> _decompressHeader3;
        private delegate* unmanaged<nint, byte*, nuint, byte*, int, int, int, int, int, int> _decompress2;
        private delegate* unmanaged<nint, byte*, int, int, int, int, byte**, nuint*, int, int, int, int> _compress2;
        private delegate* unmanaged<int, int, int, nuint> _bufSize;
        private delegate* unmanaged<nint, byte*> _getErrorStr2;

        public static Api? TryLoad(out string? problem)
        {
            problem = null;
            if (!NativeLibrary.TryLoad(LibraryName, out nint library))
            {
                problem = $"{LibraryName} was not found (apt-get install libturbojpeg0 on Debian, libturbojpeg on Ubuntu)";
                return null;
            }

            try
            {
                return new Api
                {
                    _initCompress = (delegate* unmanaged<nint>)NativeLibrary.GetExport(library, "tjInitCompress"),
                    _initDecompress = (delegate* unmanaged<nint>)NativeLibrary.GetExport(library, "tjInitDecompress"),
                    _destroy = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "tjDestroy"),
                    _decompressHeader3 = (delegate* unmanaged<nint, byte*, nuint, int*, int*, int*, int*, int>)NativeLibrary.GetExport(library, "tjDecompressHeader3"),
                    _decompress2 = (delegate* unmanaged<nint, byte*, nuint, byte*, int, int, int, int, int, int>)NativeLibrary.GetExport(library, "tjDecompress2"),
                    _compress2 = (delegate* unmanaged<nint, byte*, int, int, int, int, byte**, nuint*, int, int, int, int>)NativeLibrary.GetExport(library, "tjCompress2"),
                    _bufSize = (delegate* unmanaged<int, int, int, nuint>)NativeLibrary.GetExport(library, "tjBufSize"),
                    _getErrorStr2 = (delegate* unmanaged<nint, byte*>)NativeLibrary.GetExport(library, "tjGetErrorStr2"),
                };
            }
            catch (EntryPointNotFoundException e)
            {
                problem = $"{LibraryName} is too old (TurboJPEG 2.0 or later is needed): {e.Message}";
                return null;
            }
        }

        public nint InitCompress() => NonNull(_initCompress(), "tjInitCompress");

        public nint InitDecompress() => NonNull(_initDecompress(), "tjInitDecompress");

        public void Destroy(nint handle) => _destroy(handle);

        public int DecompressHeader(nint h, byte* src, nuint size, int* width, int* height, int* subsample, int* colorspace) =>
            _decompressHeader3(h, src, size, width, height, subsample, colorspace);

        public int Decompress(nint h, byte* src, nuint size, byte* dst, int width, int pitch, int height, int pixelFormat, int flags) =>
            _decompress2(h, src, size, dst, width, pitch, height, pixelFormat, flags);

        public int Compress(nint h, byte* src, int width, int pitch, int height, int pixelFormat, byte** dst, nuint* size, int subsample, int quality, int flags) =>
            _compress2(h, src, width, pitch, height, pixelFormat, dst, size, subsample, quality, flags);

        public nuint BufSize(int width, int height, int subsample) => _bufSize(width, height, subsample);

        public string ErrorText(nint handle) => Marshal.PtrToStringUTF8((nint)_getErrorStr2(handle)) ?? "unknown error";

        private static nint NonNull(nint handle, string function) =>
            handle != 0 ? handle : throw new InvalidOperationException($"{function} failed.");
    }
}
