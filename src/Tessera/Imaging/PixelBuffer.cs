using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Tessera.Imaging;

/// <summary>
/// A pooled, owned image buffer covering <see cref="Bounds"/> in some coordinate system (the
/// stitched plane or one pyramid level). Rows are contiguous with <see cref="Stride"/> bytes each.
/// The memory comes from <paramref name="pool"/> when given, and goes back to it on dispose.
/// </summary>
public sealed class PixelBuffer : IDisposable
{
    private readonly PixelMemoryPool? _pool;
    private readonly int _offset;
    private byte[]? _data;

    /// <param name="bounds">The pixels the buffer holds.</param>
    /// <param name="format">Their layout.</param>
    /// <param name="pool">Where the memory comes from; null allocates.</param>
    /// <param name="minimumLength">Bytes to ask the pool for at least: buffers that come and go in
    /// slightly different sizes (blocks at the image edge) then all reuse the same arrays.</param>
    public PixelBuffer(PixelRect bounds, PixelFormat format, PixelMemoryPool? pool = null, int minimumLength = 0)
    {
        if (bounds.IsEmpty)
        {
            throw new ArgumentException($"A pixel buffer cannot be empty ({bounds}).", nameof(bounds));
        }

        Bounds = bounds;
        Format = format;
        Stride = bounds.Width * format.BytesPerPixel();
        int length = Math.Max(checked(Stride * bounds.Height), minimumLength);
        _pool = pool;
        _data = pool is null ? GC.AllocateUninitializedArray<byte>(length) : pool.Rent(length);
    }

    /// <summary>
    /// A view of part of another buffer's memory, owning nothing: <paramref name="bounds"/>, whose
    /// first row starts at byte <paramref name="offset"/> of <paramref name="data"/>, rows
    /// <paramref name="stride"/> bytes apart. Valid while that memory is.
    /// </summary>
    internal PixelBuffer(byte[] data, int offset, PixelRect bounds, PixelFormat format, int stride)
    {
        if (bounds.IsEmpty || stride < bounds.Width * format.BytesPerPixel() || offset < 0
            || offset + ((long)stride * (bounds.Height - 1)) + (bounds.Width * format.BytesPerPixel()) > data.Length)
        {
            throw new ArgumentException($"{bounds} with stride {stride} at byte {offset} does not fit in {data.Length} bytes.", nameof(bounds));
        }

        Bounds = bounds;
        Format = format;
        Stride = stride;
        _offset = offset;
        _data = data;
    }

    public PixelRect Bounds { get; }
    public PixelFormat Format { get; }
    public int Stride { get; }
    public int Width => Bounds.Width;
    public int Height => Bounds.Height;
    public int BytesPerPixel => Format.BytesPerPixel();

    /// <summary>
    /// The whole backing array. The image starts at <c>OffsetOf(Bounds.X, Bounds.Y)</c> (0, except in
    /// a view of a larger buffer) and takes <c>Stride × Height</c> bytes from there.
    /// </summary>
    public byte[] Data => _data ?? throw new ObjectDisposedException(nameof(PixelBuffer));

    /// <summary>Row <paramref name="y"/>, counted from the top of the buffer.</summary>
    public Span<byte> Row(int y) => Data.AsSpan(_offset + (y * Stride), Stride);

    /// <summary>Row <paramref name="y"/> (in <see cref="Bounds"/> coordinates) from column <paramref name="x"/>, <paramref name="width"/> pixels long.</summary>
    public Span<byte> RowAt(int x, int y, int width)
    {
        Debug.Assert(Bounds.Contains(new PixelRect(x, y, width, 1)), $"{x},{y}+{width} outside {Bounds}");
        int bpp = BytesPerPixel;
        return Data.AsSpan(_offset + ((y - Bounds.Y) * Stride) + ((x - Bounds.X) * bpp), width * bpp);
    }

    /// <summary>Byte offset of pixel (x, y), given in <see cref="Bounds"/> coordinates.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int OffsetOf(int x, int y) => _offset + ((y - Bounds.Y) * Stride) + ((x - Bounds.X) * BytesPerPixel);

    public void Dispose()
    {
        byte[]? data = Interlocked.Exchange(ref _data, null);
        if (data is not null)
        {
            _pool?.Return(data);
        }
    }
}
