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

    [Fact]
    public void A_zip_that_libvips_wrote_is_served_in_place()
    {
        string zip = _dir.Combine("slide.zip");
        using (NetVips.Image image = NetVips.Image.Gaussnoise(300, 200).Cast(NetVips.Enums.BandFormat.Uchar).Bandjoin(NetVips.Image.Black(300, 200), NetVips.Image.Black(300, 200)))
        {
            image.Dzsave(zip, tileSize: 64);
        }

        List<(string Name, byte[] Data)> entries = CraftedZips.ReadAll(zip);
        using PyramidSite site = PyramidSite.Open(zip);
        SiteResponse dzi = site.Resolve("/slide.dzi");
        Assert.Equal(200, dzi.Status);
        Assert.Equal(entries.Single(e => e.Name == "slide.dzi").Data, dzi.Body.ToArray());
        foreach ((string name, byte[] data) in entries.Where(e => e.Name.EndsWith(".jpeg", StringComparison.Ordinal)))
        {
            SiteResponse tile = site.Resolve("/" + name);
            Assert.True(tile.Status == 200, $"{name}: {tile.Status} {tile.Reason}");
            Assert.Equal(data, tile.Body.ToArray());
        }
    }

    [Fact]
    public void Serve_answers_only_to_its_own_host_names()
    {
        using ServeProcess serve = ServeProcess.Start(Build("directory"));
        int port = serve.Port;
        foreach (string host in new[] { $"127.0.0.1:{port}", $"localhost:{port}", $"LocalHost:{port}", $"[::1]:{port}" })
        {
            Assert.Equal(200, RawHttp.Get(port, "/slide_files/9/1_0.jpeg", host).Status);
        }

        foreach (string host in new[] { $"attacker.example:{port}", "attacker.example", $"127.0.0.1:{port + 1}", $"localhost.attacker.example:{port}", "127.0.0.1" })
        {
            RawHttp.Response response = RawHttp.Get(port, "/slide_files/9/1_0.jpeg", host);
            Assert.True(response.Status == 421, $"Host {host}: {response.Status}");
            Assert.DoesNotContain("JFIF", response.Body, StringComparison.Ordinal);
        }

        Assert.Equal(421, RawHttp.Get(port, "/", "rebound.example").Status);
    }

    [Theory]
    [InlineData("127.0.0.1:8080", 8080, true)]
    [InlineData("localhost:8080", 8080, true)]
    [InlineData("[::1]:8080", 8080, true)]
    [InlineData("localhost", 80, true)]
    [InlineData("localhost", 8080, false)]
    [InlineData("localhost:80", 8080, false)]
    [InlineData("evil.example:8080", 8080, false)]
    [InlineData("127.0.0.1.evil.example:8080", 8080, false)]
    [InlineData("", 8080, false)]
    public void Loopback_host_names_are_the_servers_own_with_its_port(string host, int port, bool own) =>
        Assert.Equal(own, LoopbackHost.IsOwn(host, port));

    [Fact]
    public void Serve_follows_no_link_out_of_the_pyramid()
    {
        string pyramid = Build("directory");
        string outside = _dir.Combine("outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "secret.jpeg"), Secret);
        File.WriteAllText(Path.Combine(outside, "0_0.jpeg"), Secret);
        string level9 = _dir.Combine("slide_files", "9");
        File.Delete(Path.Combine(level9, "2_0.jpeg"));
        File.CreateSymbolicLink(Path.Combine(level9, "2_0.jpeg"), Path.Combine(outside, "secret.jpeg"));
        File.Delete(Path.Combine(level9, "3_0.jpeg"));
        File.CreateSymbolicLink(Path.Combine(level9, "3_0.jpeg"), "../../outside/secret.jpeg");
        Directory.Delete(_dir.Combine("slide_files", "0"), recursive: true);
        Directory.CreateSymbolicLink(_dir.Combine("slide_files", "0"), outside);
        File.Delete(Path.Combine(level9, "4_0.jpeg"));
        File.CreateSymbolicLink(Path.Combine(level9, "4_0.jpeg"), "1_0.jpeg"); // stays inside: served

        using ServeProcess serve = ServeProcess.Start(pyramid);
        foreach (string target in new[] { "/slide_files/9/2_0.jpeg", "/slide_files/9/3_0.jpeg", "/slide_files/0/0_0.jpeg" })
        {
            RawHttp.Response response = RawHttp.Get(serve.Port, target);
            Assert.True(response.Status is 403 or 404, $"GET {target}: {response.Status}");
            Assert.DoesNotContain(Secret, response.Body, StringComparison.Ordinal);
        }

        RawHttp.Response inside = RawHttp.Get(serve.Port, "/slide_files/9/4_0.jpeg");
        Assert.Equal(200, inside.Status);
        Assert.Equal(File.ReadAllBytes(Path.Combine(level9, "1_0.jpeg")).Length, System.Text.Encoding.Latin1.GetByteCount(inside.Body));
    }

    [Theory]
    [InlineData("replaced")]
    [InlineData("rewritten")]
    public async Task A_zip_replaced_while_served_serves_the_new_content(string how)
    {
        string pyramid = Build("zip");
        byte[] first = ReadTile("zip", "9/1_0.jpeg");
        byte[] other = ReadTile("zip", "9/0_0.jpeg");
        byte[] unchanged = ReadTile("zip", "9/2_0.jpeg");
        using ServeProcess serve = ServeProcess.Start(pyramid);
        using var http = new HttpClient { BaseAddress = new Uri(serve.Address) };
        Assert.Equal(first, await http.GetByteArrayAsync("/slide_files/9/1_0.jpeg"));

        // The same pyramid, with tile 9/1_0 swapped for 9/0_0.
        List<(string Name, byte[] Data)> entries = CraftedZips.ReadAll(pyramid);
        string next = _dir.Combine("next.zip");
        CraftedZips.WriteStored(next, [.. entries.Select(e => e.Name == "slide_files/9/1_0.jpeg" ? (e.Name, other) : e)]);
        byte[] nextBytes = File.ReadAllBytes(next);
        if (how == "replaced")
        {
            File.Move(next, pyramid, overwrite: true);
        }
        else
        {
            File.WriteAllBytes(pyramid, nextBytes);
        }

        Assert.Equal(other, await http.GetByteArrayAsync("/slide_files/9/1_0.jpeg"));
        Assert.Equal(unchanged, await http.GetByteArrayAsync("/slide_files/9/2_0.jpeg"));

        // A zip that cannot be read is answered 503 with the reason, until a good one is back.
        File.WriteAllBytes(pyramid, other);
        using HttpResponseMessage broken = await http.GetAsync("/slide_files/9/1_0.jpeg");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, broken.StatusCode);
        Assert.Contains("is not a readable zip", await broken.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        File.WriteAllBytes(pyramid, nextBytes);
        Assert.Equal(other, await http.GetByteArrayAsync("/slide_files/9/1_0.jpeg"));
    }

    [Theory]
    [InlineData("directory")]
    [InlineData("zip")]
    public async Task Ranges_in_another_unit_or_malformed_are_ignored_and_byte_ranges_served(string container)
    {
        string pyramid = Build(container);
        byte[] expected = ReadTile(container, "9/1_0.jpeg");
        using ServeProcess serve = ServeProcess.Start(pyramid);
        using var http = new HttpClient { BaseAddress = new Uri(serve.Address) };
        foreach (string ignored in new[] { "items=0-5", "bytes=5-3", "bytes=abc", "bytes=", "bytes 0-5", "bytes=0-5;x", "=0-5" })
        {
            using HttpResponseMessage whole = await Get(http, ignored);
            Assert.True(whole.StatusCode == HttpStatusCode.OK, $"Range: {ignored}: {whole.StatusCode}");
            Assert.Equal(expected, await whole.Content.ReadAsByteArrayAsync());
        }

        foreach ((string range, int from, int to) in new[] { ("bytes=0-5", 0, 5), ("bytes=10-", 10, expected.Length - 1), ("bytes=-4", expected.Length - 4, expected.Length - 1), ("bytes=0-5,", 0, 5) })
        {
            using HttpResponseMessage part = await Get(http, range);
            Assert.True(part.StatusCode == HttpStatusCode.PartialContent, $"Range: {range}: {part.StatusCode}");
            Assert.Equal(expected[from..(to + 1)], await part.Content.ReadAsByteArrayAsync());
        }

        using HttpResponseMessage beyond = await Get(http, $"bytes={expected.Length + 10}-");
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyond.StatusCode);

        static Task<HttpResponseMessage> Get(HttpClient http, string range)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/slide_files/9/1_0.jpeg");
            Assert.True(request.Headers.TryAddWithoutValidation("Range", range));
            return http.SendAsync(request);
        }
    }

    [Theory]
    [InlineData("bytes=0-5", true)]
    [InlineData("BYTES=0-5", true)]
    [InlineData("bytes=0-0,-1", true)]
    [InlineData("bytes=5-", true)]
    [InlineData("bytes=-5", true)]
    [InlineData("bytes= 0-5 , 7-9", true)]
    [InlineData("bytes=99999999999999999999-99999999999999999999", true)]
    [InlineData("items=0-5", false)]
    [InlineData("bytes=5-3", false)]
    [InlineData("bytes=-", false)]
    [InlineData("bytes=", false)]
    [InlineData("bytes=a-b", false)]
    [InlineData("bytes=0-5-7", false)]
    [InlineData("bytes=99999999999999999999-1", false)]
    public void A_byte_range_set_is_told_from_anything_else(string value, bool isBytes) =>
        Assert.Equal(isBytes, ByteRanges.IsByteRangeSet(value));

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
