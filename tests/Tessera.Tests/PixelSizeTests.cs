using Tessera.Imaging;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>A pixel size is a length with its unit; anything else is refused by name, before a build starts.</summary>
public sealed class PixelSizeTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Theory]
    [InlineData("0.325um", 0.325)]
    [InlineData("0.325 µm", 0.325)]
    [InlineData("0.325μm", 0.325)]
    [InlineData("650nm", 0.65)]
    [InlineData("0.01mm", 10)]
    [InlineData("2.5e-6m", 2.5)]
    public void A_length_with_its_unit_is_read_in_micrometres(string text, double micrometres)
    {
        Assert.True(PixelSize.TryParse(text, out PixelSize size));
        Assert.Equal(micrometres, size.Micrometres, 12);
        Assert.Equal(size, PixelSize.Parse(size.ToString()));
    }

    [Theory]
    [InlineData("0.325")]
    [InlineData("")]
    [InlineData("-1um")]
    [InlineData("0um")]
    [InlineData("NaNum")]
    [InlineData("1e400um")]
    [InlineData("abcum")]
    [InlineData("1 furlong")]
    public void Anything_but_a_positive_length_with_a_unit_is_refused(string text)
    {
        Assert.False(PixelSize.TryParse(text, out _));
        Assert.Throws<FormatException>(() => PixelSize.Parse(text));
    }

    [Fact]
    public void The_command_refuses_a_bare_number_naming_the_option_and_writes_nothing()
    {
        var r = CliRunner.Run("build", _dir.Combine("tiles"), _dir.Combine("out", "p.dzi"), "--pixel-size", "0.325");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("--pixel-size", r.Error);
        Assert.Contains("0.325", r.Error);
        Assert.False(Directory.Exists(_dir.Combine("out")));
    }

    public void Dispose() => _dir.Dispose();
}
