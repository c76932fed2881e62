using Tessera.Build;
using Tessera.Codecs;
using Tessera.Illumination;
using Tessera.Layout;
using Tessera.Pyramid;
using Tessera.Registration;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>Register-then-build as one request (<see cref="BuildRequest.Registration"/>), and the register command's progress and summary.</summary>
public sealed class RegisteredBuildTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_request_with_Registration_builds_what_build_register_builds_and_writes_the_positions_report_and_gains()
    {
        string tiles = _dir.Combine("tiles");
        var set = JitteredTileSet.Write(tiles, new JitteredTileSetOptions { Across = 4, Down = 3 });
        string overlap = $"{set.Options.OverlapX},{set.Options.OverlapY}";
        string cli = _dir.Combine("cli.dzi");
        var built = CliRunner.Run(["build", tiles, cli, "--overlap", overlap, "--register", "--tile-size", "128"]);
        Assert.True(built.ExitCode == 0, built.Error);

        string library = _dir.Combine("library.dzi");
        var progress = new BuildProgress();
        using var codec = TileCodecs.Create(CodecChoice.Auto, out _) as IDisposable;
        BuildResult result = PyramidBuild.Run(new BuildRequest
        {
            InputDirectory = tiles,
            OutputPath = library,
            Overlap = new OverlapSpec(set.Options.OverlapX, set.Options.OverlapY, IsPercent: false),
            Pyramid = new PyramidOptions { TileSize = 128 },
            Registration = new RegistrationOptions(),
            Gains = GainsSpec.Measure(),
        }, (ITileCodec)codec!, progress);

        PyramidComparison.AssertIdenticalFiles(cli, library);
        var (cliFiles, libraryFiles) = (RegistrationFiles.BesideOutput(Path.ChangeExtension(cli, null)), result.RegistrationFiles!);
        Assert.Equal(File.ReadAllText(cliFiles.Positions), File.ReadAllText(libraryFiles.Positions));
        Assert.Equal(File.ReadAllText(cliFiles.Gains), File.ReadAllText(libraryFiles.Gains));
        Assert.Equal(12, PositionsFile.Read(libraryFiles.Positions, tiles).Count);
        Assert.Contains("first\tsecond\tdirection", File.ReadAllText(libraryFiles.Report));

        // 3×3 horizontal and 4×2 vertical neighbour pairs, each counted once; the gains measured on
        // the registration's own strips, so no tile is read a second time for them.
        Assert.Equal(17, progress.Registration.Total);
        Assert.Equal(17, progress.Registration.Done);
        Assert.Equal(0, progress.Gains.Total);
        Assert.NotNull(result.Registration);
        Assert.Equal(17, result.Registration!.Pairs);
        Assert.True(result.Positioned);
    }

    [Fact]
    public void A_request_with_Registration_and_Placements_or_a_Shard_is_refused_naming_them()
    {
        var request = new BuildRequest { InputDirectory = _dir.Path, OutputPath = _dir.Combine("x.dzi"), Registration = new RegistrationOptions() };
        var both = Assert.Throws<RequestException>(() => (request with { Placements = [] }).Validate());
        Assert.Contains(nameof(BuildRequest.Placements), both.Properties);
        var shard = Assert.Throws<RequestException>(() => (request with { Shard = new ShardSpec(0, 2) }).Validate());
        Assert.Contains(nameof(BuildRequest.Shard), shard.Properties);
        Assert.Contains("register once", shard.Message);
    }

    [Fact]
    public void Register_prints_plain_progress_lines_when_not_on_a_terminal_and_the_summary_at_the_end()
    {
        string tiles = _dir.Combine("tiles");
        var set = JitteredTileSet.Write(tiles, new JitteredTileSetOptions { Across = 6, Down = 5 });
        var r = CliRunner.RunWith(new Dictionary<string, string?> { ["TESSERA_PROGRESS_SECONDS"] = "0.02" },
            "register", tiles, "--overlap", $"{set.Options.OverlapX},{set.Options.OverlapY}");
        Assert.True(r.ExitCode == 0, r.Error);

        // 5×5 + 6×4 = 49 pairs; the lines name the stage, the count, the rate and the time left.
        Assert.Matches(@"tessera: registration: \d+/49 pairs \(\d+%\), [\d,]+ pairs/s, \d+m\d\ds left", r.Error);
        Assert.DoesNotContain("tessera: gains:", r.Error); // measured in the registration's own pass: no second one to show
        Assert.DoesNotContain("\u001b[", r.Error);
        int summary = r.Output.IndexOf("pairs             49 neighbour pairs", StringComparison.Ordinal);
        Assert.True(summary >= 0, r.Output);
        Assert.True(r.Output.IndexOf("wrote             ", summary, StringComparison.Ordinal) > summary, "the positions file is named after the summary");
        Assert.Contains("gains             ", r.Output);
    }
}
