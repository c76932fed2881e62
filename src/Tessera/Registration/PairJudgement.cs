using System.Diagnostics;

namespace Tessera.Registration;

/// <summary>
/// Turns what the aligner found for a pair into a link: significant or not (against the tile set's
/// <see cref="NullModel"/>), one match or several, and how sure each axis is.
/// </summary>
internal static class PairJudgement
{
    /// <summary>A distinct match scoring this close to the best makes the pair ambiguous.</summary>
    private const double AmbiguousRatio = 0.85;

    /// <summary>What the subpixel step itself may be off by, decoded px (JPEG, interpolation): the floor of every uncertainty.</summary>
    private const double MethodSigma = 0.02;

    /// <summary>
    /// How far (decoded px) the subpixel peak may lie from the correlation's whole-pixel maximum
    /// before the two are taken to disagree. A whole-pixel maximum is at most half a pixel from a
    /// true peak; less than that here, since the pairs whose subpixel step went furthest were the
    /// wrong ones (8×8 sets, 376 pairs used: 19 of 27 pairs off by over 1 px had the step at its
    /// reach of 1.14 px, 2 of 337 right ones).
    /// </summary>
    private const double AgreedSubpixel = 0.3;

    /// <summary>
    /// A subpixel step this long (decoded px) or longer went to its reach (1.14 px): the upsampled
    /// correlation rose to the edge of its grid, so there is no peak near the whole-pixel maximum
    /// on that axis, and a broad fall of the score there (<see cref="StripMeasurement.BroadX"/>)
    /// does not locate it (8×8 illustration set: 4_7–5_7, a ridge 3.9 px off along its length).
    /// </summary>
    public const double SubpixelReach = 1.0;

    /// <summary>
    /// The uncertainty of an axis along a ridge, as a fraction of the search margin: a pair whose
    /// peak is sharp on one axis still says roughly where the other lies, and that is far better
    /// than the stage model, which on a jittered stage is off by up to the jitter of both tiles.
    /// </summary>
    private const double RidgeFraction = 0.25;

    /// <summary>
    /// The σ (px) within which a pair must locate one axis to count as measured. A peak whose own
    /// curvatures locate an axis to a pixel can still, at a slant, leave both axes unsure by
    /// several (8×8 photograph s6, 6_4–6_5: σ (1.05, 12) from the axes, (2.83, 12) with the slant,
    /// 16 px off; s7, 4_2–5_2: 0.93 → 5.75, 11 px off): the solve then keeps it as a weak link
    /// within its 3 σ. Refused, it may still join a group of tiles that has no other link
    /// (<see cref="WeakBridges"/>).
    /// </summary>
    private const double LocatedSigma = 2;

    /// <summary>
    /// A best score from which a pair's remaining correlation peaks need not be checked: a distinct
    /// match that made it ambiguous would have to score within <see cref="AmbiguousRatio"/> of it,
    /// that is 3 σ above the best that any of the tile set's non-overlapping pairs scored. Where
    /// chance matches score high (a repetitive pattern) this lies above 1 and every peak is checked.
    /// </summary>
    public static double ClearlySignificant(NullModel noise) =>
        noise.Pairs > 0 ? (noise.Threshold + (3 * noise.Noise)) / AmbiguousRatio : double.PositiveInfinity;

    /// <param name="g">The geometry of the strips <paramref name="m"/>'s shift and curvature were measured on.</param>
    /// <param name="scoreNoise">The null model's score noise at that geometry's scale.</param>
    public static PairLink Judge(int first, int second, PairDirection direction, StripMeasurement m, NullModel noise, double scoreNoise, StripGeometry g, int searchMargin)
    {
        bool west = direction == PairDirection.West;
        var (dx, dy) = west ? g.WestOffset(m.Tx, m.Ty) : g.NorthOffset(m.Tx, m.Ty);
        if (m.Blank)
        {
            return new PairLink(first, second, direction, dx, dy, 0, PairOutcome.Blank);
        }

        // A best shift on the search window's edge is no peak: a true one lies inside (the window
        // is wider than the stage strays), a chance one of small overlaps climbs to the edge.
        if (m.AtWindowEdge)
        {
            return new PairLink(first, second, direction, dx, dy, m.Score, PairOutcome.LowCorrelation);
        }

        bool significant = m.Score > noise.Threshold;
        if (Ambiguous(m))
        {
            return new PairLink(first, second, direction, dx, dy, m.Score, significant ? PairOutcome.Ambiguous : PairOutcome.LowCorrelation);
        }

        // The score's own noise shrinks as the match gets better (the variance of a sample
        // correlation goes with (1 − ρ²)²); a peak is located to about that noise over its
        // curvature; where the curvature is within the noise (a ridge) only coarsely, and where
        // both axes are, not at all (a chance match of smooth content). A pair below the bar keeps
        // its σ too: it may yet be the only link to a group of tiles (<see cref="WeakBridges"/>).
        double noiseHere = NoiseAt(m.Score, scoreNoise);
        if (Ridge(m.CurvatureX, noiseHere) && Ridge(m.CurvatureY, noiseHere))
        {
            return new PairLink(first, second, direction, dx, dy, m.Score, PairOutcome.LowCorrelation);
        }

        double disagreement = Disagreement(m);
        float ownAcross = Sigma(m.CurvatureX, m.BroadX, m.SubpixelX, noiseHere, g.Scale, searchMargin, disagreement);
        float ownAlong = Sigma(m.CurvatureY, m.BroadY, m.SubpixelY, noiseHere, g.Scale, searchMargin, disagreement);
        var (across, along) = Slanted(m, ownAcross, ownAlong, searchMargin);
        var (sx, sy) = west ? (across, along) : (along, across);
        PairOutcome outcome = significant && LocatesAnAxis(across, along) ? PairOutcome.Measured : PairOutcome.LowCorrelation;
        return new PairLink(first, second, direction, dx, dy, m.Score, outcome, sx, sy);
    }

    /// <summary>
    /// Which axes' broad fall (<see cref="StripMeasurement.BroadX"/>, <see cref="StripMeasurement.BroadY"/>)
    /// <see cref="Judge"/> reads at this score noise: an axis on a ridge whose other axis is not, its
    /// subpixel step short of its reach, on a pair not decided without a σ (blank, at the window's
    /// edge, ambiguous). Only there does the aligner measure it (12 scores an axis): on the 8×8 photograph
    /// set of registration-quality.sh 19 of the 112 pairs read one, on its spots set none.
    /// </summary>
    /// <param name="scoreNoise">The score noise <see cref="Judge"/> will be given for this measurement.</param>
    public static (bool X, bool Y) ReadsBroad(StripMeasurement m, double scoreNoise)
    {
        if (m.Blank || m.AtWindowEdge || Ambiguous(m))
        {
            return (false, false);
        }

        double noiseHere = NoiseAt(m.Score, scoreNoise);
        bool ridgeX = Ridge(m.CurvatureX, noiseHere), ridgeY = Ridge(m.CurvatureY, noiseHere);
        return (ridgeX && !ridgeY && !Reached(m.SubpixelX), ridgeY && !ridgeX && !Reached(m.SubpixelY));
    }

    /// <summary>
    /// The score noise at a match of <paramref name="score"/>, given one shift's noise on pairs that do not
    /// overlap: a sample correlation's spread shrinks with (1 − ρ²), ρ held below 0.97 so a near-perfect
    /// match keeps some.
    /// </summary>
    public static double NoiseAt(double score, double noise)
    {
        double r = Math.Min(score, 0.97);
        return noise * (1 - (r * r));
    }

    /// <summary>Whether an axis with uncertainty <paramref name="sigma"/> was located by its peak, not only along a ridge.</summary>
    public static bool Located(float sigma, int searchMargin) => sigma < RidgeSigma(searchMargin);

    /// <summary>The uncertainty given an axis measured only along a ridge, px.</summary>
    public static double RidgeSigma(int searchMargin) => (float)(RidgeFraction * searchMargin);

    /// <summary>
    /// Whether a pair's σ, slant included, locates some axis to within <see cref="LocatedSigma"/>;
    /// a pair that locates neither is not counted as measured.
    /// </summary>
    private static bool LocatesAnAxis(float across, float along) => Math.Min(across, along) <= LocatedSigma;

    private static bool Ambiguous(StripMeasurement m) => m.Competitor >= AmbiguousRatio * m.Score;

    /// <summary>An axis whose one-pixel curvature is within the score's noise: the peak is a ridge along it.</summary>
    private static bool Ridge(double curvature, double noiseHere) => curvature <= noiseHere;

    private static bool Reached(double subpixel) => Math.Abs(subpixel) >= SubpixelReach;

    /// <summary>
    /// Each axis's σ where the peak runs at a slant to the axes: its own, and what the other axis's
    /// uncertainty moves it by along the slant. With the score near the peak −½(a·x² + 2b·xy + c·y²),
    /// the best x for a given y lies at −(b/a)·y, so an uncertainty σy along moves the match by
    /// (b/a)·σy across, and σx by (b/c) along. An axis's own curvature says how sure it is only where
    /// the peak runs with the axes (b = 0); a ridge at a slant falls steeply along both axes yet
    /// hardly at all along itself (8×8 illustration s6, 5_7–6_7: a ridge sloping about −0.3 px in y
    /// a pixel in x, scored 0.93 at 10 px from the truth, where it scores 0.80, with σ (0.85, 0.63)
    /// px from the axes alone; the solve kept it and dropped the right link beside it). Whether the
    /// pair is located at all is still asked of the axes' own curvatures: a slanted ridge locates
    /// the direction across it.
    /// </summary>
    private static (float Across, float Along) Slanted(StripMeasurement m, float across, float along, int searchMargin)
    {
        double a = m.CurvatureX, c = m.CurvatureY, b = m.CurvatureXY, ridge = RidgeFraction * searchMargin;
        if (b == 0 || a <= 0 || c <= 0)
        {
            return (across, along);
        }

        double slantedAcross = Math.Sqrt((across * across) + Math.Pow(b / a * along, 2));
        double slantedAlong = Math.Sqrt((along * along) + Math.Pow(b / c * across, 2));
        return ((float)Math.Min(slantedAcross, ridge), (float)Math.Min(slantedAlong, ridge));
    }

    /// <summary>
    /// How far (decoded px) the subpixel peak lies beyond <see cref="AgreedSubpixel"/> from the
    /// correlation's whole-pixel maximum, on the axis where it lies furthest. The peak is one point:
    /// where the two methods disagree on one axis, the match they located is not the true peak on
    /// either (a peak found off along one axis of a tilted ridge is off along the other too).
    /// </summary>
    private static double Disagreement(StripMeasurement m) =>
        Math.Max(0, Math.Max(Math.Abs(m.SubpixelX), Math.Abs(m.SubpixelY)) - AgreedSubpixel);

    /// <summary>
    /// An axis's σ: the score's noise over its curvature at the peak. Along a ridge (the one-pixel
    /// curvature within the noise) the same over how the score falls over a few pixels, where it
    /// does and the subpixel step found a peak there; else a quarter of the search margin. The
    /// ridge links of the 8×8 photograph set are right along their length to 0.17 px rms; at a
    /// fixed 12 px they could not outvote one wrong match beside them (a group of six tiles 6 px off).
    /// </summary>
    private static float Sigma(double curvature, double broad, double subpixel, double scoreNoise, int scale, int searchMargin, double disagreement)
    {
        double ridge = RidgeFraction * searchMargin;
        if (Ridge(curvature, scoreNoise))
        {
            if (Reached(subpixel))
            {
                return (float)ridge;
            }

            Debug.Assert(!double.IsNaN(broad), "a broad fall read that ReadsBroad said was not");
            if (broad <= scoreNoise)
            {
                return (float)ridge;
            }

            curvature = broad;
        }

        double sigma = scale * Math.Sqrt(Math.Pow(scoreNoise / curvature, 2) + (MethodSigma * MethodSigma) + (disagreement * disagreement));
        return (float)Math.Min(sigma, ridge);
    }
}
