using System.Diagnostics;
using NetVips;
using Tessera.Build;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Pyramid;
using Tessera.Samples;
using Tessera.Tests.Support;
using Tessera.Verification;
using Xunit;
using Xunit.Abstractions;

namespace Tessera.Tests;

/// <summary>
/// A photograph-like JPEG tile damaged at many places in three ways (a zeroed block, a flipped
/// bit, a cut): every way Tessera reads a JPEG refuses every file libvips refuses with its
/// fail-on-warning setting, and <c>verify</c> refuses it as an output tile.
/// </summary>
public sealed class JpegCorruptionSweepTests : IDisposable
{
    private const int Width = 320, Height = 240, Offsets = 56, ZeroedBytes = 1024, ScatteredFlips = 6, ScatteredSpan = 2048;

    private readonly TempDirectory _dir = new();
    private readonly ITestOutputHelper _output;
    private readonly TurboJpegCodec _turbo = TurboJpegCodec.TryCreate(new SkiaTileCodec(), out _)
        ?? throw new InvalidOperationException("libturbojpeg0 is needed (scripts/setup.sh installs it).");
    private readonly ITileCodec _skia = TileCodecs.Create(CodecChoice.Skia, out _);
    private readonly SkiaTileCodec _managed = new();

    public JpegCorruptionSweepTests(ITestOutputHelper output) => _output = output;

    private delegate void Reader(string path);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_path_refuses_every_damaged_file_libvips_refuses(bool progressive)
    {
        string tiles = _dir.Combine("tiles");
        string good = SampleGrid.Write(tiles, new SampleOptions { Across = 1, Down = 1, TileWidth = Width, TileHeight = Height, OverlapX = 0, OverlapY = 0 })[0];
        if (progressive)
        {
            string resaved = _dir.Combine("progressive.jpg");
            using (Image tile = Image.NewFromFile(good))
            {
                tile.Jpegsave(resaved, q: 90, interlace: true);
            }

            File.Copy(resaved, good, overwrite: true);
        }

        byte[] bytes = File.ReadAllBytes(good);
        string dzi = _dir.Combine("out", "p.dzi");
        PyramidBuild.Run(new BuildRequest
        {
            InputDirectory = tiles,
            OutputPath = dzi,
            Layout = new LayoutOptions("{x}_{y}.jpg"),
            Pyramid = new PyramidOptions { TileSize = 512, Overlap = 0, Threads = 1 },
        }, _turbo);
        string topTile = Path.Combine(_dir.Combine("out", "p_files"), "9", "0_0.jpeg");
        Assert.True(File.Exists(topTile));

        (string Name, Reader Read)[] paths =
        [
            ("whole", p => _turbo.Decode(p, PixelFormat.Rgbx8888).Dispose()),
            ("region", ReadRegion),
            ("stream", ReadStream),
            ("skia", p => _skia.Decode(p, PixelFormat.Rgbx8888).Dispose()),
            ("scaled", p => _turbo.TryDecodeScaled(p, PixelFormat.Gray8, 4)!.Dispose()),
            ("verify", p => { File.Copy(p, topTile, overwrite: true); VerifyOrThrow(dzi); }),
        ];

        // SkiaSharp where the native layer is missing: Tessera's own reading of the Huffman data,
        // for sequential JPEGs only. Same verdicts as libjpeg's, in its words but for details
        // (how many bytes are left over, which fault is seen first), or stricter where a code no
        // table holds is read (libjpeg-turbo's fast path takes it for a zero).
        if (!progressive)
        {
            paths = [.. paths, ("managed", p => _managed.Decode(p, PixelFormat.Rgbx8888).Dispose())];
        }

        foreach (var (name, read) in paths)
        {
            Assert.True(Refusal(read, good) is null, $"{name} refused the undamaged tile: {Refusal(read, good)}");
        }

        // libvips logs a warning for each damaged file it reads; the verdict is what counts here.
        uint quiet = NetVips.Log.SetLogHandler("VIPS", Enums.LogLevelFlags.Warning, (_, _, _) => { });
        var stopwatch = Stopwatch.StartNew();
        var counts = new Dictionary<string, (int Cases, int Vips, int Tessera)>();
        var wrong = new List<string>();
        string damaged = _dir.Combine("damaged.jpg");
        foreach (var (kind, at, data) in Damaged(bytes))
        {
            File.WriteAllBytes(damaged, data);
            bool vipsRefuses = VipsRefuses(damaged);
            string? whole = Refusal(paths[0].Read, damaged);
            foreach (var (name, read) in paths)
            {
                // One rule: every path refuses the same files and, where the decode judged the data
                // (rather than the headers, which TurboJPEG reads its own way), in the same words;
                // verify names the tile its own way.
                string? problem = name == "whole" ? whole : Refusal(read, damaged);
                bool judged = whole is not null && (Problem(whole).StartsWith("the JPEG data is damaged", StringComparison.Ordinal) || Problem(whole).StartsWith("the file is truncated", StringComparison.Ordinal));
                string? expected = name == "verify" && whole is not null ? $"tile 0_0.jpeg does not decode: {Problem(whole)}" : whole;
                bool managedStricter = name == "managed" && whole is null && problem is not null && problem.Contains("bad Huffman code", StringComparison.Ordinal);
                if ((problem is null != expected is null && !managedStricter) || (judged && name != "managed" && !problem!.Contains(Problem(expected!), StringComparison.Ordinal)))
                {
                    wrong.Add($"{kind} at {at}: {name} says \"{problem ?? "sound"}\", the whole decode \"{whole ?? "sound"}\"");
                }
            }

            if (vipsRefuses && whole is null)
            {
                wrong.Add($"{kind} at {at}: libvips refuses it, Tessera does not");
            }

            // libvips stops at the last row; bytes left before EOI (a bit flip that shortened the
            // entropy data) are damage all the same, and Tessera refuses it for that alone.
            if (!vipsRefuses && whole is not null && !whole.Contains("extraneous bytes before marker 0xd9", StringComparison.Ordinal))
            {
                wrong.Add($"{kind} at {at}: libvips reads it, Tessera refuses it: {whole}");
            }

            var c = counts.GetValueOrDefault(kind);
            counts[kind] = (c.Cases + 1, c.Vips + (vipsRefuses ? 1 : 0), c.Tessera + (whole is null ? 0 : 1));
        }

        NetVips.Log.RemoveLogHandler("VIPS", quiet);
        foreach (var (kind, c) in counts)
        {
            _output.WriteLine($"{kind}: {c.Cases} files, libvips refuses {c.Vips}, Tessera {c.Tessera}");
        }

        _output.WriteLine($"{stopwatch.ElapsedMilliseconds} ms");
        Assert.True(wrong.Count == 0, string.Join("\n", wrong.Take(30)));
        // The damage is real enough to mean something: libvips refuses some of every kind, and of
        // all kinds but the single flipped bit (which Huffman codes often absorb) most are refused.
        foreach (var (kind, c) in counts)
        {
            Assert.True(c.Cases >= 50 && c.Vips > 0, $"{kind}: libvips refused {c.Vips} of {c.Cases}");
            Assert.True(kind == "one bit flipped" || c.Tessera > c.Cases / 2, $"{kind}: only {c.Tessera} of {c.Cases} refused: too mild a damage to test with");
        }
    }

    /// <summary>A refusal's words after the file name.</summary>
    private static string Problem(string message) => message[(message.IndexOf("\": ", StringComparison.Ordinal) is int i and >= 0 ? i + 3 : 0)..];

    private void ReadRegion(string path)
    {
        var region = new PixelRect(Width / 20, Height / 20, Width * 9 / 10, Height * 9 / 10);
        using var target = new PixelBuffer(new PixelRect(0, 0, Width, Height), PixelFormat.Rgbx8888);
        if (!_turbo.TryDecodeRegion(path, Width, Height, region, target, region.X, region.Y))
        {
            _turbo.Decode(path, PixelFormat.Rgbx8888).Dispose();
        }
    }

    private void ReadStream(string path)
    {
        var region = new PixelRect(Width / 20, Height / 20, Width * 9 / 10, Height * 9 / 10);
        using IRegionStream? stream = _turbo.TryOpenRegionStream(path, Width, Height, region, PixelFormat.Rgbx8888);
        if (stream is null)
        {
            _turbo.Decode(path, PixelFormat.Rgbx8888).Dispose();
            return;
        }

        using var target = new PixelBuffer(region, PixelFormat.Rgbx8888);
        for (int y = region.Y; y < region.Bottom; y += 64)
        {
            var part = new PixelRect(region.X, y, region.Width, Math.Min(64, region.Bottom - y));
            stream.Read(part, target, part.X, part.Y);
        }
    }

    private void VerifyOrThrow(string dzi)
    {
        VerifyReport report = PyramidVerifier.Verify(dzi, _turbo, threads: 1);
        if (!report.IsSound)
        {
            throw new TesseraException(string.Join("; ", report.Problems));
        }
    }

    private static string? Refusal(Reader read, string path)
    {
        try
        {
            read(path);
            return null;
        }
        catch (TesseraException e)
        {
            return e.Message;
        }
    }

    private static bool VipsRefuses(string path)
    {
        try
        {
            using Image image = Image.NewFromFile(path, access: Enums.Access.Sequential, failOn: Enums.FailOn.Warning);
            image.Avg();
            return false;
        }
        catch (VipsException)
        {
            return true;
        }
    }

    /// <summary>The file damaged at <see cref="Offsets"/> places spread over it, each in three ways.</summary>
    private static IEnumerable<(string Kind, int At, byte[] Data)> Damaged(byte[] bytes)
    {
        var random = new Random(14);
        for (int i = 0; i < Offsets; i++)
        {
            int at = 2 + (int)((long)(bytes.Length - 4) * i / Offsets);
            byte[] zeroed = (byte[])bytes.Clone();
            Array.Clear(zeroed, at, Math.Min(ZeroedBytes, bytes.Length - 2 - at));
            yield return ($"{ZeroedBytes} bytes zeroed", at, zeroed);

            byte[] flipped = (byte[])bytes.Clone();
            flipped[at] ^= (byte)(1 << random.Next(8));
            yield return ("one bit flipped", at, flipped);

            byte[] scattered = (byte[])bytes.Clone();
            for (int flip = 0; flip < ScatteredFlips; flip++)
            {
                int where = Math.Min(bytes.Length - 3, at + random.Next(ScatteredSpan));
                scattered[where] ^= (byte)(1 << random.Next(8));
            }

            yield return ($"{ScatteredFlips} bits flipped", at, scattered);

            yield return ("cut", at, bytes[..at]);
        }
    }

    public void Dispose()
    {
        _turbo.Dispose();
        (_skia as IDisposable)?.Dispose();
        _dir.Dispose();
    }
}
