using Tessera.Registration;

namespace Tessera.Viewer;

/// <summary>A tile's <see cref="TileQuality"/> from the outcomes and uncertainties of its links, as the registration report gives them.</summary>
public static class TileQualityRule
{
    /// <summary>The σ (px) above which the report calls an axis of a link weak.</summary>
    public const double WeakSigma = 1.0;

    public static TileQuality Of(IEnumerable<PairRecord> links)
    {
        bool anyUsed = false, anyRejected = false, anyBridged = false, anySharp = false;
        foreach (PairRecord link in links)
        {
            switch (link.Outcome)
            {
                case PairOutcome.Measured:
                case PairOutcome.Confirmed:
                    anyUsed = true;
                    anySharp |= link.SigmaX <= WeakSigma && link.SigmaY <= WeakSigma;
                    break;
                case PairOutcome.Bridged:
                    anyUsed = anyBridged = true;
                    break;
                default:
                    anyRejected = true;
                    break;
            }
        }

        return !anyUsed ? TileQuality.Model
            : anyRejected ? TileQuality.Rejected
            : anyBridged || !anySharp ? TileQuality.Weak
            : TileQuality.Measured;
    }
}
