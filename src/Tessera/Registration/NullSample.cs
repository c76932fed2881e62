namespace Tessera.Registration;

/// <summary>
/// The null models of both directions, and the strips of the tiles they were learnt from, which
/// the pass over the grid takes (<see cref="Take"/>) instead of decoding those tiles a second time.
/// </summary>
internal sealed class NullSample(NullModel west, NullModel north, int[] cells, TileStrips[] strips)
{
    private readonly TileStrips?[] _strips = strips;

    public NullModel West { get; } = west;
    public NullModel North { get; } = north;

    /// <summary>The strips of grid cell <paramref name="cell"/> if it was sampled, handed over once; else null.</summary>
    public TileStrips? Take(int cell)
    {
        int j = Array.IndexOf(cells, cell);
        return j < 0 ? null : Interlocked.Exchange(ref _strips[j], null);
    }
}
