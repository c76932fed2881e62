namespace Tessera.Registration;

/// <summary>What the pass over the tiles (<see cref="PairPass"/>) hands to the solve.</summary>
/// <param name="Links">One per neighbour pair with both tiles present, row-major by the second tile, each west pair before its north one.</param>
/// <param name="MissingPairs">Neighbour pairs not tried because one of the two cells has no tile.</param>
/// <param name="WestNoise">What strips that do not overlap score, side by side: the significance bar.</param>
/// <param name="NorthNoise">The same, one above the other.</param>
internal sealed record MeasuredPairs(List<PairLink> Links, int MissingPairs, NullModel WestNoise, NullModel NorthNoise);
