using System.Numerics;
using Tessera.Registration;
using Xunit;

namespace Tessera.Tests;

/// <summary>The whitening's rows to and from lanes of vectors, against the plain definition.</summary>
public sealed class LaneTransposeTests
{
    [Theory]
    [InlineData(128, 8)]
    [InlineData(64, 8)]
    [InlineData(37, 8)]
    [InlineData(5, 8)]
    [InlineData(52, 3)]
    [InlineData(1, 1)]
    public void Rows_go_to_lanes_and_back_value_for_value(int width, int count)
    {
        int lanes = Vector<float>.Count, stride = width + 3;
        count = Math.Min(count, lanes);
        var random = new Random(width + count);
        float[] rows = Enumerable.Range(0, (count * stride) + 5).Select(_ => (float)random.NextDouble()).ToArray();
        var staged = new float[width * lanes];
        LaneTranspose.Stage(rows, stride, width, count, staged);
        for (int k = 0; k < count; k++)
        {
            for (int x = 0; x < width; x++)
            {
                Assert.True(staged[(x * lanes) + k] == rows[(k * stride) + x], $"row {k}, column {x}: {staged[(x * lanes) + k]} staged, {rows[(k * stride) + x]} in the row");
            }
        }

        // Back into rows of another stride; nothing outside the rows' columns is written.
        int back = width + 1;
        var result = new float[count * back];
        Array.Fill(result, -1f);
        LaneTranspose.Unstage(staged, width, count, result, back);
        for (int k = 0; k < count; k++)
        {
            for (int x = 0; x < back; x++)
            {
                float expected = x < width ? rows[(k * stride) + x] : -1f;
                Assert.True(result[(k * back) + x] == expected, $"row {k}, column {x}: {result[(k * back) + x]}, expected {expected}");
            }
        }
    }
}
