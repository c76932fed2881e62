using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tessera.Codecs;
using Tessera.Samples;
using Tessera.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using VipsImage = NetVips.Image;

namespace Tessera.Tests;

/// <summary>One headless Chromium for the viewer tests.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private Support.Browser? _browser;

    public Support.Browser Browser => _browser ?? throw new InvalidOperationException("The browser did not start.");

    public async Task InitializeAsync() => _browser = await Support.Browser.LaunchAsync();

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
    }
}

/// <summary>
/// The viewer page in a real browser: opened from <c>tessera serve</c> (folder and zip) and from the
/// file system, zoomed to 1:1, it must draw the deepest level with every tile loaded and show the image.
/// </summary>
public sealed partial class ServeBrowserTests(BrowserFixture fixture, ITestOutputHelper log) : IClassFixture<BrowserFixture>, IDisposable
{
    /// <summary>Small enough that the whole image fits at the home zoom only at a lower level than the top.</summary>
    private const int ViewportWidth = 480, ViewportHeight = 320;

    private readonly TempDirectory _dir = new();

    [Theory]
    [InlineData("directory")]
    [InlineData("zip")]
    public async Task Served_viewer_zooms_to_one_to_one_and_draws_every_tile_of_the_deepest_level(string container)
    {
        string pyramid = Build(container);
        using ServeProcess serve = ServeProcess.Start(pyramid);
        var responses = new ConcurrentBag<(string Url, int Status)>();
        (IPage page, Problems problems) = await OpenAsync(serve.Address + "/", responses);

        int top = await ZoomToOneToOneAsync(page);

        Assert.True(problems.IsEmpty, problems.ToString());
        Assert.DoesNotContain(responses, r => r.Status >= 400);
        var deepest = responses.Where(r => TileLevel(r.Url) == top).ToList();
        Assert.True(deepest.Count > 0, $"no tile of level {top} was requested; requests: {string.Join(", ", responses.Select(r => r.Url))}");
        Assert.All(deepest, r => Assert.Equal(200, r.Status));
        log.WriteLine($"{deepest.Count} tiles of level {top} loaded, {responses.Count} responses in all");

        await AssertShowsImageAsync(page, $"served-{container}");
        Assert.Equal(0, serve.Interrupt(TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task Viewer_page_opened_from_the_file_system_draws_the_deepest_level()
    {
        string pyramid = Build("directory");
        (IPage page, Problems problems) = await OpenAsync(new Uri(Path.ChangeExtension(pyramid, ".html")).AbsoluteUri, null);

        await ZoomToOneToOneAsync(page);

        Assert.True(problems.IsEmpty, problems.ToString());
        await AssertShowsImageAsync(page, "file");
    }

    [Fact]
    public async Task Zip_viewer_page_opened_from_the_file_system_says_to_use_tessera_serve()
    {
        string pyramid = Build("zip");
        (IPage page, _) = await OpenAsync(new Uri(Path.ChangeExtension(pyramid, ".html")).AbsoluteUri, null);

        string notice = await page.Locator("#notice").InnerTextAsync(new LocatorInnerTextOptions { Timeout = 10_000 });

        Assert.Contains("tessera serve slide.zip", notice, StringComparison.Ordinal);
    }

    /// <summary>A 6×4 grid of 320×240 px JPEG tiles, 128 px pyramid tiles: levels 0–11.</summary>
    private string Build(string container)
    {
        SampleOptions sample = Support.Samples.Small() with { Across = 6, Down = 4, TileWidth = 320, TileHeight = 240, OverlapX = 32, OverlapY = 24 };
        SampleGrid.Write(_dir.Combine("tiles"), sample);
        string output = _dir.Combine("slide.dzi");
        var build = CliRunner.Run("build", _dir.Combine("tiles"), output, "--overlap", "32,24", "--tile-size", "128", "--container", container);
        Assert.True(build.ExitCode == 0, build.Error);
        return container == "zip" ? _dir.Combine("slide.zip") : output;
    }

    private async Task<(IPage Page, Problems Problems)> OpenAsync(string url, ConcurrentBag<(string Url, int Status)>? responses)
    {
        IBrowserContext context = await fixture.Browser.Chromium.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = ViewportWidth, Height = ViewportHeight },
            DeviceScaleFactor = 1,
        });
        IPage page = await context.NewPageAsync();
        var problems = new Problems();
        page.RequestFailed += (_, request) => problems.Add($"request failed: {request.Url} ({request.Failure})");
        page.PageError += (_, error) => problems.Add($"page error: {error}");
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                problems.Add($"console error: {message.Text}");
            }
        };
        if (responses is not null)
        {
            page.Response += (_, response) => responses.Add((response.Url, response.Status));
        }

        await page.GotoAsync(url, new PageGotoOptions { Timeout = 30_000 });
        return (page, problems);
    }

    /// <summary>Waits for the whole image at the home zoom, checks it is drawn from a level below the top, clicks 1:1, and waits until every tile of the top level is drawn.</summary>
    private static async Task<int> ZoomToOneToOneAsync(IPage page)
    {
        var wait = new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 100 };
        await page.WaitForFunctionAsync(
            "() => window.tessera && tessera.viewer.world.getItemCount() === 1 && tessera.viewer.world.getItemAt(0).getFullyLoaded() && tessera.state.levelDrawn >= 0",
            null, wait);
        int top = await page.EvaluateAsync<int>("() => tessera.state.topLevel");
        int homeLevel = await page.EvaluateAsync<int>("() => tessera.state.levelDrawn");
        Assert.True(homeLevel < top, $"the home view already draws level {homeLevel} of 0–{top}: zooming in would show nothing new");

        await page.ClickAsync("#one-to-one");
        await page.WaitForFunctionAsync(
            $"() => Math.abs(tessera.state.imagePixelsPerScreenPixel - 1) < 0.001 && tessera.state.levelDrawn === {top} && tessera.viewer.world.getItemAt(0).getFullyLoaded()",
            null, wait);
        string scale = await page.Locator("#scale").InnerTextAsync();
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"level {top} of 0–{top}"), scale, StringComparison.Ordinal);
        Assert.Contains("zoom 1:1.00", scale, StringComparison.Ordinal);
        return top;
    }

    /// <summary>The middle of the viewer (away from the toolbar, navigator and scale) shows the specimen: varied pixels, not the page background.</summary>
    private async Task AssertShowsImageAsync(IPage page, string name)
    {
        byte[] png = await page.ScreenshotAsync();
        string saved = _dir.Combine($"viewer-{name}.png");
        await File.WriteAllBytesAsync(saved, png);
        using VipsImage shot = VipsImage.NewFromBuffer(png);
        using VipsImage middle = shot.ExtractBand(0, 3).Crop(ViewportWidth / 4, ViewportHeight / 4, ViewportWidth / 2, ViewportHeight / 2);
        double deviation = middle.Deviate();
        using VipsImage same = middle.RelationalConst(NetVips.Enums.OperationRelational.Equal, [0x16, 0x16, 0x16]);
        using VipsImage background = same.BandAnd();
        double backgroundShare = background.Avg() / 255;
        Assert.True(deviation > 8 && backgroundShare < 0.05,
            $"the viewer shows no image (standard deviation {deviation:F1}, {backgroundShare:P0} background) in {saved}");
    }

    private static int TileLevel(string url) =>
        TileUrl().Match(url) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : -1;

    [GeneratedRegex(@"/slide_files/(\d+)/\d+_\d+\.jpeg$")]
    private static partial Regex TileUrl();

    public void Dispose()
    {
        Browser.KeepScreenshots(_dir.Path);
        _dir.Dispose();
    }

    /// <summary>What went wrong in the page: failed requests, script errors.</summary>
    private sealed class Problems
    {
        private readonly ConcurrentQueue<string> _items = new();

        public bool IsEmpty => _items.IsEmpty;

        public void Add(string problem) => _items.Enqueue(problem);

        public override string ToString() => string.Join("\n", _items);
    }
}
