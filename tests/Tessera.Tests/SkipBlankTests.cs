using System.Globalization;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Pyramid;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>--skip-blank [TOLERANCE]: glass (the background with camera noise and JPEG) is left out, the specimen never.</summary>
public sealed class SkipBlankTests : IDisposable
{
    private const int Across = 6, Down = 5, TileWidth = 400, TileHeight = 300;
    private const byte Glass = 238;
    private const string Background = "238";

    /// <summary>The specimen in the mosaic: a textured patch, with a faint rim 14 levels off the glass, just beyond a tolerance of 10.</summary>
    private static readonly PixelRect Specimen = new(900, 500, 620, 480);
    private const int Rim = 40, RimDepth = 14;

    private readonly TempDirectory _dir = new();

    public SkipBlankTests() => WriteSlide(_dir.Combine("tiles"));

    [Fact]
    public void Skip_blank_10_leaves_out_the_noisy_glass_and_keeps_every_specimen_tile()
    {
        var build = CliRunner.Run("build", _dir.Combine("tiles"), _dir.Combine("slide.dzi"), "--background", Background, "--skip-blank", "10");
        Assert.True(build.ExitCode == 0, build.Error);

        var geometry = new DziGeometry(Across * TileWidth, Down * TileHeight, 254, 1);
        int absent = 0;
        for (int level = geometry.TopLevel; level >= geometry.TopLevel - 2; level--)
        {
            int shift = geometry.TopLevel - level;
            var specimen = PixelRect.FromEdges(Specimen.X >> shift, Specimen.Y >> shift, DziGeometry.CeilShift(Specimen.Right, shift), DziGeometry.CeilShift(Specimen.Bottom, shift));
            var (columns, rows) = geometry.TileCount(level);
            for (int row = 0; row < rows; row++)
            {
                for (int column = 0; column < columns; column++)
                {
                    PixelRect tile = geometry.TileRect(level, column, row);
                    bool present = File.Exists(_dir.Combine("slide_files", level.ToString(CultureInfo.InvariantCulture), $"{column}_{row}.jpeg"));
                    if (tile.IntersectsWith(specimen))
                    {
                        Assert.True(present, $"level {level} tile {column}_{row} shows the specimen but was left out");
                    }
                    else if (!tile.IntersectsWith(specimen.Inflate(16)))
                    {
                        // Clear of the specimen by more than JPEG's 8×8 blocks (and the halving) can carry it.
                        Assert.False(present, $"level {level} tile {column}_{row} is glass but was written");
                        absent++;
                    }
                }
            }
        }

        Assert.True(absent > 40, $"only {absent} glass tiles were checked");
        Assert.Contains("blank", build.Output + build.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Skip_blank_0_is_the_exact_test_and_noisy_glass_is_never_exactly_the_background()
    {
        var build = CliRunner.Run("build", _dir.Combine("tiles"), _dir.Combine("slide.dzi"), "--background", Background, "--skip-blank", "0");
        Assert.True(build.ExitCode == 0, build.Error);
        int top = new DziGeometry(Across * TileWidth, Down * TileHeight, 254, 1).TopLevel;
        Assert.True(File.Exists(_dir.Combine("slide_files", top.ToString(CultureInfo.InvariantCulture), "0_0.jpeg")), "a noisy glass tile was taken for exactly the background");
    }

    [Fact]
    public void Skip_blank_without_a_number_takes_the_default()
    {
        var bare = CliRunner.Run("build", _dir.Combine("tiles"), _dir.Combine("bare.dzi"), "--skip-blank", "--background", Background);
        Assert.True(bare.ExitCode == 0, bare.Error);
        var five = CliRunner.Run("build", _dir.Combine("tiles"), _dir.Combine("five.dzi"), "--background", Background, "--skip-blank", "5");
        Assert.True(five.ExitCode == 0, five.Error);
        Assert.Equal(TileNames(_dir.Combine("five_files")), TileNames(_dir.Combine("bare_files")));
        var none = CliRunner.Run("build", _dir.Combine("tiles"), _dir.Combine("none.dzi"), "--background", Background);
        Assert.True(none.ExitCode == 0, none.Error);
        Assert.True(TileNames(_dir.Combine("none_files")).Count > TileNames(_dir.Combine("five_files")).Count, "without --skip-blank, no tile may be left out");
    }

    [Theory]
    [InlineData("256")]
    [InlineData("-1")]
    [InlineData("glass")]
    public void A_tolerance_outside_0_to_255_is_refused_by_its_option(string tolerance)
    {
        var build = CliRunner.Run("build", _dir.Combine("tiles"), _dir.Combine("slide.dzi"), "--skip-blank", tolerance);
        Assert.Equal(1, build.ExitCode);
        Assert.Contains("--skip-blank", build.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir.Combine("slide.dzi")));
        Assert.False(Directory.Exists(_dir.Combine("slide_files")));
    }

    public void Dispose() => _dir.Dispose();

    private static List<string> TileNames(string folder) =>
        Directory.EnumerateFiles(folder, "*.jpeg", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f)).Order(StringComparer.Ordinal).ToList();

    /// <summary>A slide: glass with Gaussian camera noise (σ 2) everywhere, the specimen in the middle, every tile a JPEG.</summary>
    private static void WriteSlide(string directory)
    {
        Directory.CreateDirectory(directory);
        var codec = new SkiaTileCodec();
        for (int r = 0; r < Down; r++)
        {
            for (int c = 0; c < Across; c++)
            {
                var rect = new PixelRect(c * TileWidth, r * TileHeight, TileWidth, TileHeight);
                using var tile = new PixelBuffer(rect, PixelFormat.Rgbx8888);
                Paint(tile, new Random((r * Across) + c));
                using IEncodedImage encoded = codec.Encode(tile, rect, new EncodeSettings(TileFormat.Jpeg, 90));
                File.WriteAllBytes(Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{c}_{r}.jpg")), encoded.Bytes);
            }
        }
    }

    private static void Paint(PixelBuffer tile, Random random)
    {
        PixelRect core = Specimen.Inflate(-Rim);
        for (int y = tile.Bounds.Y; y < tile.Bounds.Bottom; y++)
        {
            Span<byte> row = tile.RowAt(tile.Bounds.X, y, tile.Width);
            for (int x = tile.Bounds.X; x < tile.Bounds.Right; x++)
            {
                bool inSpecimen = x >= Specimen.X && x < Specimen.Right && y >= Specimen.Y && y < Specimen.Bottom;
                bool inCore = x >= core.X && x < core.Right && y >= core.Y && y < core.Bottom;
                double level = !inSpecimen ? Glass
                    : !inCore ? Glass - RimDepth
                    : Glass - 70 + (25 * Math.Sin(x / 9.0) * Math.Cos(y / 13.0));
                int i = (x - tile.Bounds.X) * 4;
                for (int channel = 0; channel < 3; channel++)
                {
                    row[i + channel] = (byte)Math.Clamp(Math.Round(level + (2 * Gaussian(random))), 0, 255);
                }

                row[i + 3] = 255;
            }
        }
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
