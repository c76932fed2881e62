using NetVips;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Samples;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>--layout iiif3 writes the files, names and info.json libvips writes, with the same pixels.</summary>
public sealed class IiifTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Theory]
    [InlineData(null)]
    [InlineData("64")]
    public void Iiif3_matches_libvips(string? tileSize)
    {
        SampleOptions sample = Support.Samples.Small(TileFormat.Png) with { Across = 6, Down = 5 };
        SampleGrid.Write(_dir.Combine("tiles"), sample);
        string[] size = tileSize is null ? [] : ["--tile-size", tileSize];
        var build = CliRunner.Run(["build", _dir.Combine("tiles"), _dir.Combine("ours", "slide.dzi"), "--pattern", "{x}_{y}.png",
            "--overlap", "16,12", "--format", "png", "--layout", "iiif3", .. size]);
        Assert.True(build.ExitCode == 0, build.Error);

        TileGrid grid = GridScanner.Scan(_dir.Combine("tiles"), new LayoutOptions("{x}_{y}.png"));
        Directory.CreateDirectory(_dir.Combine("theirs"));
        using (Image composed = VipsReference.Compose(grid, sample.TileWidth, sample.TileHeight, sample.OverlapX, sample.OverlapY, Rgb.Black, 3))
        {
            if (tileSize is null)
            {
                composed.Dzsave(_dir.Combine("theirs", "slide"), layout: Enums.ForeignDzLayout.Iiif3, suffix: ".png");
            }
            else
            {
                composed.Dzsave(_dir.Combine("theirs", "slide"), layout: Enums.ForeignDzLayout.Iiif3, suffix: ".png", tileSize: int.Parse(tileSize, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        string ours = _dir.Combine("ours", "slide"), theirs = _dir.Combine("theirs", "slide");
        string[] Files(string root) => Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f)).Where(f => f != "vips-properties.xml" && f != Tessera.Outputs.OutputFolder.MarkerName).Order(StringComparer.Ordinal).ToArray();
        string[] expected = Files(theirs);
        Assert.Equal(expected, Files(ours));
        Assert.Equal(File.ReadAllText(Path.Combine(theirs, "info.json")), File.ReadAllText(Path.Combine(ours, "info.json")));
        foreach (string name in expected.Where(n => n.EndsWith(".png", StringComparison.Ordinal)))
        {
            using Image a = Image.NewFromFile(Path.Combine(theirs, name));
            using Image b = Image.NewFromFile(Path.Combine(ours, name));
            Assert.True((a.Width, a.Height, a.Bands) == (b.Width, b.Height, b.Bands), $"{name}: {a.Width}×{a.Height} vs {b.Width}×{b.Height}");
            Assert.True((a - b).Abs().Max() <= 1, $"{name}: pixels differ");
        }

        Assert.False(Directory.Exists(_dir.Combine("ours", "slide.tessera")));
    }

    public void Dispose() => _dir.Dispose();
}
