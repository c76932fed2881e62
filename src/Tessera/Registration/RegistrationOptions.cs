namespace Tessera.Registration;

/// <summary>How <see cref="GridRegistration.Run"/> measures and solves tile positions.</summary>
public sealed record RegistrationOptions
{
    /// <summary>
    /// How far (px, full resolution) a tile may lie from where the nominal grid puts it relative to
    /// its neighbour, in either direction along either axis: the search window of every pair. The
    /// default covers a stage that misses each position by up to ±20 px (±40 between neighbours),
    /// with slack; on the benchmark grids 40 and 48 cost the same.
    /// </summary>
    public int SearchMargin { get; init; } = 48;

    /// <summary>
    /// Decode at 1/<c>DecodeScale</c> (1, 2, 4 or 8) for the correlation; null picks the smallest
    /// image that keeps at least <see cref="MinScaledOverlap"/> px of overlap (JPEG inputs decode
    /// that way without a full decode, through DCT scaling).
    /// </summary>
    public int? DecodeScale { get; init; }

    /// <summary>With <see cref="DecodeScale"/> null: the overlap, in decoded pixels, that the chosen scale must keep.</summary>
    public int MinScaledOverlap { get; init; } = 24;

    /// <summary>
    /// Correlation peaks whose interpretations are checked by normalised cross-correlation. Whitened
    /// strips of weak texture put the true match below several chance peaks of the phase
    /// correlation; 16 found it on the bench sets where 4 did not (photograph median 1.6 → 0.33 px,
    /// spots max 42 → 1.1 px), at no measurable cost in time.
    /// </summary>
    public int Peaks { get; init; } = 16;

    /// <summary>
    /// The significance bar where the grid is too small to learn one from strips that do not
    /// overlap (<see cref="NullModel"/>): a pair whose best score is below this is not trusted.
    /// </summary>
    public double MinCorrelation { get; init; } = 0.5;

    /// <summary>
    /// A strip whose whitened standard deviation (grey levels) is below this is blank: nothing at all
    /// to correlate. Anything above is judged by its significance instead (faint texture whitens to
    /// a few tenths of a grey level).
    /// </summary>
    public double MinTexture { get; init; } = 0.2;

    /// <summary>
    /// Experimental, off by default: after the first solve, search the pairs found not significant
    /// again around the shifts their accepted neighbours predict (<see cref="SecondPass"/>), so
    /// faint content the first pass refuses is partly measured. On synthetic faint-gradient sets it
    /// confirmed 26 pairs of an 8×8 grid (2 wrong, 5.7 and 7.0 px) and 49 of a 24×24 one (6 wrong),
    /// placed at the decode scale only (docs/BENCHMARKS.md, 2026-12-03): not yet good enough to be
    /// the default.
    /// </summary>
    public bool SecondPass { get; init; }

    /// <summary>After the global solve, measured links that disagree with the solution by more than this (px) beyond 3 σ of their own are dropped.</summary>
    public double MaxResidual { get; init; } = 0.1;

    /// <summary>The FFT behind the phase correlation (tests and benchmarks pick one; the CLI leaves it on auto).</summary>
    internal FftBackend Fft { get; init; } = FftBackend.Auto;

    /// <summary>Where to add up the time of each stage (the bench's <c>register</c> command); null times nothing.</summary>
    internal RegistrationTimings? Timings { get; init; }

    /// <summary>Worker threads; 0 for all cores.</summary>
    public int Threads { get; init; }

    internal void Validate()
    {
        if (SearchMargin < 1)
        {
            throw new TesseraException($"The search margin must be at least 1 px (got {SearchMargin}).");
        }

        if (DecodeScale is { } s && s is not (1 or 2 or 4 or 8))
        {
            throw new TesseraException($"The decode scale must be 1, 2, 4 or 8 (got {s}).");
        }

        if (Peaks < 1 || Threads < 0 || MinScaledOverlap < 4 || MaxResidual <= 0)
        {
            throw new TesseraException("Registration options out of range: peaks ≥ 1, threads ≥ 0, min scaled overlap ≥ 4, max residual > 0.");
        }
    }
}
