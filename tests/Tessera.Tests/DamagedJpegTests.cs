using System.Runtime.InteropServices;
using NetVips;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Samples;
using Tessera.Tests.Support;
using Tessera.Verification;
using Xunit;

namespace Tessera.Tests;

/// <summary>
/// Damage in a part of a JPEG that a region decode does not show is still found; a damaged tile
/// stops the build and is named by <c>verify</c> as damaged; CMYK JPEGs get one answer everywhere.
/// </summary>
public sealed class DamagedJpegTests : IDisposable
{
    private const int Width = 320, Height = 240;

    private readonly TempDirectory _dir = new();
    private readonly TurboJpegCodec _turbo = TurboJpegCodec.TryCreate(new SkiaTileCodec(), out _)
        ?? throw new InvalidOperationException("libturbojpeg0 is needed (scripts/setup.sh installs it).");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Damage_outside_a_region_is_found_by_its_decode_and_its_stream(bool progressive)
    {
        string path = _dir.Combine("good.jpg");
        byte[] bytes = WriteNoise(path, progressive);
        var top = new PixelRect(0, 0, Width, 40);                 // the damage lies in rows below it
        var bottomRight = new PixelRect(200, 180, 120, 60);        // ... and in rows above it
        using var target = new PixelBuffer(new PixelRect(0, 0, Width, Height), PixelFormat.Rgbx8888);
        Assert.True(_turbo.TryDecodeRegion(path, Width, Height, top, target, 0, 0));
        ReadStream(path, bottomRight);

        // Zeros at places below the top rows and above the bottom ones: wherever the whole decode
        // finds the damage (in a progressive file many zeros pass for data, for libvips as well), the region's decode
        // and stream, which do not show those rows, find it too.
        foreach (var (region, fractions) in new[] { (top, new[] { 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9 }), (bottomRight, new[] { 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45 }) })
        {
            int found = 0;
            foreach (double fraction in fractions)
            {
                string damaged = _dir.Combine($"damaged-{region.Y}-{fraction}.jpg");
                byte[] copy = (byte[])bytes.Clone();
                Array.Clear(copy, (int)(copy.Length * fraction), 256);
                File.WriteAllBytes(damaged, copy);
                if (Refuses(() => _turbo.Decode(damaged, PixelFormat.Rgbx8888).Dispose()))
                {
                    AssertDamaged(damaged, () => _turbo.TryDecodeRegion(damaged, Width, Height, region, target, region.X, region.Y));
                    AssertDamaged(damaged, () => ReadStream(damaged, region));
                    found++;
                }
            }

            Assert.True(found >= 2, $"only {found} of {fractions.Length} damaged files were refused by the whole decode: too few to test with");
        }
    }

    private static bool Refuses(Action decode)
    {
        try
        {
            decode();
            return false;
        }
        catch (TileReadException)
        {
            return true;
        }
    }

    [Fact]
    public void A_tile_zeroed_in_the_middle_stops_the_build_with_either_codec()
    {
        // The example: 4 KB of zeros in the middle of a sample tile, the default build
        // (seam blend with overlap: region decoding and streams) and SkiaSharp's.
        string tiles = _dir.Combine("t");
        Assert.Equal(0, CliRunner.Run("sample", tiles, "--across", "3", "--down", "3").ExitCode);
        string tile = Path.Combine(tiles, "1_1.jpg");
        byte[] bytes = File.ReadAllBytes(tile);
        Array.Clear(bytes, 40960, 4096);
        File.WriteAllBytes(tile, bytes);
        foreach (string codec in new[] { "auto", "skia" })
        {
            string dzi = _dir.Combine(codec, "o.dzi");
            var r = CliRunner.Run("build", tiles, dzi, "--overlap", "10%", "--codec", codec);
            Assert.True(r.ExitCode == 1, $"--codec {codec}: exit {r.ExitCode}, {r.Error}");
            Assert.Contains("1_1.jpg", r.Error);
            Assert.Contains("the JPEG data is damaged", r.Error);
            Assert.False(File.Exists(dzi), "a failed build left a .dzi");
        }
    }

    [Fact]
    public void Verify_names_a_bit_flipped_tile_damaged_not_truncated()
    {
        SampleGrid.Write(_dir.Combine("tiles"), Support.Samples.Small(TileFormat.Jpeg));
        string dzi = _dir.Combine("p.dzi");
        Assert.Equal(0, CliRunner.Run("build", _dir.Combine("tiles"), dzi, "--overlap", "16,12", "--tile-size", "64").ExitCode);
        string tile = Path.Combine(_dir.Combine("p_files"), "9", "1_1.jpeg");
        byte[] sound = File.ReadAllBytes(tile);

        // Flipped bits that libjpeg can tell from data (not every flip can be told): the first
        // pattern of a few that the verifier reports, which must then say damaged.
        var random = new Random(10);
        int scan = sound.AsSpan().IndexOf([(byte)0xFF, (byte)0xDA]);
        string? reported = null;
        for (int attempt = 0; attempt < 40 && reported is null; attempt++)
        {
            byte[] flipped = (byte[])sound.Clone();
            for (int flip = 0; flip < 4; flip++)
            {
                flipped[random.Next(scan + 20, sound.Length - 2)] ^= (byte)(1 << random.Next(8));
            }

            File.WriteAllBytes(tile, flipped);
            VerifyReport report = PyramidVerifier.Verify(dzi, _turbo, threads: 1);
            reported = report.IsSound ? null : Assert.Single(report.Problems);
        }

        Assert.NotNull(reported);
        var r = CliRunner.Run("verify", dzi);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Level 9: tile 1_1.jpeg does not decode: the JPEG data is damaged", r.Error);
        Assert.DoesNotContain("truncated", r.Error);

        // A cut tile is still called truncated.
        File.WriteAllBytes(tile, sound[..(sound.Length / 2)]);
        Assert.Contains("Level 9: tile 1_1.jpeg does not decode: the file is truncated", CliRunner.Run("verify", dzi).Error);
    }

    [Theory]
    [InlineData("cmyk")]
    [InlineData("ycck")]
    public void A_cmyk_jpeg_is_refused_in_the_same_words_by_every_codec_and_path(string kind)
    {
        string path = _dir.Combine($"{kind}.jpg");
        WriteCmyk(path, ycck: kind == "ycck");
        using (Image check = Image.NewFromFile(path))
        {
            Assert.Equal((4, Enums.Interpretation.Cmyk), (check.Bands, check.Interpretation)); // libvips reads it as CMYK
        }

        using var skia = (SkiaTileCodec)TileCodecs.Create(CodecChoice.Skia, out _);
        using var target = new PixelBuffer(new PixelRect(0, 0, Width, Height), PixelFormat.Rgbx8888);
        var region = new PixelRect(10, 10, 100, 100);
        Assert.False(_turbo.TryDecodeRegion(path, Width, Height, region, target, 10, 10)); // left to the whole decode, which refuses it
        Assert.Null(_turbo.TryOpenRegionStream(path, Width, Height, region, PixelFormat.Rgbx8888));
        var refusals = new Action[]
        {
            () => _turbo.ReadHeader(path),
            () => _turbo.Decode(path, PixelFormat.Rgbx8888),
            () => _turbo.TryDecodeScaled(path, PixelFormat.Gray8, 2),
            () => skia.ReadHeader(path),
            () => skia.Decode(path, PixelFormat.Rgbx8888),
        };
        foreach (Action refusal in refusals)
        {
            var e = Assert.Throws<TileReadException>(refusal);
            Assert.Equal($"Cannot read tile \"{path}\": it is a CMYK JPEG, which Tessera does not read (convert the tiles to RGB first).", e.Message);
        }
    }

    [Fact]
    public void A_cmyk_tile_stops_the_build_with_one_line_naming_it()
    {
        string tiles = _dir.Combine("tiles");
        SampleGrid.Write(tiles, Support.Samples.Small(TileFormat.Jpeg));
        WriteCmyk(Path.Combine(tiles, "2_1.jpg"), ycck: false, width: 160, height: 120);
        foreach (string codec in new[] { "auto", "skia" })
        {
            var r = CliRunner.Run("build", tiles, _dir.Combine(codec, "p.dzi"), "--overlap", "16,12", "--codec", codec);
            Assert.Equal(1, r.ExitCode);
            string line = Assert.Single(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("2_1.jpg\": it is a CMYK JPEG", line);
        }
    }

    private void ReadStream(string path, PixelRect region)
    {
        using IRegionStream stream = _turbo.TryOpenRegionStream(path, Width, Height, region, PixelFormat.Rgbx8888)
            ?? throw new InvalidOperationException($"{path} could not be streamed");
        using var target = new PixelBuffer(region, PixelFormat.Rgbx8888);
        for (int y = region.Y; y < region.Bottom; y += 16)
        {
            var part = region with { Y = y, Height = Math.Min(16, region.Bottom - y) };
            stream.Read(part, target, part.X, part.Y);
        }
    }

    private static void AssertDamaged(string path, Action decode)
    {
        var e = Assert.Throws<TileReadException>(decode);
        Assert.Contains(Path.GetFileName(path), e.Message);
        Assert.Contains("the JPEG data is damaged", e.Message);
    }

    /// <summary>Noise over a ramp, which compresses as a photograph does, saved by libvips.</summary>
    private static byte[] WriteNoise(string path, bool progressive)
    {
        using Image noise = Image.Gaussnoise(Width, Height, mean: 128, sigma: 40, seed: 14);
        using Image xy = Image.Xyz(Width, Height);
        using Image ramp = (xy[0] * (200.0 / Width)) + (xy[1] * (55.0 / Height));
        using Image grey = ((noise * 0.5) + ramp).Cast(Enums.BandFormat.Uchar);
        using Image rgb = grey.Bandjoin(grey.Flip(Enums.Direction.Horizontal), grey.Flip(Enums.Direction.Vertical));
        rgb.Jpegsave(path, q: 90, interlace: progressive);
        return File.ReadAllBytes(path);
    }

    /// <summary>
    /// A four-component JPEG: CMYK as libvips writes it, or YCCK (Adobe's transform of CMYK), which
    /// TurboJPEG writes from CMYK pixels.
    /// </summary>
    private static void WriteCmyk(string path, bool ycck, int width = Width, int height = Height)
    {
        using Image noise = Image.Gaussnoise(width, height, mean: 128, sigma: 40, seed: 14);
        using Image grey = noise.Cast(Enums.BandFormat.Uchar);
        using Image cmyk = grey.Bandjoin(grey.Flip(Enums.Direction.Horizontal), grey.Flip(Enums.Direction.Vertical), grey.Rot180())
            .Copy(interpretation: Enums.Interpretation.Cmyk);
        if (!ycck)
        {
            cmyk.Jpegsave(path, q: 90);
            return;
        }

        byte[] pixels = cmyk.WriteToMemory<byte>();
        File.WriteAllBytes(path, TurboJpegYcck.Compress(pixels, width, height));
    }

    public void Dispose()
    {
        _turbo.Dispose();
        _dir.Dispose();
    }

    /// <summary>TurboJPEG's compressor, called directly: from CMYK pixels it writes a YCCK JPEG.</summary>
    private static class TurboJpegYcck
    {
        private const string Library = "libturbojpeg.so.0";
        private const int PixelFormatCmyk = 11, Subsample444 = 0;

        public static byte[] Compress(byte[] cmyk, int width, int height)
        {
            nint handle = tjInitCompress();
            try
            {
                nint output = 0;
                nuint size = 0;
                Assert.Equal(0, tjCompress2(handle, cmyk, width, width * 4, height, PixelFormatCmyk, ref output, ref size, Subsample444, 90, 0));
                byte[] jpeg = new byte[(int)size];
                Marshal.Copy(output, jpeg, 0, jpeg.Length);
                tjFree(output);
                return jpeg;
            }
            finally
            {
                tjDestroy(handle);
            }
        }

        [DllImport(Library)]
        private static extern nint tjInitCompress();

        [DllImport(Library)]
        private static extern int tjCompress2(nint handle, byte[] source, int width, int pitch, int height, int pixelFormat, ref nint output, ref nuint size, int subsample, int quality, int flags);

        [DllImport(Library)]
        private static extern void tjFree(nint buffer);

        [DllImport(Library)]
        private static extern int tjDestroy(nint handle);
    }
}
