using Tessera.Imaging;
using Tessera.Layout;

namespace Tessera.Codecs;

/// <summary>
/// The 16-bit to 8-bit mapping taken from the tiles: of up to <see cref="SampleTiles"/> tiles spread
/// evenly over the grid (every present tile in row-major cell order when there are that few, else
/// the ones at positions ⌊k·n/32⌋, k = 0…31), all colour samples (alpha left out) of those that are
/// 16-bit are pooled, and the range runs from their 0.1th to their 99.9th percentile (nearest rank:
/// the smallest value with at least ⌈p·N⌉ samples at or below it). The choice depends only on the
/// grid and the files, so every shard of a job works out the same range.
/// </summary>
public static class AutoRange
{
    public const int SampleTiles = 32;
    /// <summary>The percentiles, in tenths of a percent: 0.1 % and 99.9 %.</summary>
    public const int LowPerMille = 1, HighPerMille = 999;

    /// <summary>The range and the number of 16-bit tiles it came from; null when no sampled tile is 16-bit.</summary>
    public static (IntensityRange Range, int Tiles)? Estimate(IReadOnlyList<string> files, TileInputCodec codec)
    {
        var histogram = new long[ushort.MaxValue + 1];
        int used = 0;
        foreach (string path in Sample(files))
        {
            if (InputKinds.HasJpegName(path) || !InputKinds.NeedsVips(path) || VipsTileReader.ReadLayout(path, codec.Options.Page).Bits != 16)
            {
                continue;
            }

            bool sixteen = VipsTileReader.Read(path, codec.Options.Page, layout => codec.CheckSize(path, layout.Width, layout.Height), (layout, samples) =>
            {
                if (layout.Bits != 16)
                {
                    return false;
                }

                Count(layout, samples, histogram);
                return true;
            });
            used += sixteen ? 1 : 0;
        }

        return used == 0 ? null : (FromHistogram(histogram), used);
    }

    /// <summary>The tiles sampled, in the order described above, of the present tiles <paramref name="files"/>.</summary>
    public static List<string> Sample(IReadOnlyList<string> files) => TileSample.Spread(files, SampleTiles);

    public static IntensityRange FromHistogram(ReadOnlySpan<long> histogram)
    {
        long total = 0;
        foreach (long n in histogram)
        {
            total += n;
        }

        if (total == 0)
        {
            throw new ArgumentException("The histogram is empty.", nameof(histogram));
        }

        int low = ValueAtRank(histogram, Rank(total, LowPerMille));
        int high = ValueAtRank(histogram, Rank(total, HighPerMille));
        if (high <= low)
        {
            (low, high) = low < ushort.MaxValue ? (low, low + 1) : (low - 1, low);
        }

        return new IntensityRange(low, high);
    }

    private static long Rank(long total, int perMille) => Math.Max(1, ((total * perMille) + 999) / 1000);

    private static int ValueAtRank(ReadOnlySpan<long> histogram, long rank)
    {
        long seen = 0;
        for (int v = 0; v < histogram.Length; v++)
        {
            seen += histogram[v];
            if (seen >= rank)
            {
                return v;
            }
        }

        return histogram.Length - 1;
    }

    private static unsafe void Count(VipsTileReader.Layout layout, nint samples, long[] histogram)
    {
        var values = new ReadOnlySpan<ushort>((void*)samples, layout.Width * layout.Height * layout.Bands);
        int colourBands = layout.HasAlpha ? layout.Bands - 1 : layout.Bands;
        for (int i = 0; i < values.Length; i += layout.Bands)
        {
            for (int b = 0; b < colourBands; b++)
            {
                histogram[values[i + b]]++;
            }
        }
    }
}
