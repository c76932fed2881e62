namespace Tessera.Imaging;

/// <summary>
/// Reuses the large arrays behind pixel buffers for the length of one build. Blocks and decoded
/// tiles are tens of megabytes and come and go thousands of times; allocating each afresh makes the
/// runtime map, zero and unmap that memory every time (seen as most of the system time before this
/// pool). The pool holds at most what was in use at once, so it does not raise the peak.
/// </summary>
public sealed class PixelMemoryPool
{
    /// <summary>An array is handed out for a request at most this many times smaller, so a tile never pins a block's array.</summary>
    private const int MaxOversize = 2;

    private readonly List<byte[]> _free = [];
    private readonly int _maxFree;
    private long _bytes; // of the arrays this pool made and still has or has handed out
    private long _peakBytes;

    public PixelMemoryPool(int maxFreeArrays = 256) => _maxFree = maxFreeArrays;

    /// <summary>
    /// The most bytes the pool's arrays took at once, those in use and those kept free for reuse:
    /// the pixel memory of what used it (a build's blocks and decoded tiles), as the process holds it.
    /// </summary>
    public long PeakBytes => Interlocked.Read(ref _peakBytes);

    /// <summary>An array of at least <paramref name="length"/> bytes, with unspecified contents.</summary>
    public byte[] Rent(int length)
    {
        lock (_free)
        {
            int i = FirstAtLeast(length);
            if (i < _free.Count && _free[i].Length / MaxOversize <= length)
            {
                byte[] array = _free[i];
                _free.RemoveAt(i);
                return array;
            }
        }

        long bytes = Interlocked.Add(ref _bytes, length);
        for (long peak = Interlocked.Read(ref _peakBytes); bytes > peak; peak = Interlocked.Read(ref _peakBytes))
        {
            if (Interlocked.CompareExchange(ref _peakBytes, bytes, peak) == peak)
            {
                break;
            }
        }

        return GC.AllocateUninitializedArray<byte>(length);
    }

    public void Return(byte[] array)
    {
        lock (_free)
        {
            if (_free.Count < _maxFree)
            {
                _free.Insert(FirstAtLeast(array.Length), array);
                return;
            }
        }

        Interlocked.Add(ref _bytes, -array.Length);
    }

    /// <summary>Lets go of the arrays kept for reuse (those handed out stay theirs): for when the work that used them is over.</summary>
    public void ReleaseFree()
    {
        lock (_free)
        {
            foreach (byte[] array in _free)
            {
                Interlocked.Add(ref _bytes, -array.Length);
            }

            _free.Clear();
        }
    }

    /// <summary>Index of the first free array (sorted by length) of at least <paramref name="length"/> bytes.</summary>
    private int FirstAtLeast(int length)
    {
        int lo = 0, hi = _free.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_free[mid].Length < length)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
