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
}
