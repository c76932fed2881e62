namespace Tessera;

/// <summary>How far one stage of work has got (pairs measured, tiles read): updated by the engine, safe to read from any thread.</summary>
public sealed class WorkProgress
{
    private long _done;
    private long _total;

    public long Done => Interlocked.Read(ref _done);

    /// <summary>Units of work in the stage; 0 until the stage has started.</summary>
    public long Total => Interlocked.Read(ref _total);

    internal void Start(long total)
    {
        Interlocked.Exchange(ref _done, 0);
        Interlocked.Exchange(ref _total, total);
    }

    internal void Advance() => Interlocked.Increment(ref _done);
}
