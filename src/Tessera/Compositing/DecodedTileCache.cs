using System.Collections.Concurrent;
using Tessera.Codecs;
using Tessera.Imaging;

namespace Tessera.Compositing;

/// <summary>
/// Decoded input tiles shared between threads, kept while a planned render soon needs them again.
/// The first thread to ask for a tile decodes it while the others wait. After each use the plan
/// says when the tile is next needed: within the lookahead, and in the same band of renders, it
/// stays; later, in a later band, or never, it is freed and decoded again when the time comes,
/// so what is held depends on the lookahead and a band's width, not on the size of the grid. A
/// byte budget caps the memory as well (slower past it, never wrong).
/// A tile used only by renders that follow each other down a strip (the bands of one block) is
/// not kept at all but streamed: decoded once, top to bottom, each render's rows straight into
/// that render (see <see cref="TryStreamInto"/>).
/// </summary>
internal sealed class DecodedTileCache : IDisposable
{
    private readonly ITileCodec _codec;
    private readonly PixelFormat _format;
    private readonly long _budgetBytes;
    private readonly PixelMemoryPool? _pool;
    private readonly ITileCorrection? _correction;
    private readonly ConcurrentDictionary<int, Entry> _entries = new();
    private readonly ConcurrentDictionary<int, StreamEntry> _streams = new();
    private bool[] _streamable = [];
    private int[] _useStarts = [];
    private int[] _uses = [];
    private int[] _usesDone = [];
    private int[] _bands = [];
    private int _lookahead;
    private long _heldBytes;
    private long _decodes;

    public DecodedTileCache(ITileCodec codec, PixelFormat format, long budgetBytes, PixelMemoryPool? pool, ITileCorrection? correction = null)
    {
        _correction = correction;
        _pool = pool;
        _codec = codec;
        _format = format;
        _budgetBytes = budgetBytes;
    }

    /// <summary>Number of tile decodes so far (a tile decoded twice counts twice).</summary>
    public long Decodes => Interlocked.Read(ref _decodes);

    /// <summary>
    /// Sets the plan: tile t is used by renders <c>uses[starts[t]..starts[t+1]]</c> (render indices in
    /// order), and may be streamed where <paramref name="streamable"/> says so. Where
    /// <paramref name="bands"/> gives each render's band, a tile is kept only for a use in the
    /// same band. Without a plan every tile is freed after each use.
    /// </summary>
    public void SetPlan(int[] starts, int[] uses, int lookahead, bool[]? streamable = null, int[]? bands = null)
    {
        _useStarts = starts;
        _uses = uses;
        _usesDone = new int[starts.Length - 1];
        _streamable = streamable ?? [];
        _bands = bands ?? [];
        _lookahead = lookahead;
    }

    /// <summary>
    /// Sets the plan from the renders to come: <paramref name="tilesOf"/> lists the tiles (ids below
    /// <paramref name="tileCount"/>) each render will acquire, once each. <paramref name="bands"/>,
    /// where given, is each render's band (see <see cref="Imaging.IPixelSource.Plan"/>).
    /// </summary>
    public void SetPlan(int tileCount, IReadOnlyList<PixelRect> renders, Action<PixelRect, List<int>> tilesOf, int lookahead,
        IReadOnlyList<int>? bands = null)
    {
        if (bands is not null && bands.Count != renders.Count)
        {
            throw new ArgumentException($"The plan has {renders.Count} renders and {bands.Count} bands.", nameof(bands));
        }

        // Which renders use each tile, in render order, as one flat list per tile (CSR layout).
        var starts = new int[tileCount + 1];
        var tiles = new List<int>();
        foreach (PixelRect render in renders)
        {
            tilesOf(render, tiles);
            foreach (int tile in tiles)
            {
                starts[tile + 1]++;
            }
        }

        for (int i = 0; i < tileCount; i++)
        {
            starts[i + 1] += starts[i];
        }

        var uses = new int[starts[tileCount]];
        var filled = new int[tileCount];
        for (int render = 0; render < renders.Count; render++)
        {
            tilesOf(renders[render], tiles);
            foreach (int tile in tiles)
            {
                uses[starts[tile] + filled[tile]++] = render;
            }
        }

        // A tile all of whose renders follow each other, each the strip of the one before continued
        // down, is read top to bottom by one render after the other: it can be streamed.
        var streamable = new bool[tileCount];
        for (int tile = 0; tile < tileCount; tile++)
        {
            bool strip = starts[tile + 1] - starts[tile] >= 2;
            for (int i = starts[tile] + 1; strip && i < starts[tile + 1]; i++)
            {
                PixelRect above = renders[uses[i - 1]], below = renders[uses[i]];
                strip = uses[i] == uses[i - 1] + 1 && below.X == above.X && below.Width == above.Width && below.Y == above.Bottom;
            }

            streamable[tile] = strip;
        }

        SetPlan(starts, uses, lookahead, streamable, bands?.ToArray());
    }

    /// <summary>
    /// Decodes <paramref name="part"/> of tile <paramref name="id"/> (in the tile's coordinates)
    /// straight into <paramref name="target"/> at (<paramref name="atX"/>, <paramref name="atY"/>),
    /// bypassing the cache, where that is as good as going through it: the plan has one render for
    /// the tile (or there is no plan, so nothing is kept anyway), no correction is to be applied,
    /// and the codec can decode parts of this file (see <see cref="IRegionDecoder"/>). False, with
    /// nothing written, otherwise: acquire the tile instead.
    /// </summary>
    public bool TryDecodeInto(int id, string path, int width, int height, PixelRect part, PixelBuffer target, int atX, int atY)
    {
        bool usedOnce = _useStarts.Length == 0 || (id < _usesDone.Length && _useStarts[id + 1] - _useStarts[id] == 1);
        if (!usedOnce || _correction is not null || _codec is not IRegionDecoder regions
            || !regions.TryDecodeRegion(path, width, height, part, target, atX, atY))
        {
            return false;
        }

        Interlocked.Increment(ref _decodes);
        return true;
    }

    /// <summary>
    /// Writes <paramref name="part"/> of tile <paramref name="id"/> (in the tile's coordinates) into
    /// <paramref name="target"/> at (<paramref name="atX"/>, <paramref name="atY"/>) from the tile's
    /// stream, if the plan lets it be streamed: its renders follow each other down a strip, so each
    /// asks for rows below the last. The stream decodes <paramref name="used"/>, the part of the tile
    /// any render reads, once, and ends after the last planned render. Where the tile is not
    /// streamed (or its renders come out of order after all, so the stream gives up), nothing is
    /// written and the caller acquires the tile instead; <see cref="StreamResult.Busy"/>, with
    /// <paramref name="wait"/> false, while another thread reads the stream.
    /// </summary>
    public StreamResult TryStreamInto(int id, string path, int width, int height, PixelRect used, PixelRect part,
        PixelBuffer target, int atX, int atY, bool wait)
    {
        if (id >= _streamable.Length || !_streamable[id] || _correction is not null || _codec is not IRegionDecoder regions)
        {
            return StreamResult.NotStreamed;
        }

        StreamEntry entry = _streams.GetOrAdd(id, static _ => new StreamEntry());
        bool taken = false;
        try
        {
            Lock(entry, wait, ref taken);
            if (!taken)
            {
                return StreamResult.Busy;
            }

            if (entry.GaveUp)
            {
                return StreamResult.NotStreamed;
            }

            if (entry.Stream is null)
            {
                entry.Stream = regions.TryOpenRegionStream(path, width, height, used, _format);
                if (entry.Stream is null)
                {
                    entry.GaveUp = true;
                    return StreamResult.NotStreamed;
                }

                Interlocked.Increment(ref _decodes);
            }

            if (part.Y < entry.Stream.NextRow)
            {
                entry.End(gaveUp: true);
                return StreamResult.NotStreamed;
            }

            try
            {
                entry.Stream.Read(part, target, atX, atY);
            }
            catch
            {
                entry.End(gaveUp: true);
                throw;
            }

            // Counted with the cached uses, so that a tile whose stream gave up is freed on time there.
            if (Interlocked.Increment(ref _usesDone[id]) >= _useStarts[id + 1] - _useStarts[id])
            {
                entry.End(gaveUp: false);
                _streams.TryRemove(new KeyValuePair<int, StreamEntry>(id, entry));
            }

            return StreamResult.Written;
        }
        finally
        {
            if (taken)
            {
                Monitor.Exit(entry);
            }
        }
    }

    /// <summary>Whether tile <paramref name="id"/>, just used, is needed again within the lookahead, in the same band.</summary>
    private bool NeededSoon(int id)
    {
        if (id >= _usesDone.Length)
        {
            return false;
        }

        int done = Interlocked.Increment(ref _usesDone[id]);
        int start = _useStarts[id], count = _useStarts[id + 1] - start;
        if (done >= count)
        {
            return false;
        }

        int next = _uses[start + done], last = _uses[start + done - 1];
        return next - last <= _lookahead && (_bands.Length == 0 || _bands[next] == _bands[last]);
    }

    /// <summary>
    /// The decoded pixels of tile <paramref name="id"/>, held until the lease is disposed.
    /// <paramref name="validate"/> checks a fresh decode (its size, say) before anyone sees it.
    /// With <paramref name="used"/>, only that part of the tile is ever read, so only it needs decoding
    /// where the codec can do that; the rest of the buffer is then undefined.
    /// </summary>
    public Lease Acquire(int id, string path, Action<int, string, PixelBuffer> validate, UsedPart? used = null)
    {
        Get(id, path, validate, used, wait: true, out Lease lease);
        return lease;
    }

    /// <summary>
    /// As <see cref="Acquire"/>, but false at once, instead of waiting, while another thread holds the
    /// tile's entry (decoding it, most likely): the caller can do other work and come back.
    /// </summary>
    public bool TryAcquire(int id, string path, Action<int, string, PixelBuffer> validate, UsedPart? used, out Lease lease) =>
        Get(id, path, validate, used, wait: false, out lease);

    private bool Get(int id, string path, Action<int, string, PixelBuffer> validate, UsedPart? used, bool wait, out Lease lease)
    {
        while (true)
        {
            Entry entry = _entries.GetOrAdd(id, static _ => new Entry());
            bool taken = false;
            try
            {
                Lock(entry, wait, ref taken);
                if (!taken)
                {
                    lease = default;
                    return false;
                }

                if (entry.Removed)
                {
                    continue; // freed by another thread between the lookup and the lock
                }

                if (entry.Pixels is null)
                {
                    PixelBuffer pixels = DecodeUsed(path, used) ?? _codec.Decode(path, _format, _pool);
                    try
                    {
                        validate(id, path, pixels);
                        _correction?.Apply(pixels, id);
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
                lease = new Lease(this, id, entry);
                return true;
            }
            finally
            {
                if (taken)
                {
                    Monitor.Exit(entry);
                }
            }
        }
    }

    /// <summary>Takes <paramref name="gate"/>'s lock, waiting for it or only if it is free; <paramref name="taken"/> says whether it was.</summary>
    private static void Lock(object gate, bool wait, ref bool taken)
    {
        if (wait)
        {
            Monitor.Enter(gate, ref taken);
        }
        else
        {
            Monitor.TryEnter(gate, ref taken);
        }
    }

    /// <summary>The used part of the tile in a whole-size buffer; null where only a whole decode will do.</summary>
    private PixelBuffer? DecodeUsed(string path, UsedPart? used)
    {
        if (used is not { } u || _codec is not IRegionDecoder regions)
        {
            return null;
        }

        var pixels = new PixelBuffer(new PixelRect(0, 0, u.Width, u.Height), _format, _pool);
        try
        {
            if (regions.TryDecodeRegion(path, u.Width, u.Height, u.Part, pixels, u.Part.X, u.Part.Y))
            {
                return pixels;
            }
        }
        catch
        {
            pixels.Dispose();
            throw;
        }

        pixels.Dispose();
        return null;
    }

    private void Release(int id, Entry entry)
    {
        bool keep = NeededSoon(id);
        lock (entry)
        {
            entry.Pins--;
            if (entry.Pins > 0 || entry.Pixels is null)
            {
                return;
            }

            if (!keep || Interlocked.Read(ref _heldBytes) > _budgetBytes)
            {
                Interlocked.Add(ref _heldBytes, -(entry.Pixels.Stride * (long)entry.Pixels.Height));
                entry.Pixels.Dispose();
                entry.Pixels = null;
                entry.Removed = true;
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
        foreach (StreamEntry entry in _streams.Values)
        {
            lock (entry)
            {
                entry.End(gaveUp: true);
            }
        }

        _streams.Clear();
    }

    /// <summary>The part of a <paramref name="Width"/>×<paramref name="Height"/> tile that its renders read, in the tile's coordinates.</summary>
    public readonly record struct UsedPart(int Width, int Height, PixelRect Part);

    /// <summary>What <see cref="TryStreamInto"/> did.</summary>
    public enum StreamResult
    {
        /// <summary>The part is in the target.</summary>
        Written,

        /// <summary>Another thread is reading the tile's stream; nothing was written.</summary>
        Busy,

        /// <summary>The tile is not streamed; nothing was written: acquire it.</summary>
        NotStreamed,
    }

    private sealed class StreamEntry
    {
        public IRegionStream? Stream;
        public bool GaveUp;

        public void End(bool gaveUp)
        {
            Stream?.Dispose();
            Stream = null;
            GaveUp |= gaveUp;
        }
    }

    internal sealed class Entry
    {
        public PixelBuffer? Pixels;
        public int Pins;
        public bool Removed;
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
