using System.Runtime.InteropServices;
using NetVips;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Pyramid;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>
/// The 16-bit pixel kernels on their own: decoding keeps 16-bit samples (alpha flattened over the
/// background at 16 bits) and widens 8-bit ones by 257; halving follows the 8-bit rule,
/// (a+b+c+d+2)>>2 with an odd last column or row repeated.
/// </summary>
public sealed class SixteenBitPixelTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Theory]
    [InlineData(PixelFormat.Gray16, 5, 3)]
    [InlineData(PixelFormat.Rgbx16, 5, 3)]
    [InlineData(PixelFormat.Gray16, 37, 21)]
    [InlineData(PixelFormat.Rgbx16, 37, 21)]
    public void Halving_16_bit_pixels_is_the_rounded_2x2_mean_with_odd_edges_repeated(PixelFormat format, int width, int height)
    {
        int samples = format.SamplesPerPixel();
        using var source = new PixelBuffer(new PixelRect(0, 0, width, height), format);
        ushort[] noise = SixteenBitGrid.Noise(width, height, samples, seed: 21);
        noise.AsSpan().CopyTo(MemoryMarshal.Cast<byte, ushort>(source.Data.AsSpan(0, source.Stride * height)));
        var below = new PixelRect(0, 0, (width + 1) / 2, (height + 1) / 2);

        using PixelBuffer half = Downsampler.Halve(source, source.Bounds, below);

        for (int y = 0; y < below.Height; y++)
        {
            ReadOnlySpan<ushort> row = MemoryMarshal.Cast<byte, ushort>(half.Row(y));
            for (int x = 0; x < below.Width; x++)
            {
                int x0 = 2 * x, x1 = Math.Min(x0 + 1, width - 1), y0 = 2 * y, y1 = Math.Min(y0 + 1, height - 1);
                for (int c = 0; c < samples; c++)
                {
                    int At(int px, int py) => noise[(((py * width) + px) * samples) + c];
                    int expected = (At(x0, y0) + At(x1, y0) + At(x0, y1) + At(x1, y1) + 2) >> 2;
                    Assert.True(expected == row[(x * samples) + c], $"({x}, {y}) sample {c}: {row[(x * samples) + c]}, expected {expected}");
                }
            }
        }
    }

    [Fact]
    public void Sixteen_bit_rgba_keeps_its_samples_and_flattens_alpha_over_the_background_at_16_bits()
    {
        // Opaque, fully transparent, and half transparent over the background (10, 20, 30).
        ushort[] rgba = [1, 30000, 65535, 65535, 5000, 6000, 7000, 0, 60001, 301, 12345, 32768];
        string path = _dir.Combine("rgba.tif");
        using (Image image = Image.NewFromMemory(rgba, 3, 1, 4, Enums.BandFormat.Ushort).Copy(interpretation: Enums.Interpretation.Rgb16))
        {
            image.Tiffsave(path);
        }

        var reader = new TileInputCodec(new SkiaTileCodec(), background: new Rgb(10, 20, 30));
        using PixelBuffer pixels = reader.Decode(path, PixelFormat.Rgbx16);

        int Over(int v, int bg) => (int)Math.Floor((((double)v * 32768) + (bg * 257.0 * (65535 - 32768))) / 65535 + 0.5);
        ushort[] expected = [1, 30000, 65535, 65535, 2570, 5140, 7710, 65535, (ushort)Over(60001, 10), (ushort)Over(301, 20), (ushort)Over(12345, 30), 65535];
        Assert.Equal(expected, MemoryMarshal.Cast<byte, ushort>(pixels.Data.AsSpan(0, 24)).ToArray());
        Assert.Null(reader.Options.Range);
    }

    [Fact]
    public void An_8_bit_tile_in_a_16_bit_pyramid_is_widened_by_257()
    {
        byte[] grey = [0, 1, 128, 254, 255, 77];
        string png = _dir.Combine("eight.png");
        using (Image image = Image.NewFromMemory(grey, 6, 1, 1, Enums.BandFormat.Uchar).Copy(interpretation: Enums.Interpretation.Bw))
        {
            image.Pngsave(png);
        }

        var reader = new TileInputCodec(new SkiaTileCodec());
        using PixelBuffer pixels = reader.Decode(png, PixelFormat.Gray16);

        Assert.Equal(grey.Select(v => (ushort)(v * 257)).ToArray(), MemoryMarshal.Cast<byte, ushort>(pixels.Data.AsSpan(0, 12)).ToArray());
    }

    public void Dispose() => _dir.Dispose();
}
