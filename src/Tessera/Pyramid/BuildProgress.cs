namespace Tessera.Pyramid;

/// <summary>Counters a build updates as it goes; safe to read from another thread at any time.</summary>
public sealed class BuildProgress
{
    private long _tilesWritten;
    private long _tilesTotal;

    public long TilesWritten => Interlocked.Read(ref _tilesWritten);
    public long TilesTotal => Interlocked.Read(ref _tilesTotal);

    internal void SetTotal(long total) => Interlocked.Exchange(ref _tilesTotal, total);

    internal void TileWritten() => Interlocked.Increment(ref _tilesWritten);
}
