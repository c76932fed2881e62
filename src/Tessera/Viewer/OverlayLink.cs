using Tessera.Registration;

namespace Tessera.Viewer;

/// <summary>A pair of the report tied to the overlay's tiles: their ids, its outcome's name, and how far the final positions are from its measurement (px).</summary>
internal readonly record struct OverlayLink(int First, int Second, PairRecord Pair, string Outcome, double ResidualX, double ResidualY);
