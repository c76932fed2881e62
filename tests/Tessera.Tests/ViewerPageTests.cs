using Tessera.Codecs;
using Tessera.Pyramid;
using Tessera.Samples;
using Tessera.Tests.Support;
using Tessera.Viewer;
using Xunit;

namespace Tessera.Tests;

/// <summary>NAME.html, the viewer page every Deep Zoom build writes beside NAME.dzi (or NAME.zip).</summary>
public sealed class ViewerPageTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void Build_writes_a_self_contained_viewer_page_beside_the_dzi_before_it_and_verify_still_passes()
    {
        Build("directory");

        string html = File.ReadAllText(_dir.Combine("slide.html"));
        Assert.Contains("//! openseadragon 6.", html, StringComparison.Ordinal);
        Assert.Contains("\"tilesUrl\":\"slide_files/\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("src=\"http", html, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", html, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir.Combine("slide_files", "slide.html")));
        Assert.True(File.GetLastWriteTimeUtc(_dir.Combine("slide.html")) <= File.GetLastWriteTimeUtc(_dir.Combine("slide.dzi")), "the page was written after the .dzi");
        CliRunner.Result verify = CliRunner.Run("verify", _dir.Combine("slide.dzi"));
        Assert.True(verify.ExitCode == 0, verify.Error);
    }

    [Fact]
    public void Zip_build_writes_the_page_beside_the_zip_and_iiif_build_writes_none()
    {
        Build("zip");
        Assert.True(File.Exists(_dir.Combine("slide.zip")));
        Assert.Contains("\"container\":\"zip\"", File.ReadAllText(_dir.Combine("slide.html")), StringComparison.Ordinal);

        var iiif = CliRunner.Run("build", _dir.Combine("tiles"), _dir.Combine("iiif.dzi"), "--overlap", "16,12", "--layout", "iiif3");
        Assert.True(iiif.ExitCode == 0, iiif.Error);
        Assert.False(File.Exists(_dir.Combine("iiif.html")));
    }

    [Fact]
    public void Page_puts_names_in_safely()
    {
        string html = ViewerPage.Render("a</script><b>&{{PYRAMID}}", new DziGeometry(1000, 500, 254, 1), "png", zipped: false);

        Assert.DoesNotContain("a</script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.Contains("a%3C%2Fscript%3E%3Cb%3E%26%7B%7BPYRAMID%7D%7D_files/", html, StringComparison.Ordinal);
        Assert.Contains("\"topLevel\":10", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Overwrite_replaces_the_page_and_a_failed_fresh_build_leaves_none()
    {
        Build("directory");
        File.WriteAllText(_dir.Combine("slide.html"), "old");
        var again = CliRunner.Run("build", _dir.Combine("tiles"), _dir.Combine("slide.dzi"), "--overlap", "16,12", "--tile-size", "64", "--overwrite");
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.NotEqual("old", File.ReadAllText(_dir.Combine("slide.html")));

        File.WriteAllBytes(_dir.Combine("tiles", "1_1.jpg"), [0xFF, 0xD8, 0xFF]);
        var broken = CliRunner.Run("build", _dir.Combine("tiles"), _dir.Combine("broken.dzi"), "--overlap", "16,12", "--tile-size", "64");
        Assert.Equal(1, broken.ExitCode);
        Assert.False(File.Exists(_dir.Combine("broken.html")));
    }

    private void Build(string container)
    {
        SampleGrid.Write(_dir.Combine("tiles"), Support.Samples.Small(TileFormat.Jpeg));
        var build = CliRunner.Run("build", _dir.Combine("tiles"), _dir.Combine("slide.dzi"), "--overlap", "16,12", "--tile-size", "64", "--container", container);
        Assert.True(build.ExitCode == 0, build.Error);
    }

    public void Dispose() => _dir.Dispose();
}
