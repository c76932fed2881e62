namespace Tessera.Illumination;

/// <summary>How tile gains are measured and solved.</summary>
public sealed record GainBalanceOptions
{
    /// <summary>Worker threads; 0 for all cores.</summary>
    public int Threads { get; init; }

    /// <summary>Decode at 1/Scale (1, 2, 4 or 8); null chooses the coarsest that keeps a dozen samples across the typical overlap.</summary>
    public int? Scale { get; init; }

    /// <summary>
    /// How strongly each log-gain is pulled towards 0 (gain 1), against links of weight about 1:
    /// weak, so it only holds what the overlaps cannot tell (unlinked tiles, drifts over hundreds of tiles).
    /// </summary>
    public double Pull { get; init; } = 1e-3;

    /// <summary>Samples this dark (0–255, before correction) carry no gain: they are left out, as are black tiles.</summary>
    public int Black { get; init; } = 8;

    /// <summary>Samples this bright are (nearly) saturated: clipped, they carry no gain either.</summary>
    public int Saturated { get; init; } = 245;

    /// <summary>
    /// A pair whose per-sample log-ratios spread more than this (robust standard deviation) does not
    /// show the same pixels in both tiles (misplaced, or another specimen) and is not used.
    /// </summary>
    public double MaxSpread { get; init; } = 0.15;

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

        if (!(Pull > 0) || !double.IsFinite(Pull))
        {
            throw new TesseraException($"Gain balancing needs a positive pull towards 1, not {Pull}.");
        }
    }
}
