using System.Collections.Concurrent;
using Tessera.Codecs;
using Tessera.Imaging;

namespace Tessera.Compositing;

/// <summary>
/// Decoded input tiles shared between threads, kept exactly as long as a planned render still needs
/// them. Each tile is decoded once per stretch of use: the first thread to ask decodes it while the
/// others wait, and the last planned use frees it. A byte budget caps the memory: past it a tile is
/// dropped after use and decoded again if needed (slower, never wrong).
/// </summary>
internal sealed class DecodedTileCache : IDisposable
{
    private readonly ITileCodec _codec;
    private readonly PixelFormat _format;
    private readonly long _budgetBytes;
    private readonly PixelMemoryPool? _pool;
    private readonly ConcurrentDictionary<int, Entry> _entries = new();
    private int[] _remainingUses = [];
    private long _heldBytes;
    private long _decodes;

    public DecodedTileCache(ITileCodec codec, PixelFormat format, long budgetBytes, PixelMemoryPool? pool)
    {
        _pool = pool;
        _codec = codec;
        _format = format;
        _budgetBytes = budgetBytes;
    }

    /// <summary>Number of tile decodes so far (a tile decoded twice counts twice).</summary>
    public long Decodes => Interlocked.Read(ref _decodes);

    /// <summary>Sets how many more times each tile will be asked for; a tile with no uses left is freed after use.</summary>
    public void SetPlannedUses(int[] usesPerTile) => _remainingUses = usesPerTile;

    /// <summary>
    /// The decoded pixels of tile <paramref name="id"/>, held until the lease is disposed.
    /// <paramref name="validate"/> checks a fresh decode (its size, say) before anyone sees it.
    /// </summary>
    public Lease Acquire(int id, string path, Action<string, PixelBuffer> validate)
    {
        Entry entry = _entries.GetOrAdd(id, static _ => new Entry());
        lock (entry)
        {
            if (entry.Pixels is null)
            {
                PixelBuffer pixels = _codec.Decode(path, _format, _pool);
                try
                {
                    validate(path, pixels);
                }
                catch
                {
                    pixels.Dispose();
                    throw;
                }

                Interlocked.Increment(ref _decodes);
                Interlocked.Add(ref _heldBytes, pixels.Stride * (long)pixels.Height);
                entry.Pixels = pixels;
            }

            entry.Pins++;
            return new Lease(this, id, entry);
        }
    }

    private void Release(int id, Entry entry)
    {
        int remaining = id < _remainingUses.Length ? Interlocked.Decrement(ref _remainingUses[id]) : 0;
        lock (entry)
        {
            entry.Pins--;
            if (entry.Pins > 0 || entry.Pixels is null)
            {
                return;
            }

            bool done = remaining <= 0;
            if (done || Interlocked.Read(ref _heldBytes) > _budgetBytes)
            {
                Interlocked.Add(ref _heldBytes, -(entry.Pixels.Stride * (long)entry.Pixels.Height));
                entry.Pixels.Dispose();
                entry.Pixels = null;
            }

            if (done)
            {
                _entries.TryRemove(new KeyValuePair<int, Entry>(id, entry));
            }
        }
    }

    public void Dispose()
    {
        foreach (Entry entry in _entries.Values)
        {
            lock (entry)
            {
                entry.Pixels?.Dispose();
                entry.Pixels = null;
            }
        }

        _entries.Clear();
    }

    internal sealed class Entry
    {
        public PixelBuffer? Pixels;
        public int Pins;
    }

    /// <summary>A hold on one decoded tile; dispose it once the pixels have been copied.</summary>
    public readonly struct Lease : IDisposable
    {
        private readonly DecodedTileCache _cache;
        private readonly int _id;
        private readonly Entry _entry;

        internal Lease(DecodedTileCache cache, int id, Entry entry)
        {
            _cache = cache;
            _id = id;
            _entry = entry;
        }

        public PixelBuffer Pixels => _entry.Pixels!;

        public void Dispose() => _cache.Release(_id, _entry);
    }
}
