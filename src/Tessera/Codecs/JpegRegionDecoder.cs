using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using Tessera.Imaging;

namespace Tessera.Codecs;

/// <summary>
/// Decodes a rectangle of a JPEG straight into a caller's buffer, through Tessera's small native
/// layer over the system's libjpeg-turbo (<c>libtessera_jpeg.so</c>, compiled from
/// <c>Native/tessera_jpeg.c</c> when the library is built; Debian packages <c>gcc</c> and
/// <c>libjpeg62-turbo-dev</c>). libjpeg crops columns to iMCU boundaries and skips rows without
/// their inverse DCT; the layer keeps enough context that the pixels equal a whole decode's. Where
/// the layer was not built or cannot load, <see cref="TryLoad"/> says why and Tessera decodes
/// whole tiles as before. A region can also be streamed, some rows at a time (<see cref="OpenStream"/>).
/// Every path reads all of the file's entropy data, the parts outside the region included, and takes
/// libjpeg's warnings as errors, so a damaged file is refused however little of it is used; the
/// same check alone, without decoding pixels, serves codecs that do not report them (<see cref="Check"/>).
/// </summary>
internal sealed unsafe class JpegRegionDecoder : IDisposable
{
    public const string LibraryFile = "libtessera_jpeg.so";

    private const int MessageBytes = 200;
    private const int Done = 0, Declined = -2;
    private const int Abi = 2; // tessera_jpeg_abi(): the calls' signatures this file binds

    private readonly delegate* unmanaged<nint> _create;
    private readonly delegate* unmanaged<nint, void> _destroy;
    private readonly delegate* unmanaged<nint, byte*, nuint, int, int, int, int, int, int, int, byte*, nint, int, int, int, byte*, int, int> _decode;
    private readonly delegate* unmanaged<nint, byte*, nuint, int, int, int, int, int, int, int, byte*, int, int> _streamStart;
    private readonly delegate* unmanaged<nint, int, int, int, int, byte*, nint, int, int, byte*, int, int> _streamRead;
    private readonly delegate* unmanaged<nint, void> _streamEnd;
    private readonly delegate* unmanaged<nint, byte*, nuint, byte*, int, int> _check;
    private readonly ThreadLocal<nint> _handles;
    private readonly ConcurrentBag<nint> _streamHandles = [];
    private bool _disposed;

    private JpegRegionDecoder(nint library)
    {
        _create = (delegate* unmanaged<nint>)NativeLibrary.GetExport(library, "tessera_jpeg_create");
        _destroy = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(library, "tessera_jpeg_destroy");
        _decode = (delegate* unmanaged<nint, byte*, nuint, int, int, int, int, int, int, int, byte*, nint, int, int, int, byte*, int, int>)
            NativeLibrary.GetExport(library, "tessera_jpeg_decode_region");
        _streamStart = (delegate* unmanaged<nint, byte*, nuint, int, int, int, int, int, int, int, byte*, int, int>)
            NativeLibrary.GetExport(library, "tessera_jpeg_stream_start");
        _streamRead = (delegate* unmanaged<nint, int, int, int, int, byte*, nint, int, int, byte*, int, int>)
            NativeLibrary.GetExport(library, "tessera_jpeg_stream_read");
        _streamEnd = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(library, "tessera_jpeg_stream_end");
        _check = (delegate* unmanaged<nint, byte*, nuint, byte*, int, int>)NativeLibrary.GetExport(library, "tessera_jpeg_check");
        _handles = new ThreadLocal<nint>(CreateHandle, trackAllValues: true);
    }

    /// <summary>The decoder, or null (with the reason) where its native layer is missing or cannot load.</summary>
    public static JpegRegionDecoder? TryLoad(out string? problem)
    {
        problem = null;
        foreach (string? directory in new[] { Path.GetDirectoryName(typeof(JpegRegionDecoder).Assembly.Location), AppContext.BaseDirectory })
        {
            if (!string.IsNullOrEmpty(directory) && NativeLibrary.TryLoad(Path.Combine(directory, LibraryFile), out nint library))
            {
                try
                {
                    var abi = (delegate* unmanaged<int>)NativeLibrary.GetExport(library, "tessera_jpeg_abi");
                    if (abi() != Abi)
                    {
                        problem = $"{LibraryFile} is not the one this Tessera was built with (its calls are version {abi()}, not {Abi})";
                        return null;
                    }

                    return new JpegRegionDecoder(library);
                }
                catch (EntryPointNotFoundException e)
                {
                    problem = $"{LibraryFile} is not the one this Tessera was built with: {e.Message}";
                    return null;
                }
            }
        }

        problem = $"{LibraryFile} is missing or cannot load (it is built with Tessera where gcc and libjpeg62-turbo-dev are installed)";
        return null;
    }

    /// <summary>
    /// Decodes <paramref name="region"/> of the JPEG <paramref name="jpeg"/> into
    /// <paramref name="target"/> at (<paramref name="atX"/>, <paramref name="atY"/>); false, with
    /// nothing written, when the image is not <paramref name="width"/>×<paramref name="height"/> or is CMYK.
    /// Where the target is a buffer of the whole image and the region goes to its own place there,
    /// libjpeg writes the rows in place, a few pixels around the region included; elsewhere only the
    /// region is written (where the target's rows reach far enough beside it, straight from libjpeg,
    /// the pixels beside it put back; otherwise copied out of a scratch row buffer). After a failure
    /// the pixels beside the region may have changed.
    /// </summary>
    /// <exception cref="TileReadException">The data is corrupt or ends early.</exception>
    public bool Decode(string path, ReadOnlySpan<byte> jpeg, int width, int height, PixelRect region, PixelBuffer target, int atX, int atY)
    {
        if (!new PixelRect(0, 0, width, height).Contains(region) || region.IsEmpty)
        {
            throw new ArgumentOutOfRangeException(nameof(region), $"{region} is not inside the {width}×{height} image.");
        }

        if (!target.Bounds.Contains(new PixelRect(atX, atY, region.Width, region.Height)))
        {
            throw new ArgumentOutOfRangeException(nameof(target), $"{region.Width}×{region.Height} px at ({atX}, {atY}) is not inside the target's {target.Bounds}.");
        }

        if (target.Format is not (PixelFormat.Rgbx8888 or PixelFormat.Gray8))
        {
            throw new ArgumentException($"JPEG regions decode to RGBX or grey, not {target.Format}.", nameof(target));
        }

        bool wholeImage = target.Bounds == new PixelRect(0, 0, width, height) && (atX, atY) == (region.X, region.Y);
        byte* message = stackalloc byte[MessageBytes];
        int status;
        fixed (byte* source = jpeg)
        fixed (byte* pixels = target.Data)
        {
            status = _decode(_handles.Value, source, (nuint)jpeg.Length, target.Format == PixelFormat.Gray8 ? 1 : 0,
                width, height, region.X, region.Y, region.Width, region.Height,
                pixels + (wholeImage ? target.OffsetOf(0, 0) : target.OffsetOf(atX, atY)), target.Stride, wholeImage ? 1 : 0,
                atX - target.Bounds.X, target.Bounds.Right - (atX + region.Width), message, MessageBytes);
        }

        return Accept(path, status, message);
    }

    /// <summary>
    /// Starts decoding <paramref name="region"/> of <paramref name="file"/> (a whole JPEG that ends
    /// with EOI) as <paramref name="format"/>, to be read top to bottom (see <see cref="RegionStream"/>);
    /// null when the image is not <paramref name="width"/>×<paramref name="height"/> or is CMYK. The stream
    /// owns <paramref name="file"/> from here on, whatever happens.
    /// </summary>
    /// <exception cref="TileReadException">The data is corrupt.</exception>
    public RegionStream? OpenStream(string path, FileBytes file, int width, int height, PixelRect region, PixelFormat format)
    {
        if (format is not (PixelFormat.Rgbx8888 or PixelFormat.Gray8))
        {
            file.Dispose();
            throw new ArgumentException($"JPEG regions decode to RGBX or grey, not {format}.", nameof(format));
        }

        var stream = new RegionStream(this, path, file, region, format, _streamHandles.TryTake(out nint handle) ? handle : CreateHandle());
        try
        {
            if (stream.Start(width, height))
            {
                return stream;
            }
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        stream.Dispose();
        return null;
    }

    /// <summary>
    /// Checks the whole of <paramref name="jpeg"/> as a decode would, without its pixels: all its
    /// entropy data is decoded (no inverse DCT or colour conversion) and its markers read up to EOI.
    /// </summary>
    /// <exception cref="TileReadException">The data is corrupt or ends early.</exception>
    public void Check(string path, ReadOnlySpan<byte> jpeg)
    {
        byte* message = stackalloc byte[MessageBytes];
        int status;
        fixed (byte* source = jpeg)
        {
            status = _check(_handles.Value, source, (nuint)jpeg.Length, message, MessageBytes);
        }

        Accept(path, status, message);
    }

    public void Dispose()
    {
        foreach (nint handle in _handles.Values)
        {
            _destroy(handle);
        }

        _handles.Dispose();
        lock (_streamHandles)
        {
            _disposed = true;
            while (_streamHandles.TryTake(out nint handle))
            {
                _destroy(handle);
            }
        }
    }

    /// <summary>Takes back the native decoder of a stream that ended: kept for the next stream, or destroyed once this decoder is disposed.</summary>
    private void ReturnStreamHandle(nint handle)
    {
        _streamEnd(handle);
        lock (_streamHandles)
        {
            if (_disposed)
            {
                _destroy(handle);
            }
            else
            {
                _streamHandles.Add(handle);
            }
        }
    }

    /// <summary>
    /// A region being decoded some rows at a time, top to bottom, each row straight to where it
    /// goes: a tile whose part spans several bands of a block is decoded once without a decoded copy
    /// kept between them. It holds the file's bytes and a native decoder until disposed.
    /// </summary>
    public sealed class RegionStream : IRegionStream
    {
        private readonly JpegRegionDecoder _owner;
        private readonly string _path;
        private readonly PixelFormat _format;
        private FileBytes? _file;
        private GCHandle _pinned;
        private nint _handle;

        internal RegionStream(JpegRegionDecoder owner, string path, FileBytes file, PixelRect region, PixelFormat format, nint handle)
        {
            _owner = owner;
            _path = path;
            _file = file;
            _format = format;
            _handle = handle;
            Region = region;
            NextRow = region.Y;
            _pinned = GCHandle.Alloc(file.Bytes, GCHandleType.Pinned);
        }

        public PixelRect Region { get; }

        public int NextRow { get; private set; }

        internal bool Start(int width, int height)
        {
            byte* message = stackalloc byte[MessageBytes];
            int status = _owner._streamStart(_handle, (byte*)_pinned.AddrOfPinnedObject(), (nuint)_file!.Length, _format == PixelFormat.Gray8 ? 1 : 0,
                width, height, Region.X, Region.Y, Region.Width, Region.Height, message, MessageBytes);
            return Accept(_path, status, message);
        }

        public void Read(PixelRect part, PixelBuffer target, int atX, int atY)
        {
            ObjectDisposedException.ThrowIf(_file is null, this);
            if (!Region.Contains(part) || part.Y < NextRow)
            {
                throw new ArgumentOutOfRangeException(nameof(part), $"{part} is not left of the stream's {Region} (next row {NextRow}).");
            }

            if (target.Format != _format || !target.Bounds.Contains(new PixelRect(atX, atY, part.Width, part.Height)))
            {
                throw new ArgumentOutOfRangeException(nameof(target), $"{part.Width}×{part.Height} {_format} px at ({atX}, {atY}) do not fit the target's {target.Bounds} {target.Format}.");
            }

            if (part.IsEmpty)
            {
                return;
            }

            byte* message = stackalloc byte[MessageBytes];
            int status;
            fixed (byte* pixels = target.Data)
            {
                status = _owner._streamRead(_handle, part.Y, part.Bottom, part.X, part.Width, pixels + target.OffsetOf(atX, atY), target.Stride,
                    atX - target.Bounds.X, target.Bounds.Right - (atX + part.Width), message, MessageBytes);
            }

            NextRow = part.Bottom;
            Accept(_path, status, message);
        }

        public void Dispose()
        {
            FileBytes? file = Interlocked.Exchange(ref _file, null);
            if (file is null)
            {
                return;
            }

            _owner.ReturnStreamHandle(_handle);
            _handle = 0;
            _pinned.Free();
            file.Dispose();
        }
    }

    private nint CreateHandle()
    {
        nint handle = _create();
        return handle != 0 ? handle : throw new OutOfMemoryException("tessera_jpeg_create failed.");
    }

    /// <summary>
    /// What a native call's status means: false for an image of another size or a CMYK one (decode it
    /// whole, which names the size or refuses it); for an error or a warning, the file refused as
    /// every other path refuses it (<see cref="JpegProblems.Damaged"/>); true otherwise.
    /// </summary>
    private static bool Accept(string path, int status, byte* message) => status switch
    {
        Done => true,
        Declined => false,
        _ => throw JpegProblems.Damaged(path, Text(message)),
    };

    private static string Text(byte* message) =>
        Encoding.UTF8.GetString(message, new ReadOnlySpan<byte>(message, MessageBytes).IndexOf((byte)0) is int n and >= 0 ? n : MessageBytes);
}
