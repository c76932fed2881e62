using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Tessera.Outputs;

/// <summary>Records appended to a file from a position on, gathered into large writes (a central directory is millions of small records).</summary>
internal sealed class AppendBuffer : IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly byte[] _buffer;
    private long _flushed;
    private int _used;

    public AppendBuffer(SafeFileHandle file, long position, int size)
    {
        _file = file;
        _flushed = position;
        _buffer = ArrayPool<byte>.Shared.Rent(size);
    }

    /// <summary>Where the next record goes in the file.</summary>
    public long Position => _flushed + _used;

    /// <summary>Adds a record of at most <paramref name="maxLength"/> bytes, which <paramref name="write"/> writes and returns the length of.</summary>
    public void Add(int maxLength, SpanWriter write)
    {
        if (_buffer.Length - _used < maxLength)
        {
            Flush();
        }

        _used += write(_buffer.AsSpan(_used, maxLength));
    }

    public delegate int SpanWriter(Span<byte> into);

    public void Flush()
    {
        RandomAccess.Write(_file, _buffer.AsSpan(0, _used), _flushed);
        _flushed += _used;
        _used = 0;
    }

    /// <summary>Writes what is left.</summary>
    public void Dispose()
    {
        Flush();
        ArrayPool<byte>.Shared.Return(_buffer);
    }
}
