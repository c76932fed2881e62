namespace Tessera.Registration;

/// <summary>The parts of a registration that <see cref="RegistrationTimings"/> times apart.</summary>
internal enum RegistrationStage
{
    /// <summary>Decoding tiles at the decode scale (and the box mean where the codec cannot scale).</summary>
    DecodeReduced,

    /// <summary>Decoding the parts of tiles that subpixel refinement reads at full resolution.</summary>
    DecodeFull,

    /// <summary>Copying the edge strips out of a decoded tile.</summary>
    Extract,

    /// <summary>Whitening strips at the decode scale.</summary>
    Whiten,

    /// <summary>The phase correlation: windowing, forward FFT, cross-power, inverse FFT.</summary>
    PhaseCorrelate,

    /// <summary>Finding the correlation surface's strongest peaks.</summary>
    Peaks,

    /// <summary>Scoring each peak's interpretations by normalised cross-correlation and climbing to the best.</summary>
    Candidates,

    /// <summary>Curvature and competitor of the best shift.</summary>
    Judge,

    /// <summary>Whitening strips at full resolution.</summary>
    WhitenFull,

    /// <summary>Climbing the score at full resolution from the shift found at the decode scale.</summary>
    ClimbFull,

    /// <summary>The cross-power spectrum of the overlap patches (windowing and FFT) for subpixel refinement.</summary>
    RefineSpectrum,

    /// <summary>The upsampled-DFT search of the cross-power peak.</summary>
    Upsample,

    /// <summary>The gains' ratios over each pair's overlap, and their solve.</summary>
    Gains,

    /// <summary>Strips of tiles that do not overlap, for the null distribution (decodes included).</summary>
    NullDistribution,

    /// <summary>The stage models, weak bridges and the global solve.</summary>
    Solve,
}
