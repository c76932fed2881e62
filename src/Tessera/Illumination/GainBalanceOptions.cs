namespace Tessera.Illumination;

/// <summary>How tile gains are measured and solved.</summary>
public sealed record GainBalanceOptions
{
    /// <summary>Worker threads; 0 for all cores.</summary>
    public int Threads { get; init; }

    /// <summary>Decode at 1/Scale (1, 2, 4 or 8); null chooses the coarsest that keeps a dozen samples across the typical overlap.</summary>
    public int? Scale { get; init; }

    /// <summary>
    /// How far gains are expected to stray from 1 (the standard deviation of ln gain): the weak
    /// prior that holds what the overlaps cannot tell (unlinked tiles, drifts over hundreds of tiles).
    /// </summary>
    public double GainSpread { get; init; } = 0.1;

    /// <summary>
    /// How far the flat-field may be expected to leave one side of every tile brighter than the
    /// other (standard deviation, ln units): every pair of one direction then shows the same
    /// ratio, which is solved as one offset per direction rather than as a ramp of gains.
    /// Null solves for no such offset.
    /// </summary>
    public double? SideBias { get; init; } = 0.005;

    /// <summary>The smallest error (ln units) a pair's ratio is trusted to: what JPEG, placement and the flat-field leave.</summary>
    public double PairErrorFloor { get; init; } = 0.002;

    /// <summary>Samples this dark (0–255, before correction) carry no gain: they are left out, as are black tiles.</summary>
    public int Black { get; init; } = 8;

    /// <summary>Samples this bright are (nearly) saturated: clipped, they carry no gain either.</summary>
    public int Saturated { get; init; } = 245;

    /// <summary>
    /// A pair whose per-sample log-ratios spread more than this (robust standard deviation), or more
    /// than <see cref="RelativeSpread"/> times the typical pair's, does not show the same pixels in
    /// both tiles (misplaced, or another specimen) and is not used.
    /// </summary>
    public double MaxSpread { get; init; } = 0.15;

    public double RelativeSpread { get; init; } = 4;

    /// <summary>A pair needs this many usable samples in its overlap to be used.</summary>
    public int MinSamples { get; init; } = 24;

    public void Validate()
    {
        if (Threads < 0)
        {
            throw new TesseraException($"Gain balancing needs a thread count of at least 0 (all cores), not {Threads}.");
        }

        if (Scale is { } s && s is not (1 or 2 or 4 or 8))
        {
            throw new TesseraException($"Gain balancing decodes at 1/1, 1/2, 1/4 or 1/8 scale, not 1/{s}.");
        }

        if (!(GainSpread > 0) || !double.IsFinite(GainSpread) || SideBias is <= 0 || !(PairErrorFloor > 0))
        {
            throw new TesseraException("Gain balancing needs a positive spread of gains, side bias and pair error floor.");
        }
    }
}
