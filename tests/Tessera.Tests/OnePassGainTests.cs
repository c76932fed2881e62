using System.Collections.Concurrent;
using System.Globalization;
using Tessera.Codecs;
using Tessera.Compositing;
using Tessera.Illumination;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Registration;
using Tessera.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Tessera.Tests;

/// <summary>
/// Gains measured in registration's own pass, on the strips it decodes anyway: every tile decoded
/// once, and the gains those of a second pass over the tiles at their registered places.
/// </summary>
public sealed class OnePassGainTests(ITestOutputHelper output)
{
    private static readonly JitteredTileSetOptions Options = new() { Across = 8, Down = 6, GainSpread = 0.1, Vignetting = 0, Seed = 29 };

    [Fact]
    public void Registering_with_gains_decodes_every_tile_once_and_finds_the_gains_a_second_pass_would()
    {
        using var dir = new TempDirectory();
        JitteredTileSet set = JitteredTileSet.Write(dir.Combine("tiles"), Options);
        TileGrid grid = GridScanner.Scan(dir.Combine("tiles"), new LayoutOptions("{x}_{y}.jpg"));
        var counting = new CountingCodec(TileCodecs.Create(CodecChoice.Auto, out _));
        var files = new RegistrationFiles(dir.Combine("registered.txt"));
        RegistrationResult registered = RegistrationRun.Run(grid, new OverlapSpec(Options.OverlapX, Options.OverlapY, false), new RegistrationOptions { Threads = 2 },
            counting, dir.Combine("tiles"), files, gains: new GainSampling(null, new GainBalanceOptions()));

        // One decode per tile: the strips of both scales, the null sample and the gains all come from
        // it; only the tiles of the few pairs the solve moved from their own measurement are read again.
        GainMeasurement onePass = registered.Gains!;
        output.WriteLine(string.Join(Environment.NewLine, onePass.Notes()));
        Assert.Equal(grid.PresentCount, counting.Decodes.Count);
        Assert.True(onePass.Reread <= onePass.Pairs / 10, $"{onePass.Reread} of {onePass.Pairs} pairs read again");
        int twice = counting.Decodes.Count(d => d.Value > 1);
        Assert.True(twice <= 2 * onePass.Reread, $"{twice} tiles decoded more than once for {onePass.Reread} pairs read again");
        Assert.True(counting.Decodes.Values.Sum() <= grid.PresentCount + (2 * onePass.Reread), $"{counting.Decodes.Values.Sum()} decodes of {grid.PresentCount} tiles");
        Assert.True(File.Exists(files.Gains), "no gains file beside the positions");
        TileGains written = GainsFile.Read(files.Gains, dir.Combine("tiles"));
        Assert.Equal(grid.PresentCount, written.Count);

        // The second pass: every tile read again at its registered place.
        var mosaic = PlacedMosaic.FromPlacements(registered.Placements, _ => (Options.TileWidth, Options.TileHeight));
        GainMeasurement twoPass = GainBalance.Measure(mosaic, TileCodecs.Create(CodecChoice.Auto, out _), null, new GainBalanceOptions { Threads = 2 });
        double apart = 0, fromTruth = 0, twoFromTruth = 0, meanOne = 0, meanTruth = 0, meanTwo = 0;
        for (int i = 0; i < onePass.Gains.Count; i++)
        {
            meanOne += onePass.Gains.GainOf(i) / twoPass.Gains.GainOf(i) / onePass.Gains.Count;
            meanTruth += onePass.Gains.GainOf(i) / set.Gains[Cell(onePass.Gains.PathOf(i))] / onePass.Gains.Count;
            meanTwo += twoPass.Gains.GainOf(i) / set.Gains[Cell(onePass.Gains.PathOf(i))] / onePass.Gains.Count;
        }

        for (int i = 0; i < onePass.Gains.Count; i++)
        {
            Assert.Equal(twoPass.Gains.PathOf(i), onePass.Gains.PathOf(i));
            Assert.Equal(onePass.Gains.GainOf(i), written.GainOf(i), 4);
            apart = Math.Max(apart, Math.Abs((onePass.Gains.GainOf(i) / twoPass.Gains.GainOf(i) / meanOne) - 1));
            fromTruth = Math.Max(fromTruth, Math.Abs((onePass.Gains.GainOf(i) / set.Gains[Cell(onePass.Gains.PathOf(i))] / meanTruth) - 1));
            twoFromTruth = Math.Max(twoFromTruth, Math.Abs((twoPass.Gains.GainOf(i) / set.Gains[Cell(onePass.Gains.PathOf(i))] / meanTwo) - 1));
        }

        string summary = string.Create(CultureInfo.InvariantCulture,
            $"one pass against two: worst {100 * apart:F3} %; against the true gains: worst {100 * fromTruth:F3} % (two passes: {100 * twoFromTruth:F3} %; {onePass.Used} of {onePass.Pairs} pairs used, {twoPass.Used} of {twoPass.Pairs} in two passes)");
        output.WriteLine(summary);
        // Tolerance (0.5 %; 0.08 % seen): the strips are the overlaps at 1/2 scale where the second
        // pass reads them at 1/4, and a pair is measured where its own shift puts it (to within 1 px of the solve).
        Assert.True(apart <= 0.005, summary);
        Assert.True(fromTruth <= twoFromTruth + 0.002, summary);
        Assert.Equal(twoPass.Pairs, onePass.Pairs);
    }

    private static (int Column, int Row) Cell(string path)
    {
        string[] parts = Path.GetFileNameWithoutExtension(path).Split('_');
        return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    /// <summary>The real codec, counting each file's decodes.</summary>
    private sealed class CountingCodec(ITileCodec inner) : ITileCodec
    {
        public ConcurrentDictionary<string, int> Decodes { get; } = new(StringComparer.Ordinal);

        public string Name => inner.Name;

        public ImageHeader ReadHeader(string path) => inner.ReadHeader(path);

        public PixelBuffer Decode(string path, PixelFormat format, PixelMemoryPool? pool = null)
        {
            Decodes.AddOrUpdate(path, 1, (_, n) => n + 1);
            return inner.Decode(path, format, pool);
        }

        public IEncodedImage Encode(PixelBuffer source, PixelRect region, EncodeSettings settings) => inner.Encode(source, region, settings);
    }
}
