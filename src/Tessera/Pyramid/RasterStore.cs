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
        for (int y = 0; y < b.Height; y++)
        {
            WriteRow(((b.Y + y) * RowBytes) + ((long)b.X * pixels.BytesPerPixel), pixels.RowAt(b.X, b.Y + y, b.Width));
        }
    }

    public void Render(PixelBuffer target)
    {
        PixelRect b = target.Bounds;
        for (int y = 0; y < b.Height; y++)
        {
            ReadRow(((b.Y + y) * RowBytes) + ((long)b.X * target.BytesPerPixel), target.RowAt(b.X, b.Y + y, b.Width));
        }
    }

    protected abstract void WriteRow(long offset, ReadOnlySpan<byte> row);

    protected abstract void ReadRow(long offset, Span<byte> row);

    public abstract void Dispose();

    private sealed class MemoryRaster(int width, int height, PixelFormat format) : RasterStore(width, height, format)
    {
        private readonly byte[] _pixels = GC.AllocateUninitializedArray<byte>(checked(width * height * format.BytesPerPixel()));

        protected override void WriteRow(long offset, ReadOnlySpan<byte> row) => row.CopyTo(_pixels.AsSpan((int)offset));

        protected override void ReadRow(long offset, Span<byte> row) => _pixels.AsSpan((int)offset, row.Length).CopyTo(row);

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

        protected override void WriteRow(long offset, ReadOnlySpan<byte> row) => RandomAccess.Write(_handle, row, offset);

        protected override void ReadRow(long offset, Span<byte> row)
        {
            if (FileReads.ReadAtMost(_handle, row, offset) < row.Length)
            {
                throw new IOException("The temporary level file is shorter than written.");
            }
        }

        public override void Dispose() => _handle.Dispose();
    }
}
