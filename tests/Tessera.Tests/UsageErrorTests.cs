using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>
/// A command line that does not parse: each mistake named once on standard error, in one line,
/// with where to look, a failing exit code, and nothing on standard output (no help dump).
/// </summary>
public sealed class UsageErrorTests
{
    private static void AssertUsageError(CliRunner.Result r, string expectedLine)
    {
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Output);
        string[] lines = r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal(expectedLine, lines[0]);
        Assert.StartsWith("Run 'tessera", lines[1]);
        Assert.EndsWith("--help' to see its arguments and options.", lines[1]);
    }

    [Fact]
    public void A_misspelt_option_is_named_with_the_option_meant()
    {
        AssertUsageError(CliRunner.Run("build", "in", "out.dzi", "--qualty", "80"),
            "tessera build: error: unknown option --qualty (did you mean --quality?)");
    }

    [Fact]
    public void Missing_arguments_are_named()
    {
        AssertUsageError(CliRunner.Run("build"), "tessera build: error: missing <INPUT_DIR> and <OUTPUT.dzi>");
        AssertUsageError(CliRunner.Run("build", "in"), "tessera build: error: missing <OUTPUT.dzi>");
    }

    [Fact]
    public void A_value_of_the_wrong_kind_says_what_was_expected()
    {
        AssertUsageError(CliRunner.Run("build", "in", "out.dzi", "--quality", "high"),
            "tessera build: error: --quality high: expected a whole number");
        AssertUsageError(CliRunner.Run("build", "in", "out.dzi", "--blend", "soft"),
            "tessera build: error: --blend soft: expected one of seam, overlay, linear");
        AssertUsageError(CliRunner.Run("build", "in", "out.dzi", "--threads"),
            "tessera build: error: --threads needs a value");
    }

    [Fact]
    public void An_unknown_command_is_named_with_the_command_meant()
    {
        AssertUsageError(CliRunner.Run("bild", "in", "out.dzi"), "tessera: error: unknown command bild (did you mean build?)");
    }

    [Fact]
    public void An_extra_argument_is_named()
    {
        AssertUsageError(CliRunner.Run("verify", "a.dzi", "b.dzi"), "tessera verify: error: unexpected argument b.dzi");
    }

    [Fact]
    public void Tessera_alone_shows_its_commands_and_fails()
    {
        var r = CliRunner.Run();
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("tessera ", r.Output);
        Assert.Contains("build", r.Output);
        Assert.Contains("register", r.Output);
    }
}
