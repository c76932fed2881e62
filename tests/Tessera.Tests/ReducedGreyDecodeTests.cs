using Tessera.Codecs;
using Tessera.Imaging;
using Xunit;

namespace Tessera.Tests;

/// <summary>The box means registration and gain balancing reduce tiles with, against the plain definition.</summary>
public sealed class ReducedGreyDecodeTests
{
    [Theory]
    [InlineData(2, 101, 37)]
    [InlineData(2, 800, 600)]
    [InlineData(4, 103, 41)]
    [InlineData(8, 67, 29)]
    public void Box_means_and_their_edges_only_equal_the_rounded_mean_of_each_box(int scale, int width, int height)
    {
        var random = new Random(width + height);
        var pool = new PixelMemoryPool(maxFreeArrays: 2);
        using var full = new PixelBuffer(new PixelRect(0, 0, width, height), PixelFormat.Gray8, pool);
        for (int y = 0; y < height; y++)
        {
            random.NextBytes(full.Row(y)[..width]);
        }

        int w = (width + scale - 1) / scale, h = (height + scale - 1) / scale, edgeColumns = Math.Max(1, w / 5), edgeRows = Math.Max(1, h / 6);
        using PixelBuffer whole = ReducedGreyDecode.BoxMean(full, scale, pool);
        using PixelBuffer edges = ReducedGreyDecode.BoxMean(full, scale, pool, edgeColumns, edgeRows);
        Assert.Equal((w, h), (whole.Width, whole.Height));
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                int sum = 0, count = 0;
                for (int v = y * scale; v < Math.Min(height, (y + 1) * scale); v++)
                {
                    for (int u = x * scale; u < Math.Min(width, (x + 1) * scale); u++)
                    {
                        sum += full.Row(v)[u];
                        count++;
                    }
                }

                int expected = (sum + (count / 2)) / count;
                Assert.True(whole.Row(y)[x] == expected, $"box ({x}, {y}) of {width}×{height} at 1/{scale}: {whole.Row(y)[x]}, not {expected}");
                if (y < edgeRows || y >= h - edgeRows || x < edgeColumns || x >= w - edgeColumns)
                {
                    Assert.True(edges.Row(y)[x] == expected, $"edge box ({x}, {y}) of {width}×{height} at 1/{scale}: {edges.Row(y)[x]}, not {expected}");
                }
            }
        }
    }
}
