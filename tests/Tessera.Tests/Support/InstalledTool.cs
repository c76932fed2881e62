using System.Runtime.InteropServices;
using Xunit;

namespace Tessera.Tests.Support;

/// <summary>
/// The tessera .NET tool as a user gets it, made once for a test class: <c>dotnet pack</c> of
/// src/Tessera.Cli for this platform only (as scripts/install.sh packs it), then <c>dotnet tool
/// install --tool-path</c> into a temporary folder from that folder alone.
/// </summary>
public sealed class InstalledTool : IDisposable
{
    private static readonly TimeSpan PackTime = TimeSpan.FromMinutes(15);
    private readonly TempDirectory _dir = new();

    public InstalledTool()
    {
        Rid = ThisPlatformRid();
        Packages = _dir.Combine("packages");
        ToolPath = _dir.Combine("tools");
        string project = Path.Combine(RepositoryRoot(), "src", "Tessera.Cli");

        CliRunner.Result pack = ExternalCommand.Run("dotnet",
            ["pack", project, "-c", "Release", "-nologo", "-o", Packages, $"-p:ToolPackageRuntimeIdentifiers={Rid}"], PackTime);
        Assert.True(pack.ExitCode == 0, $"dotnet pack failed:\n{pack.Output}\n{pack.Error}");

        Version = Path.GetFileNameWithoutExtension(PointerPackage)["Tessera.Cli.".Length..];
        CliRunner.Result install = ExternalCommand.Run("dotnet",
            ["tool", "install", "--tool-path", ToolPath, "--source", Packages, "--version", Version, "Tessera.Cli"], TimeSpan.FromMinutes(5));
        Assert.True(install.ExitCode == 0, $"dotnet tool install failed:\n{install.Output}\n{install.Error}");
    }

    /// <summary>This machine's portable RID (linux-x64, osx-arm64, …), the tool package's.</summary>
    public string Rid { get; }

    public string Packages { get; }

    public string ToolPath { get; }

    public string Version { get; }

    /// <summary>The package with the tool itself, for this platform.</summary>
    public string PlatformPackage => Path.Combine(Packages, $"Tessera.Cli.{Rid}.{Version}.nupkg");

    /// <summary>The package <c>dotnet tool install Tessera.Cli</c> asks for, which names the platform ones.</summary>
    public string PointerPackage => Directory.GetFiles(Packages, "Tessera.Cli.*.nupkg")
        .Single(file => !Path.GetFileName(file).StartsWith($"Tessera.Cli.{Rid}.", StringComparison.Ordinal));

    /// <summary>Runs the installed <c>tessera</c> command, as a shell finds it on PATH.</summary>
    public CliRunner.Result Run(params string[] args) =>
        ExternalCommand.Run(Path.Combine(ToolPath, OperatingSystem.IsWindows() ? "tessera.exe" : "tessera"), args, TimeSpan.FromMinutes(2));

    public string Combine(params string[] parts) => _dir.Combine(parts);

    public void Dispose() => _dir.Dispose();

    private static string ThisPlatformRid()
    {
        string os = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "osx" : "win";
        return $"{os}-{RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}";
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Tessera.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No Tessera.sln above {AppContext.BaseDirectory}: the tool tests pack src/Tessera.Cli from the checkout.");
    }
}
