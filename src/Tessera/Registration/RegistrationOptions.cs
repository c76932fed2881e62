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

    /// <summary>Correlation peaks whose interpretations are checked by normalised cross-correlation.</summary>
    public int Peaks { get; init; } = 4;

    /// <summary>
    /// A pair whose best normalised cross-correlation (of the high-passed strips) is below this has
    /// no trustworthy texture. Well-textured true overlaps score 0.8–0.97 in the tests; a
    /// textureless or foreign tile's best chance match reached 0.3–0.5.
    /// </summary>
    public double MinCorrelation { get; init; } = 0.5;

    /// <summary>A strip whose high-passed standard deviation (grey levels) is below this is blank.</summary>
    public double MinTexture { get; init; } = 1.0;

    /// <summary>After the global solve, measured links that disagree with the solution by more than this (px) are dropped.</summary>
    public double MaxResidual { get; init; } = 2.0;

    /// <summary>The FFT behind the phase correlation (tests and benchmarks pick one; the CLI leaves it on auto).</summary>
    internal FftBackend Fft { get; init; } = FftBackend.Auto;

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
