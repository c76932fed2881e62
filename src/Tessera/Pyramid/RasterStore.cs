using Microsoft.Win32.SafeHandles;
using Tessera.Imaging;

namespace Tessera.Pyramid;

/// <summary>
/// One intermediate pyramid level, written piece by piece by the blocks of the level above and then
/// read back as the source of the levels below. Small levels stay in memory; large ones go to an
/// temporary file (deleted on dispose) so the process's memory stays flat however
/// large the grid.
/// </summary>
internal abstract class RasterStore : IPixelSource, IDisposable
{
    protected RasterStore(int width, int height, PixelFormat format)
    {
        Width = width;
        Height = height;
        Format = format;
        RowBytes = (long)width * format.BytesPerPixel();
    }

    public int Width { get; }
    public int Height { get; }
    public PixelFormat Format { get; }
    protected long RowBytes { get; }

    public static RasterStore Create(int width, int height, PixelFormat format, long inMemoryLimitBytes, string temporaryDirectory)
    {
        long bytes = (long)width * height * format.BytesPerPixel();
        return bytes <= inMemoryLimitBytes
            ? new MemoryRaster(width, height, format)
            : new FileRaster(width, height, format, temporaryDirectory);
    }

    /// <summary>Stores all of <paramref name="pixels"/>, whose bounds lie inside the level.</summary>
    public void Write(PixelBuffer pixels)
    {
        PixelRect b = pixels.Bounds;
        if (WholeRows(pixels))
        {
            WriteAt(b.Y * RowBytes, pixels.Data.AsSpan(pixels.OffsetOf(0, b.Y), checked((int)(b.Height * RowBytes))));
            return;
        }

        for (int y = 0; y < b.Height; y++)
        {
            WriteAt(((b.Y + y) * RowBytes) + ((long)b.X * pixels.BytesPerPixel), pixels.RowAt(b.X, b.Y + y, b.Width));
        }
    }

    public void Render(PixelBuffer target)
    {
        PixelRect b = target.Bounds;
        if (WholeRows(target))
        {
            ReadAt(b.Y * RowBytes, target.Data.AsSpan(target.OffsetOf(0, b.Y), checked((int)(b.Height * RowBytes))));
            return;
        }

        for (int y = 0; y < b.Height; y++)
        {
            ReadAt(((b.Y + y) * RowBytes) + ((long)b.X * target.BytesPerPixel), target.RowAt(b.X, b.Y + y, b.Width));
        }
    }

    /// <summary>Whether <paramref name="pixels"/> are whole rows of the level, one after the other: then one read or write moves them all.</summary>
    private bool WholeRows(PixelBuffer pixels) =>
        pixels.Bounds.X == 0 && pixels.Bounds.Width == Width && pixels.Stride == RowBytes && pixels.Bounds.Height * RowBytes <= int.MaxValue;

    /// <summary>Stores <paramref name="bytes"/> (pixels of one row, or whole rows) at byte <paramref name="offset"/> of the level.</summary>
    protected abstract void WriteAt(long offset, ReadOnlySpan<byte> bytes);

    /// <summary>Reads <paramref name="bytes"/> from byte <paramref name="offset"/> of the level.</summary>
    protected abstract void ReadAt(long offset, Span<byte> bytes);

    public abstract void Dispose();

    private sealed class MemoryRaster(int width, int height, PixelFormat format) : RasterStore(width, height, format)
    {
        private readonly byte[] _pixels = GC.AllocateUninitializedArray<byte>(checked(width * height * format.BytesPerPixel()));

        protected override void WriteAt(long offset, ReadOnlySpan<byte> bytes) => bytes.CopyTo(_pixels.AsSpan((int)offset));

        protected override void ReadAt(long offset, Span<byte> bytes) => _pixels.AsSpan((int)offset, bytes.Length).CopyTo(bytes);

        public override void Dispose()
        {
        }
    }

    private sealed class FileRaster : RasterStore
    {
        private readonly SafeFileHandle _handle;

        public FileRaster(int width, int height, PixelFormat format, string directory) : base(width, height, format)
        {
            Directory.CreateDirectory(directory);
            string path = Path.Combine(directory, $"tessera-level-{Guid.NewGuid():N}.raw");
            _handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.DeleteOnClose);
        }

        protected override void WriteAt(long offset, ReadOnlySpan<byte> bytes) => RandomAccess.Write(_handle, bytes, offset);

        protected override void ReadAt(long offset, Span<byte> bytes)
        {
            if (FileReads.ReadAtMost(_handle, bytes, offset) < bytes.Length)
            {
                throw new IOException("The temporary level file is shorter than written.");
            }
        }

        public override void Dispose() => _handle.Dispose();
    }
}
