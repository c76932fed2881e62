using System.IO.Compression;
using System.Xml.Linq;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>
/// The <c>tessera</c> .NET tool as people install it (issue 15): one small package per platform,
/// installed with <c>dotnet tool install</c>, that names itself tessera and builds a pyramid.
/// </summary>
public sealed class ToolPackageTests(InstalledTool tool) : IClassFixture<InstalledTool>
{
    private const long MaxPackageBytes = 60_000_000;

    [Fact]
    public void Help_of_the_installed_tool_starts_with_its_name()
    {
        var help = tool.Run("--help");
        Assert.True(help.ExitCode == 0, help.Error);
        Assert.StartsWith($"tessera {tool.Version}", help.Output, StringComparison.Ordinal);
        Assert.Contains("Usage:\n  tessera [command] [options]", help.Output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain("Tessera.Cli", help.Output, StringComparison.Ordinal);

        var buildHelp = tool.Run("build", "--help");
        Assert.Contains("tessera build <INPUT_DIR> <OUTPUT.dzi> [options]", buildHelp.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_installed_tool_writes_a_sample_and_builds_a_sound_pyramid_of_it()
    {
        string tiles = tool.Combine("sample", "tiles");
        string pyramid = tool.Combine("sample", "slide.dzi");

        var sample = tool.Run("sample", tiles, "--across", "3", "--down", "2");
        Assert.True(sample.ExitCode == 0, sample.Error);
        var build = tool.Run("build", tiles, pyramid, "--overlap", "10%");
        Assert.True(build.ExitCode == 0, build.Error);
        Assert.Contains("Wrote ", build.Output, StringComparison.Ordinal);
        var verify = tool.Run("verify", pyramid);
        Assert.True(verify.ExitCode == 0, verify.Output + verify.Error);
    }

    [Fact]
    public void The_platform_package_is_at_most_60_MB_and_holds_only_this_platforms_files()
    {
        long bytes = new FileInfo(tool.PlatformPackage).Length;
        Assert.True(bytes <= MaxPackageBytes, $"{tool.PlatformPackage} is {bytes:N0} bytes, over {MaxPackageBytes:N0}");

        using ZipArchive package = ZipFile.OpenRead(tool.PlatformPackage);
        string toolFolder = $"tools/net10.0/{tool.Rid}/";
        string[] files = [.. package.Entries.Select(e => e.FullName).Where(name => name.StartsWith("tools/", StringComparison.Ordinal))];
        Assert.Contains(toolFolder + "Tessera.Cli.dll", files);
        Assert.Contains(toolFolder + NativeName("vips"), files);
        Assert.Contains(toolFolder + "THIRD-PARTY-NOTICES.md", files);
        Assert.All(files, name => Assert.StartsWith(toolFolder, name, StringComparison.Ordinal));
        Assert.DoesNotContain(files, name => name.EndsWith(".pdb", StringComparison.Ordinal) || name.Contains("/runtimes/", StringComparison.Ordinal));
        Assert.DoesNotContain(files, name => IsForeignNativeLibrary(Path.GetFileName(name)));
        if (OperatingSystem.IsLinux())
        {
            foreach (ZipArchiveEntry library in package.Entries.Where(e => e.Name.Contains(".so", StringComparison.Ordinal)))
            {
                Assert.True(ElfMachine(library) == ThisElfMachine(), $"{library.FullName} is built for ELF machine {ElfMachine(library)}, not this processor's {ThisElfMachine()}");
            }
        }
    }

    [Fact]
    public void The_packages_say_their_licence_and_carry_the_notices()
    {
        foreach (string file in new[] { tool.PointerPackage, tool.PlatformPackage })
        {
            using ZipArchive package = ZipFile.OpenRead(file);
            ZipArchiveEntry nuspec = package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
            using Stream stream = nuspec.Open();
            XElement metadata = XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            XElement licence = metadata.Elements().Single(e => e.Name.LocalName == "license");
            Assert.Equal(("expression", "MIT"), ((string?)licence.Attribute("type"), licence.Value));
            Assert.Equal("README.md", metadata.Elements().Single(e => e.Name.LocalName == "readme").Value);
            Assert.NotNull(package.GetEntry("LICENSE"));
            Assert.NotNull(package.GetEntry("THIRD-PARTY-NOTICES.md"));
        }
    }

    /// <summary>e_machine of an ELF file: which processor it runs on.</summary>
    private static int ElfMachine(ZipArchiveEntry entry)
    {
        using Stream stream = entry.Open();
        Span<byte> header = stackalloc byte[20];
        stream.ReadExactly(header);
        Assert.True(header[..4].SequenceEqual("\u007FELF"u8), $"{entry.FullName} is not an ELF file");
        return header[18] | (header[19] << 8);
    }

    private static int ThisElfMachine() => System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => 62,
        System.Runtime.InteropServices.Architecture.Arm64 => 183,
        System.Runtime.InteropServices.Architecture other => throw new PlatformNotSupportedException($"no ELF machine number known here for {other}"),
    };

    private static string NativeName(string library) =>
        OperatingSystem.IsLinux() ? $"lib{library}.so.42" : OperatingSystem.IsMacOS() ? $"lib{library}.42.dylib" : $"lib{library}-42.dll";

    /// <summary>A native library built for another operating system than this one.</summary>
    private static bool IsForeignNativeLibrary(string file) =>
        OperatingSystem.IsLinux() ? file.EndsWith(".dylib", StringComparison.Ordinal) || file.StartsWith("libvips-", StringComparison.Ordinal) || file == "libSkiaSharp.dll"
        : OperatingSystem.IsMacOS() ? file.Contains(".so", StringComparison.Ordinal) || file.EndsWith("-42.dll", StringComparison.Ordinal)
        : file.Contains(".so", StringComparison.Ordinal) || file.EndsWith(".dylib", StringComparison.Ordinal);
}
