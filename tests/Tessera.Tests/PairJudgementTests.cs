using Tessera.Registration;
using Xunit;

namespace Tessera.Tests;

/// <summary>How sure a pair's link says it is, from what the aligner measured.</summary>
public sealed class PairJudgementTests
{
    private static readonly StripGeometry Geometry = new(192, 160, 64, 56, 1, 48);
    private static readonly NullModel Noise = new(0.5, 0.05, 40);

    private static PairLink Judge(double subpixelX, double subpixelY) =>
        PairJudgement.Judge(0, 1, PairDirection.West,
            new StripMeasurement(false, Geometry.NominalTx + subpixelX, subpixelY, 0.9, 0.1, 0.1, -1, false, subpixelX, subpixelY),
            Noise, Noise.Noise, Geometry, 48);

    [Fact]
    public void A_subpixel_step_that_agrees_with_the_whole_pixel_maximum_leaves_both_axes_sure()
    {
        PairLink link = Judge(0.2, -0.25);
        Assert.Equal(PairOutcome.Measured, link.Outcome);
        Assert.InRange(link.SigmaX, 0.05, 0.15);
        Assert.InRange(link.SigmaY, 0.05, 0.15);
    }

    [Theory]
    [InlineData(1.14, 0)]
    [InlineData(0, -1.14)]
    public void A_subpixel_step_at_its_reach_on_one_axis_makes_both_axes_unsure(double subpixelX, double subpixelY)
    {
        // The peak is one point: located more than a pixel off the whole-pixel maximum along one
        // axis, the match is not the true peak along the other either (8×8 sets: such pairs were
        // 1–9 px off on both axes).
        PairLink link = Judge(subpixelX, subpixelY);
        Assert.True(link.SigmaX >= 0.8 && link.SigmaY >= 0.8, $"σ ({link.SigmaX:F2}, {link.SigmaY:F2})");
    }

    private static PairLink Slanted(double curvatureXY) =>
        PairJudgement.Judge(0, 1, PairDirection.West,
            new StripMeasurement(false, Geometry.NominalTx, 0, 0.9, 0.026, 0.2, -1, CurvatureXY: curvatureXY),
            Noise, Noise.Noise, Geometry, 48);

    [Fact]
    public void A_peak_at_a_slant_to_the_axes_is_as_unsure_on_each_as_the_slant_carries_the_other()
    {
        // The curvatures of 8×8 illustration s6, 5_7–6_7 (a ridge sloping −0.3 px in y a pixel in
        // x): the best x for a given y moves by b/a = 2 px a pixel, so σx takes in 2 σy.
        PairLink straight = Slanted(0), slanted = Slanted(0.052);
        Assert.Equal(PairOutcome.Measured, slanted.Outcome);
        double expectedX = Math.Sqrt((straight.SigmaX * straight.SigmaX) + Math.Pow(2 * straight.SigmaY, 2));
        double expectedY = Math.Sqrt((straight.SigmaY * straight.SigmaY) + Math.Pow(0.26 * straight.SigmaX, 2));
        Assert.Equal(expectedX, slanted.SigmaX, 0.001);
        Assert.Equal(expectedY, slanted.SigmaY, 0.001);
    }

    private static PairLink SlantedRidge(double curvatureXY) =>
        PairJudgement.Judge(0, 1, PairDirection.West,
            new StripMeasurement(false, Geometry.NominalTx, 0, 0.9, 0.0102, 0.005, -1, BroadY: 0.001, CurvatureXY: curvatureXY),
            Noise, Noise.Noise, Geometry, 48);

    [Fact]
    public void A_peak_whose_slant_leaves_no_axis_located_within_two_pixels_is_not_a_measurement()
    {
        // As 8×8 photograph s7, 4_2–5_2 (11 px off): x located to 0.93 px by its own curvature, y a
        // ridge, and a slant of about half a pixel across a pixel along that carries y's 12 px into
        // x. The same peak without the slant is measured; with it, it is not, yet keeps its σ.
        PairLink straight = SlantedRidge(0), slanted = SlantedRidge(0.0048);
        Assert.Equal(PairOutcome.Measured, straight.Outcome);
        Assert.InRange(straight.SigmaX, 0.9, 0.96);
        Assert.Equal(PairOutcome.LowCorrelation, slanted.Outcome);
        Assert.InRange(slanted.SigmaX, 5.5, 6);
        Assert.Equal(PairJudgement.RidgeSigma(48), slanted.SigmaY, 3);
    }

    // Score 0.9 against a score noise of 0.05: the noise at the peak is 0.05 · (1 − 0.9²) = 0.0095.
    private const double NoiseAtPeak = 0.05 * (1 - (0.9 * 0.9));

    private static PairLink Ridge(double broadAlong, double subpixelAlong = 0) =>
        PairJudgement.Judge(0, 1, PairDirection.West,
            new StripMeasurement(false, Geometry.NominalTx, subpixelAlong, 0.9, 0.1, 0.5 * NoiseAtPeak, -1, false, 0, subpixelAlong, 0.1, broadAlong),
            Noise, Noise.Noise, Geometry, 48);

    [Fact]
    public void A_ridge_whose_score_falls_over_a_few_pixels_is_located_along_it_by_that_fall()
    {
        // Along the strip (y of a west pair) the one-pixel curvature is within the noise, but the
        // score falls by 8 noise levels per pixel of step over a few pixels: the ridge's peak is
        // known along it to about 1/8 px, not to a quarter of the search margin (8×8 photograph
        // set: such links were right along their length to 0.17 px rms, and at σ 12 px one wrong
        // match beside them held a group of six tiles 4–6 px off).
        PairLink link = Ridge(8 * NoiseAtPeak);
        Assert.Equal(PairOutcome.Measured, link.Outcome);
        Assert.True(PairJudgement.Located(link.SigmaY, 48), $"σy {link.SigmaY:F2}");
        Assert.InRange(link.SigmaY, 0.1, 0.2);
        Assert.InRange(link.SigmaX, 0.05, 0.15);
    }

    [Fact]
    public void A_ridge_whose_score_does_not_fall_along_it_stays_unlocated_there()
    {
        PairLink link = Ridge(0.9 * NoiseAtPeak);
        Assert.Equal(PairOutcome.Measured, link.Outcome);
        Assert.Equal(PairJudgement.RidgeSigma(48), link.SigmaY, 3);
        Assert.True(PairJudgement.Located(link.SigmaX, 48));
    }

    [Theory]
    [InlineData(1.14)]
    [InlineData(-1.0)]
    public void A_ridge_whose_subpixel_step_went_to_its_reach_along_it_stays_unlocated_there(double subpixelAlong)
    {
        // The upsampled correlation rose to the edge of its grid along the ridge: no peak lies near
        // this maximum there, whatever the score's fall (8×8 illustration set: 4_7–5_7, 3.9 px off
        // along its length, subpixel step −1.14).
        PairLink link = Ridge(8 * NoiseAtPeak, subpixelAlong);
        Assert.Equal(PairJudgement.RidgeSigma(48), link.SigmaY, 3);
    }

    [Fact]
    public void The_judgement_depends_on_no_broad_fall_that_ReadsBroad_leaves_out()
    {
        // Over sharp peaks, ridges on either axis or both, subpixel steps short of and at their reach,
        // clear and ambiguous pairs and pairs at the window's edge: the link is the same whatever an
        // axis's broad fall is, or NaN (not measured), wherever ReadsBroad says it is not read. The
        // aligner skips measuring it there, so the registration's output must not change.
        int read = 0, mattered = 0;
        foreach (double score in (ReadOnlySpan<double>)[0.3, 0.9])
        {
            foreach (double competitor in (ReadOnlySpan<double>)[-1, 0.8 * score, 0.9 * score])
            {
                foreach (bool edge in (ReadOnlySpan<bool>)[false, true])
                {
                    foreach (double cx in Curvatures)
                    {
                        foreach (double cy in Curvatures)
                        {
                            foreach (double sx in Subpixels)
                            {
                                foreach (double sy in Subpixels)
                                {
                                    var m = new StripMeasurement(false, Geometry.NominalTx + sx, sy, score, cx, cy, competitor, edge, sx, sy);
                                    var (readX, readY) = PairJudgement.ReadsBroad(m, Noise.Noise);
                                    read += (readX ? 1 : 0) + (readY ? 1 : 0);
                                    mattered += Check(m, readX, readY);
                                }
                            }
                        }
                    }
                }
            }
        }

        // Not vacuous: the broad fall is read, and changes the link, on some of these.
        Assert.True(read > 0 && mattered > 0, $"{read} axes read, {mattered} links changed by the broad fall");
    }

    [Fact]
    public void A_peak_sharp_on_both_axes_reads_no_broad_fall()
    {
        var m = new StripMeasurement(false, Geometry.NominalTx, 0, 0.9, 0.1, 0.1, -1, false, 0.1, -0.1);
        Assert.Equal((false, false), PairJudgement.ReadsBroad(m, Noise.Noise));
    }

    // One-pixel curvatures about the noise at scores 0.3 and 0.9 (0.0455 and 0.0095), subpixel steps about the reach (1.0).
    private static readonly double[] Curvatures = [0, 0.005, 0.02, 0.1];
    private static readonly double[] Subpixels = [0, 0.4, -1.0, 1.2];
    private static readonly double[] Falls = [0.001, 0.02, 0.5];

    /// <summary>Asserts that <paramref name="m"/>'s link does not change with the falls not read; returns how many falls read changed it.</summary>
    private static int Check(StripMeasurement m, bool readX, bool readY)
    {
        int changed = 0;
        PairLink? first = null;
        foreach (double bx in Falls)
        {
            foreach (double by in Falls)
            {
                PairLink measured = Link(m with { BroadX = bx, BroadY = by });
                PairLink skipped = Link(m with { BroadX = readX ? bx : double.NaN, BroadY = readY ? by : double.NaN });
                Assert.True(measured == skipped, $"{m}: {measured} with every fall measured, {skipped} with those not read left out");
                changed += first is { } f && f != measured ? 1 : 0;
                first ??= measured;
            }
        }

        return changed;
    }

    private static PairLink Link(StripMeasurement m) => PairJudgement.Judge(0, 1, PairDirection.West, m, Noise, Noise.Noise, Geometry, 48);
}
