using Tessera.Illumination;
using Xunit;

namespace Tessera.Tests;

/// <summary>The gains file's comment on what the flat-field leaves between a tile's sides.</summary>
public sealed class GainNotesTests
{
    [Theory]
    [InlineData(0.0123, "+1.23")]
    [InlineData(-0.0123, "-1.23")]
    [InlineData(0.0, "+0.00")]
    [InlineData(-0.00001, "+0.00")] // rounds to zero: no "-+0.00"
    [InlineData(0.00001, "+0.00")]
    public void Side_offsets_print_as_signed_percentages(double fraction, string expected)
    {
        Assert.Equal(expected, GainMeasurement.SignedPercent(fraction));
    }

    [Fact]
    public void Negative_zero_prints_as_zero()
    {
        Assert.Equal("+0.00", GainMeasurement.SignedPercent(double.NegativeZero));
    }

    [Fact]
    public void The_notes_name_both_sides()
    {
        var measured = new GainMeasurement(new TileGains(["a.jpg", "b.jpg"], [1.0, 1.01], "none"), 2, 1, 1, 0, 0, 0.01, new GainSolveStats(3, 1e-9))
        {
            SideBiases = [-0.00002, 0.0042],
        };
        Assert.Contains("left to right +0.00 %, top to bottom +0.42 % left by the flat-field", measured.Notes()[1]);
    }
}
