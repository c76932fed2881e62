using Tessera.Registration;
using Xunit;

namespace Tessera.Tests;

/// <summary>The overlap correlation, with and without summed-area tables, against the plain definition summed pixel by pixel.</summary>
public sealed class OverlapScoresTests
{
    private static double Expected(float[] a, float[] b, int width, int length, int tx, int ty, double nominalArea)
    {
        int ax0 = Math.Max(0, tx), ax1 = Math.Min(width, width + tx), ay0 = Math.Max(0, ty), ay1 = Math.Min(length, length + ty);
        var pairs = new List<(double A, double B)>();
        for (int y = ay0; y < ay1; y++)
        {
            for (int x = ax0; x < ax1; x++)
            {
                pairs.Add((a[(y * width) + x], b[((y - ty) * width) + x - tx]));
            }
        }

        double ma = pairs.Average(p => p.A), mb = pairs.Average(p => p.B);
        double cov = pairs.Sum(p => (p.A - ma) * (p.B - mb));
        double va = pairs.Sum(p => (p.A - ma) * (p.A - ma)), vb = pairs.Sum(p => (p.B - mb) * (p.B - mb));
        return cov / Math.Sqrt(va * vb) * Math.Sqrt(Math.Min(1, pairs.Count / nominalArea));
    }

    /// <summary>Strip B holds A shifted by (19, −3) plus noise; both off zero mean, as whitened strips are by a little.</summary>
    private static (float[] A, float[] B) ShiftedStrips(int width, int length)
    {
        var random = new Random(7);
        var a = new float[width * length];
        var b = new float[width * length];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = (float)random.NextDouble();
        }

        for (int y = 0; y < length; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int sx = x + 19, sy = y - 3;
                b[(y * width) + x] = (sx < width && sy >= 0 ? a[(sy * width) + sx] : 0.5f) + (0.3f * (float)random.NextDouble());
            }
        }

        return (a, b);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Score_is_the_normalised_cross_correlation_of_the_overlap(bool tables)
    {
        const int width = 45, length = 70, nominalTx = 15, margin = 12;
        var (a, b) = ShiftedStrips(width, length);

        var scores = new OverlapScores(width, length, nominalTx, margin, tables);
        scores.Reset(a, b);
        double nominalArea = (double)(width - nominalTx) * length;
        for (int tx = nominalTx - margin; tx <= nominalTx + margin; tx += 3)
        {
            for (int ty = -margin; ty <= margin; ty += 4)
            {
                Assert.Equal(Expected(a, b, width, length, tx, ty, nominalArea), scores.Score(tx, ty), 1e-4);
            }
        }

        Assert.True(scores.Score(19, -3) > 0.8);
        Assert.Equal(-2, scores.Score(nominalTx + margin + 2, 0));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Correlation_is_the_same_without_the_small_overlap_scaling_which_would_tilt_a_peak(bool tables)
    {
        const int width = 45, length = 70, nominalTx = 15, margin = 12;
        var (a, b) = ShiftedStrips(width, length);
        var scores = new OverlapScores(width, length, nominalTx, margin, tables);
        scores.Reset(a, b);
        const double noScaling = 0; // an overlap of any size is then at least the nominal one
        for (int tx = nominalTx - margin; tx <= nominalTx + margin; tx += 3)
        {
            for (int ty = -margin; ty <= margin; ty += 4)
            {
                Assert.Equal(Expected(a, b, width, length, tx, ty, noScaling), scores.Correlation(tx, ty), 1e-4);
            }
        }

        // Beyond the nominal overlap (tx > 15) the score is scaled down and the correlation is not.
        Assert.True(scores.Correlation(19, -3) > scores.Score(19, -3));
        Assert.Equal(scores.Correlation(10, 0), scores.Score(10, 0), 1e-12);
        Assert.Equal(-2, scores.Correlation(nominalTx + margin + 2, 0));
    }
}
