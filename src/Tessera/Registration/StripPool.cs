namespace Tessera.Registration;

/// <summary>
/// Strip arrays handed back once both pairs that need them are done, and handed out again: a
/// registration then allocates a few rows' worth of strips instead of four arrays per tile, and
/// its memory stays near what it holds instead of following the garbage collector's slack.
/// </summary>
internal sealed class StripPool
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, System.Collections.Concurrent.ConcurrentBag<byte[]>> _free = new();

    private int _made;

    /// <summary>
    /// Arrays made so far. None is ever dropped and one is made only when none of its length is
    /// free: for each length, the most that were out at once, summed over the lengths.
    /// </summary>
    public int Made => Volatile.Read(ref _made);

    public byte[] Rent(int length)
    {
        if (_free.TryGetValue(length, out var bag) && bag.TryTake(out byte[]? array))
        {
            return array;
        }

        Interlocked.Increment(ref _made);
        return new byte[length];
    }

    public void Return(byte[]? array)
    {
        if (array is not null)
        {
            _free.GetOrAdd(array.Length, static _ => []).Add(array);
        }
    }
}
