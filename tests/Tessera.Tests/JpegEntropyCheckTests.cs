using NetVips;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>
/// Tessera's own reading of a sequential JPEG's Huffman data (SkiaSharp's check where the native
/// layer is missing) passes every sound JPEG of the kinds encoders write and judges damaged ones as
/// libjpeg does.
/// </summary>
public sealed class JpegEntropyCheckTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly TurboJpegCodec _libjpeg = TurboJpegCodec.TryCreate(new SkiaTileCodec(), out _, regions: false)
        ?? throw new InvalidOperationException("libturbojpeg0 is needed (scripts/setup.sh installs it).");
    private readonly SkiaTileCodec _skia = new();

    public static TheoryData<string, int, int> Kinds() => new()
    {
        { "420", 333, 217 },
        { "444", 301, 190 },
        { "grey", 257, 129 },
        { "restarts-1", 200, 150 },
        { "restarts-7", 203, 151 },
        { "restarts-grey", 130, 70 },
        { "optimized", 240, 180 },
        { "q100", 160, 120 },
        { "q20", 160, 120 },
        { "tiny", 1, 1 },
        { "small", 17, 9 },
        { "skia", 200, 150 },
        { "turbojpeg", 200, 150 },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Sound_jpegs_pass_and_damaged_ones_get_libjpegs_verdict(string kind, int width, int height)
    {
        byte[] bytes = Write(kind, width, height);
        Assert.Null(JpegEntropyCheck.FindDamage(bytes));
        File.WriteAllBytes(_dir.Combine("sound.jpg"), bytes);
        _skia.Decode(_dir.Combine("sound.jpg"), PixelFormat.Rgbx8888).Dispose();

        var random = new Random(width * height);
        string damaged = _dir.Combine("damaged.jpg");
        int refused = 0;
        for (int i = 0; i < 16; i++)
        {
            int at = 2 + (int)((long)(bytes.Length - 4) * i / 16);
            byte[] zeroed = (byte[])bytes.Clone();
            Array.Clear(zeroed, at, Math.Min(64, bytes.Length - 2 - at));
            byte[] flipped = (byte[])bytes.Clone();
            for (int flip = 0; flip < 3; flip++)
            {
                flipped[Math.Min(bytes.Length - 3, at + random.Next(200))] ^= (byte)(1 << random.Next(8));
            }

            foreach (byte[] data in new[] { zeroed, flipped, bytes[..at] })
            {
                // What SkiaSharp's path does without the native layer: this check, then Skia's decode.
                File.WriteAllBytes(damaged, data);
                string? libjpeg = Refusal(() => _libjpeg.Decode(damaged, PixelFormat.Rgbx8888).Dispose());
                string? skia = Refusal(() => _skia.Decode(damaged, PixelFormat.Rgbx8888).Dispose());
                Assert.True(libjpeg is null || skia is not null, $"{kind}, damaged at {at}: libjpeg says {libjpeg}, the check finds nothing");

                // A code no table holds is damage for certain; libjpeg-turbo's fast path reads it as
                // a zero and may then come out even, so only there may the check be the stricter.
                Assert.True(skia is null || libjpeg is not null || skia.Contains("bad Huffman code", StringComparison.Ordinal),
                    $"{kind}, damaged at {at}: the check says {skia}, libjpeg finds nothing");
                refused += skia is null ? 0 : 1;
            }
        }

        Assert.True(refused >= 16, $"{kind}: only {refused} of 48 damaged files refused");
    }

    [Fact]
    public void A_header_claiming_more_rows_than_the_data_holds_is_refused_where_the_data_ends()
    {
        byte[] bytes = Write("420", 200, 150);
        int sof = bytes.AsSpan().IndexOf([(byte)0xFF, (byte)0xC0]);
        bytes[sof + 5] = 0x3E; // 16,000 rows instead of 150
        bytes[sof + 6] = 0x80;
        Assert.Equal("Corrupt JPEG data: premature end of data segment", JpegEntropyCheck.FindDamage(bytes));
    }

    [Fact]
    public void Progressive_jpegs_are_left_unchecked()
    {
        byte[] bytes = Write("progressive", 200, 150);
        Array.Clear(bytes, bytes.Length / 2, 500);
        Assert.Null(JpegEntropyCheck.FindDamage(bytes));
    }

    private static string? Refusal(Action decode)
    {
        try
        {
            decode();
            return null;
        }
        catch (TileReadException e)
        {
            return e.Problem;
        }
    }

    /// <summary>Textured content saved as the kind of JPEG asked for, by libvips, SkiaSharp or TurboJPEG.</summary>
    private byte[] Write(string kind, int width, int height)
    {
        string path = _dir.Combine($"{kind}.jpg");
        using Image noise = Image.Gaussnoise(width, height, mean: 128, sigma: 40, seed: 3);
        using Image xy = Image.Xyz(width, height);
        using Image ramp = (xy[0] * (200.0 / width)) + (xy[1] * (55.0 / height));
        using Image grey = ((noise * 0.5) + ramp).Cast(Enums.BandFormat.Uchar);
        using Image rgb = grey.Bandjoin(grey.Flip(Enums.Direction.Horizontal), grey.Flip(Enums.Direction.Vertical));
        if (kind is "skia" or "turbojpeg")
        {
            using var pixels = new PixelBuffer(new PixelRect(0, 0, width, height), PixelFormat.Rgbx8888);
            byte[] rgba = rgb.Bandjoin(255).WriteToMemory<byte>();
            for (int y = 0; y < height; y++)
            {
                rgba.AsSpan(y * width * 4, width * 4).CopyTo(pixels.Row(y));
            }

            ITileCodec codec = kind == "skia" ? new SkiaTileCodec() : _libjpeg;
            using IEncodedImage encoded = codec.Encode(pixels, pixels.Bounds, new EncodeSettings(TileFormat.Jpeg, 85));
            return encoded.Bytes.ToArray();
        }

        Image image = kind.EndsWith("grey", StringComparison.Ordinal) ? grey : rgb;
        image.Jpegsave(path,
            q: kind switch { "q100" => 100, "q20" => 20, _ => 90 },
            interlace: kind == "progressive",
            optimizeCoding: kind == "optimized",
            restartInterval: kind.StartsWith("restarts", StringComparison.Ordinal) ? (kind == "restarts-7" ? 7 : 1) : null,
            subsampleMode: kind == "444" ? Enums.ForeignSubsample.Off : Enums.ForeignSubsample.On);
        return File.ReadAllBytes(path);
    }

    public void Dispose()
    {
        _libjpeg.Dispose();
        _skia.Dispose();
        _dir.Dispose();
    }
}
