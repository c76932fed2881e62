using NetVips;
using Tessera.Imaging;
using Tessera.Samples;

namespace Tessera.Tests.Support;

/// <summary>The image a lossless sample grid was cut from, which a stitched build of it must equal exactly, and the OME levels made from it.</summary>
public static class ExactCut
{
    /// <summary>What the reference readers should find: the image as a raw file at <paramref name="raw"/>, the levels below made by halving it.</summary>
    public static OmeReaders.Expectation Expect(string kind, string path, SampleOptions sample, int tileSize, string raw)
    {
        File.WriteAllBytes(raw, SourceSamples(sample));
        return new OmeReaders.Expectation(kind, path, [raw], Shapes(sample, tileSize), Channels(sample), "uint8", tileSize, Halve: true, PixelSizeMicrometres: 0.325);
    }

    public static int Channels(SampleOptions sample) => sample.PixelFormat == PixelFormat.Gray8 ? 1 : 3;

    /// <summary>The image's samples, interleaved, without the engine's fourth colour byte.</summary>
    public static byte[] SourceSamples(SampleOptions sample)
    {
        var bounds = new PixelRect(0, 0, sample.PlaneWidth, sample.PlaneHeight);
        using var plane = new PixelBuffer(bounds, sample.PixelFormat);
        SampleGrid.Specimen(sample).Render(plane);
        int channels = Channels(sample);
        var samples = new byte[bounds.Width * bounds.Height * channels];
        for (int y = 0, o = 0; y < bounds.Height; y++)
        {
            Span<byte> row = plane.Row(y);
            for (int x = 0; x < bounds.Width; x++)
            {
                for (int c = 0; c < channels; c++)
                {
                    samples[o++] = row[(x * plane.BytesPerPixel) + c];
                }
            }
        }

        return samples;
    }

    public static Image SourceImage(SampleOptions sample) =>
        Image.NewFromMemory(SourceSamples(sample), sample.PlaneWidth, sample.PlaneHeight, Channels(sample), Enums.BandFormat.Uchar);

    /// <summary>(height, width) of each level, halving (rounding up) until one fits in a tile.</summary>
    public static IReadOnlyList<int[]> Shapes(SampleOptions sample, int tileSize)
    {
        var shapes = new List<int[]> { new[] { sample.PlaneHeight, sample.PlaneWidth } };
        while (shapes[^1][0] > tileSize || shapes[^1][1] > tileSize)
        {
            shapes.Add([(shapes[^1][0] + 1) / 2, (shapes[^1][1] + 1) / 2]);
        }

        return shapes;
    }
}
