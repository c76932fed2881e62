namespace Tessera.Registration;

/// <summary>
/// Strip arrays handed back once both pairs that need them are done, and handed out again: a
/// registration then allocates a few rows' worth of strips instead of four arrays per tile, and
/// its memory stays near what it holds instead of following the garbage collector's slack.
/// </summary>
internal sealed class StripPool
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, System.Collections.Concurrent.ConcurrentBag<byte[]>> _free = new();

    public byte[] Rent(int length) =>
        _free.TryGetValue(length, out var bag) && bag.TryTake(out byte[]? array) ? array : new byte[length];

    public void Return(byte[]? array)
    {
        if (array is not null)
        {
            _free.GetOrAdd(array.Length, static _ => []).Add(array);
        }
    }
}
