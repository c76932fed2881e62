namespace Tessera.Registration;

/// <summary>What the pass over the tiles (<see cref="PairPass"/>) hands to the solve.</summary>
/// <param name="Links">One per neighbour pair with both tiles present, row-major by the second tile, each west pair before its north one.</param>
/// <param name="MissingPairs">Neighbour pairs not tried because one of the two cells has no tile.</param>
/// <param name="WestNoise">What strips that do not overlap score, side by side: the significance bar.</param>
/// <param name="NorthNoise">The same, one above the other.</param>
internal sealed record MeasuredPairs(List<PairLink> Links, int MissingPairs, NullModel WestNoise, NullModel NorthNoise)
{
    /// <summary>Strip arrays the pass made (<see cref="StripPool.Made"/>): the most it held at once, whatever the grid's size.</summary>
    public int StripsMade { get; init; }

    /// <summary>Tiles the pass read: every present tile once, and a band's repeated column again (<see cref="PassBands"/>).</summary>
    public int TilesRead { get; init; }
}
