namespace Tessera.Pyramid;

/// <summary>Counters a build updates as it goes; safe to read from another thread at any time.</summary>
public sealed class BuildProgress
{
    private long _tilesWritten;
    private long _tilesTotal;
    private long _blankTiles;

    /// <summary>Tiles done, written or (with skip-blank) left out.</summary>
    public long TilesWritten => Interlocked.Read(ref _tilesWritten);

    /// <summary>Tiles left out because they were blank.</summary>
    public long BlankTiles => Interlocked.Read(ref _blankTiles);
    public long TilesTotal => Interlocked.Read(ref _tilesTotal);

    /// <summary>The neighbour pairs of a registering build, measured before any tile is built.</summary>
    public WorkProgress Registration { get; } = new();

    /// <summary>The tiles read to measure their gains, before any tile is built.</summary>
    public WorkProgress Gains { get; } = new();

    internal void SetTotal(long total) => Interlocked.Exchange(ref _tilesTotal, total);

    internal void TileWritten() => Interlocked.Increment(ref _tilesWritten);

    internal void TileSkipped()
    {
        Interlocked.Increment(ref _blankTiles);
        Interlocked.Increment(ref _tilesWritten);
    }
}
