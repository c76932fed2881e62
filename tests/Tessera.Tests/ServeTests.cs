using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Tessera.Samples;
using Tessera.Serving;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>tessera serve over HTTP: what it serves from a folder or a zip, with which headers, and what it refuses.</summary>
public sealed class ServeTests : IDisposable
{
    private const string Secret = "TESSERA-SECRET-7f3a";

    private readonly TempDirectory _dir = new();

    [Theory]
    [InlineData("directory")]
    [InlineData("zip")]
    public async Task Serve_answers_page_dzi_and_tiles_with_types_etags_cache_control_and_ranges(string container)
    {
        string pyramid = Build(container);
        using ServeProcess serve = ServeProcess.Start(pyramid);
        using var http = new HttpClient { BaseAddress = new Uri(serve.Address) };
        byte[] expected = ReadTile(container, "9/1_0.jpeg");

        using HttpResponseMessage page = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("OpenSeadragon", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/slide.html")).StatusCode);

        using HttpResponseMessage dzi = await http.GetAsync("/slide.dzi");
        Assert.Equal("application/xml", dzi.Content.Headers.ContentType?.MediaType);
        Assert.Contains("TileSize=\"64\"", await dzi.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using HttpResponseMessage tile = await http.GetAsync("/slide_files/9/1_0.jpeg");
        Assert.Equal(HttpStatusCode.OK, tile.StatusCode);
        Assert.Equal("image/jpeg", tile.Content.Headers.ContentType?.MediaType);
        Assert.Equal(expected, await tile.Content.ReadAsByteArrayAsync());
        EntityTagHeaderValue etag = tile.Headers.ETag ?? throw new Xunit.Sdk.XunitException("no ETag");
        Assert.False(etag.IsWeak);
        Assert.Equal(PyramidSite.TileCacheControl, tile.Headers.CacheControl?.ToString());
        Assert.NotNull(tile.Content.Headers.LastModified);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/slide_files/9/1_0.jpeg");
        conditional.Headers.IfNoneMatch.Add(etag);
        using HttpResponseMessage notModified = await http.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        using var ranged = new HttpRequestMessage(HttpMethod.Get, "/slide_files/9/1_0.jpeg");
        ranged.Headers.Range = new RangeHeaderValue(10, 29);
        using HttpResponseMessage part = await http.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(expected[10..30], await part.Content.ReadAsByteArrayAsync());
        Assert.Equal(expected.Length, part.Content.Headers.ContentRange?.Length);

        using var head = new HttpRequestMessage(HttpMethod.Head, "/slide_files/9/1_0.jpeg");
        using HttpResponseMessage headResponse = await http.SendAsync(head);
        Assert.Equal(HttpStatusCode.OK, headResponse.StatusCode);
        Assert.Equal(expected.Length, headResponse.Content.Headers.ContentLength);

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/slide_files/9/9_9.jpeg")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/slide_files/30/0_0.jpeg")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/slide_files/9/1_0.png")).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await http.PostAsync("/slide.dzi", new StringContent("x"))).StatusCode);
    }

    [Theory]
    [InlineData("directory")]
    [InlineData("zip")]
    public void Serve_refuses_traversal_encoded_traversal_absolute_paths_and_listings(string container)
    {
        string pyramid = Build(container);
        File.WriteAllText(_dir.Combine("secret.txt"), Secret);
        string outside = Path.Combine(Path.GetTempPath(), "tessera-tests", $"secret-{Guid.NewGuid():N}.txt");
        File.WriteAllText(outside, Secret);
        if (container == "directory")
        {
            File.WriteAllText(_dir.Combine("slide_files", "secret.txt"), Secret);
        }

        try
        {
            using ServeProcess serve = ServeProcess.Start(pyramid);
            string[] targets =
            [
                "/../secret.txt", "/slide_files/../../secret.txt", "/slide_files/3/../../../secret.txt", "/./secret.txt",
                "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/slide_files/%2e%2e/%2e%2e/secret.txt", "/..%2fsecret.txt", "/slide_files%2f..%2f..%2fsecret.txt",
                "/slide_files/..%5c..%5csecret.txt", "/slide_files\\..\\..\\secret.txt", "/%252e%252e/secret.txt", "/slide_files/3/%00.jpeg",
                "/secret.txt", "/slide_files/secret.txt", "/tiles/0_0.jpg", "/slide.zip", "/etc/passwd", "//etc/passwd", outside, "/" + outside,
                $"http://127.0.0.1:{serve.Port}/../secret.txt", $"http://127.0.0.1:{serve.Port}{outside}",
                "/slide_files/", "/slide_files", "/slide_files/3/", "/slide_files/3", "/slide_files/3/01_0.jpeg", "/slide_files/+9/1_0.jpeg",
            ];
            foreach (string target in targets)
            {
                RawHttp.Response response = RawHttp.Get(serve.Port, target);
                Assert.True(response.Status is 400 or 404, $"GET {target}: {response.Status}\n{response.Head}");
                Assert.DoesNotContain(Secret, response.Body, StringComparison.Ordinal);
                Assert.DoesNotContain("root:", response.Body, StringComparison.Ordinal);
            }

            Assert.Equal(200, RawHttp.Get(serve.Port, "/slide_files/9/1_0.jpeg").Status);
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Fact]
    public void Site_refuses_steps_out_before_looking_anything_up()
    {
        using PyramidSite site = PyramidSite.Open(Build("directory"));
        foreach (string target in new[] { "/../slide.dzi", "/slide_files/../slide.dzi", "/%2e%2e/slide.dzi", "/slide_files%2fslide.dzi", "/slide_files\\3\\1_0.jpeg", "http://x/slide.dzi", "*" })
        {
            Assert.True(site.Resolve(target).Status == 400, target);
        }

        Assert.Equal(200, site.Resolve("/slide.dzi").Status);
        Assert.Equal(200, site.Resolve("/slide_files/9/1_0.jpeg?v=2").Status);
        Assert.Equal(404, site.Resolve("/slide.tessera/job.json").Status);
    }

    [Fact]
    public void Serve_stops_cleanly_on_ctrl_c()
    {
        using ServeProcess serve = ServeProcess.Start(Build("directory"));

        Assert.Equal(0, serve.Interrupt(TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public void Serve_rejects_a_missing_file_a_non_pyramid_and_a_zip_without_a_dzi_in_one_line()
    {
        File.WriteAllText(_dir.Combine("notes.txt"), "hello");
        using (ZipArchive zip = ZipFile.Open(_dir.Combine("other.zip"), ZipArchiveMode.Create))
        {
            zip.CreateEntry("readme.txt");
        }

        File.WriteAllText(_dir.Combine("broken.dzi"), "<html/>");
        (string File, string Says)[] cases =
        [
            (_dir.Combine("nothing.dzi"), "does not exist"),
            (_dir.Combine("notes.txt"), "is not a Deep Zoom pyramid"),
            (_dir.Combine("other.zip"), "has no other.dzi"),
            (_dir.Combine("broken.dzi"), "is not a valid .dzi"),
            (_dir.Path, "is a folder"),
        ];
        foreach ((string file, string says) in cases)
        {
            CliRunner.Result result = CliRunner.Run("serve", file);
            Assert.True(result.ExitCode == 1, $"{file}: exit {result.ExitCode}\n{result.Error}");
            Assert.Contains(says, result.Error, StringComparison.Ordinal);
            Assert.Single(result.Error.Trim().Split('\n'));
        }

        Assert.Equal(1, CliRunner.Run("serve", _dir.Combine("nothing.dzi"), "--port", "70000").ExitCode);
    }

    private string Build(string container)
    {
        SampleOptions sample = Support.Samples.Small();
        SampleGrid.Write(_dir.Combine("tiles"), sample);
        var build = CliRunner.Run("build", _dir.Combine("tiles"), _dir.Combine("slide.dzi"), "--overlap", "16,12", "--tile-size", "64", "--container", container);
        Assert.True(build.ExitCode == 0, build.Error);
        return _dir.Combine(container == "zip" ? "slide.zip" : "slide.dzi");
    }

    private byte[] ReadTile(string container, string name)
    {
        if (container == "directory")
        {
            return File.ReadAllBytes(_dir.Combine("slide_files", name));
        }

        using ZipArchive zip = ZipFile.OpenRead(_dir.Combine("slide.zip"));
        using Stream entry = zip.GetEntry("slide_files/" + name)!.Open();
        using var copy = new MemoryStream();
        entry.CopyTo(copy);
        return copy.ToArray();
    }

    public void Dispose() => _dir.Dispose();
}
