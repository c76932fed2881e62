using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;
using Tessera.Codecs;
using Tessera.Compositing;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Pyramid;
using Tessera.Registration;
using Tessera.Samples;
using Tessera.Outputs;
using Tessera.Tests.Support;
using Tessera.Viewer;
using Xunit;
using Xunit.Abstractions;
using VipsImage = NetVips.Image;

namespace Tessera.Tests;

/// <summary>
/// The viewer's tile overlay, scale bar, shareable views and comparison, in a real browser: what is
/// drawn is checked on the screenshot's pixels, what is loaded on the page's own counts and requests.
/// </summary>
public sealed class ViewerOverlayBrowserTests(BrowserFixture fixture, ITestOutputHelper log) : IClassFixture<BrowserFixture>, IDisposable
{
    private const int Width = 800, Height = 600;

    /// <summary>The page's colours for <see cref="TileQuality"/>, in its order.</summary>
    private static readonly (byte R, byte G, byte B)[] Colours = [(0xd8, 0xd8, 0xd8), (0x2e, 0xcc, 0x40), (0xff, 0xdc, 0x00), (0xff, 0x85, 0x1b), (0xff, 0x2a, 0x6d)];

    private const string Loaded = "() => window.tessera && tessera.viewers.every(v => v.world.getItemCount() === 1 && v.world.getItemAt(0).getFullyLoaded())";

    private readonly TempDirectory _dir = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _pageErrors = new();

    [Fact]
    public async Task Overlay_outlines_each_tile_in_the_colour_of_its_links_in_the_report_and_a_click_names_the_tile_and_its_links()
    {
        // One tile shows another specimen: none of its links can be measured, so the stage model places it.
        (int Column, int Row) foreign = (2, 1);
        JitteredTileSet.Write(_dir.Combine("tiles"), new JitteredTileSetOptions { Across = 4, Down = 3, Jitter = 12, Foreign = [foreign] });
        string output = _dir.Combine("slide.dzi");
        var build = CliRunner.Run("build", _dir.Combine("tiles"), output, "--overlap", "80,64", "--register", "--pixel-size", "0.5um", "--tile-size", "128");
        Assert.True(build.ExitCode == 0, build.Error);
        IReadOnlyList<PairRecord> pairs = ReportPairs.Read(_dir.Combine("slide.registered.report.txt"));
        var expected = new Dictionary<string, TileQuality>
        {
            ["2_1.jpg"] = TileQuality.Model,
            ["0_0.jpg"] = TileQuality.Measured,
            ["1_1.jpg"] = TileQuality.Rejected,
        };
        // What the report says of those tiles, read here from its table: the colours must follow it.
        Assert.All(LinksOf(pairs, "2_1.jpg"), p => Assert.NotEqual(PairOutcome.Measured, p.Outcome));
        Assert.All(LinksOf(pairs, "2_1.jpg"), p => Assert.NotEqual(PairOutcome.Bridged, p.Outcome));
        Assert.All(LinksOf(pairs, "0_0.jpg"), p => Assert.True(p.Outcome == PairOutcome.Measured && p.SigmaX <= 1 && p.SigmaY <= 1, p.ToString()));
        Assert.Contains(LinksOf(pairs, "1_1.jpg"), p => p.Outcome == PairOutcome.Measured);
        Assert.Contains(LinksOf(pairs, "1_1.jpg"), p => p.Second == "2_1.jpg" || p.First == "2_1.jpg");

        IPage page = await OpenAsync(new Uri(Path.ChangeExtension(output, ".html")).AbsoluteUri);
        await page.WaitForFunctionAsync(Loaded, null, Wait);
        await page.Keyboard.PressAsync("o");
        await page.WaitForFunctionAsync("() => tessera.state.overlay && tessera.overlays[0].drawn === 12", null, Wait);
        await page.WaitForTimeoutAsync(300);

        Dictionary<string, PixelRect> rects = PlacedRects(_dir.Combine("slide.registered.txt"), _dir.Combine("tiles"));
        byte[] png = await page.ScreenshotAsync();
        await File.WriteAllBytesAsync(_dir.Combine("viewer-overlay.png"), png);
        using VipsImage shot = VipsImage.NewFromBuffer(png);
        foreach (var (name, quality) in expected)
        {
            // The middle of the tile's left edge: the outline lies just inside it.
            PixelRect rect = rects[name];
            var (x, y) = await ScreenAsync(page, rect.X, rect.Y + (rect.Height / 2.0));
            double[] pixel = shot.Getpoint((int)Math.Floor(x) + 2, (int)Math.Round(y));
            var colour = Colours[(int)quality];
            Assert.True(Near(pixel, colour), $"{name}: expected the {quality} colour {colour} at its left edge ({x:F1}, {y:F1}), found ({string.Join(", ", pixel.Take(3))}) in {_dir.Combine("viewer-overlay.png")}");
        }

        PixelRect bad = rects["2_1.jpg"];
        var (cx, cy) = await ScreenAsync(page, bad.X + (bad.Width / 2.0), bad.Y + (bad.Height / 2.0));
        await page.Mouse.ClickAsync((float)cx, (float)cy);
        string info = await page.Locator("#tile-info").InnerTextAsync(new LocatorInnerTextOptions { Timeout = 10_000 });
        log.WriteLine(info);
        Assert.Equal("2_1.jpg", await page.Locator("#tile-info strong").InnerTextAsync());
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"position {bad.X}, {bad.Y} px"), info, StringComparison.Ordinal);
        Assert.Contains("placed by the stage model", info, StringComparison.Ordinal);
        Assert.Contains("gain", info, StringComparison.Ordinal);
        foreach (PairRecord link in LinksOf(pairs, "2_1.jpg"))
        {
            string other = link.First == "2_1.jpg" ? link.Second : link.First;
            Assert.Contains(other, info, StringComparison.Ordinal);
            Assert.Contains(ReportPairs.OutcomeName(link.Outcome), info, StringComparison.Ordinal);
        }

        // The scale bar: its length on screen is the length it names at the pixel size given (0.5 µm).
        double cssPerImage = await page.EvaluateAsync<double>("() => tessera.view().zoom");
        string label = await page.Locator("#scalebar-label").InnerTextAsync();
        double barWidth = await page.EvaluateAsync<double>("() => document.getElementById('scalebar-bar').getBoundingClientRect().width");
        double micrometres = ParseLength(label);
        log.WriteLine($"scale bar {label}: {barWidth:F2} px at {cssPerImage:F4} screen px per image px");
        Assert.InRange(barWidth, (micrometres / 0.5 * cssPerImage) - 0.5, (micrometres / 0.5 * cssPerImage) + 0.5);
        Assert.InRange(barWidth, 40, 121);

        // The cursor, in image pixels and micrometres (pointer events come at whole screen pixels).
        await page.Mouse.MoveAsync(300, 200);
        double[] under = await page.EvaluateAsync<double[]>("() => { const p = tessera.viewer.viewport.viewerElementToImageCoordinates(new OpenSeadragon.Point(300, 200)); return [p.x, p.y]; }");
        string cursor = await page.Locator("#cursor").InnerTextAsync();
        var match = System.Text.RegularExpressions.Regex.Match(cursor, @"^cursor (\d+), (\d+) px \(([\d.]+) µm, ([\d.]+) µm\)$");
        Assert.True(match.Success, cursor);
        Assert.Equal((int)Math.Floor(under[0]), int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.Equal((int)Math.Floor(under[1]), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
        Assert.Equal(under[0] * 0.5, double.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture), 0.05);
        Assert.Equal(under[1] * 0.5, double.Parse(match.Groups[4].Value, CultureInfo.InvariantCulture), 0.05);
        AssertNoPageErrors();
    }

    [Fact]
    public async Task Copied_view_address_opened_in_a_new_page_shows_the_same_view()
    {
        string pyramid = BuildSample("slide", 5, 4);
        using ServeProcess serve = ServeProcess.Start(pyramid);
        IPage page = await OpenAsync(serve.Address + "/", clipboard: true);
        await page.WaitForFunctionAsync(Loaded, null, Wait);
        await page.EvaluateAsync("() => { const vp = tessera.viewer.viewport; vp.zoomTo(vp.imageToViewportZoom(1.7), null, true); vp.panTo(vp.imageToViewportCoordinates(new OpenSeadragon.Point(301.25, 207.5)), true); }");
        await page.ClickAsync("#overlay");
        await page.ClickAsync("#copy-view");
        await page.WaitForFunctionAsync("() => tessera.state.copied !== null", null, Wait);
        string copied = await page.EvaluateAsync<string>("() => navigator.clipboard.readText()");
        Assert.Equal(await page.EvaluateAsync<string>("() => tessera.state.copied"), copied);
        ViewState before = await ViewAsync(page);

        IPage reopened = await OpenAsync(copied);
        await reopened.WaitForFunctionAsync(Loaded, null, Wait);
        ViewState after = await ViewAsync(reopened);

        log.WriteLine($"{copied}: {before} -> {after}");
        Assert.True(Math.Abs(after.X - before.X) * before.Zoom < 1 && Math.Abs(after.Y - before.Y) * before.Zoom < 1, $"centre moved: {before} -> {after}");
        Assert.True(Math.Abs((after.Zoom / before.Zoom) - 1) * Width < 1, $"zoom changed: {before} -> {after}");
        Assert.True(await reopened.EvaluateAsync<bool>("() => tessera.state.overlay"));
        AssertNoPageErrors();
    }

    [Fact]
    public async Task Compare_page_keeps_both_pyramids_on_the_same_region_after_zoom_and_pan_side_by_side_and_swiped()
    {
        string first = BuildSample("nominal", 5, 4);
        string second = BuildSample("other", 4, 4);
        using ServeProcess serve = ServeProcess.Start(first, second);
        IPage page = await OpenAsync(serve.Address + "/");
        await page.WaitForFunctionAsync(Loaded, null, Wait);
        string note = await page.Locator("#compare-note").InnerTextAsync();
        Assert.Contains("nominal is 736×444 px", note, StringComparison.Ordinal);
        Assert.Contains("other is 592×444 px", note, StringComparison.Ordinal);

        // Zoom and pan with the mouse on the left viewer: the right one follows.
        await page.Mouse.MoveAsync(Width / 4, Height / 2);
        await page.Mouse.WheelAsync(0, -120);
        await page.WaitForTimeoutAsync(600);
        await DragAsync(page, Width / 4, Height / 2, (Width / 4) - 120, (Height / 2) - 60);
        await page.WaitForTimeoutAsync(1200);
        await AssertSameRegionAsync(page, "side by side");

        await page.ClickAsync("#swipe");
        Assert.Equal("inset(0px 0px 0px 50%)", await page.EvaluateAsync<string>("() => getComputedStyle(document.getElementById('viewer-1')).clipPath"));
        // Swiped, the second pyramid is on top to the right of the slider: moving it moves the first.
        await DragAsync(page, Width * 3 / 4, Height / 2, (Width * 3 / 4) + 90, (Height / 2) + 40);
        await page.WaitForTimeoutAsync(1200);
        await AssertSameRegionAsync(page, "swiped");
        AssertNoPageErrors();
    }

    [Fact]
    public async Task Overlay_of_a_600_by_600_tile_grid_loads_only_the_chunks_in_view()
    {
        const int Across = 600, Down = 600;
        string input = _dir.Combine("tiles");
        var random = new Random(5);
        var tiles = new List<(string, PixelRect)>(Across * Down);
        for (int r = 0; r < Down; r++)
        {
            for (int c = 0; c < Across; c++)
            {
                tiles.Add((Path.Combine(input, string.Create(CultureInfo.InvariantCulture, $"r{r:000}_c{c:000}.jpg")),
                    new PixelRect((c * 720) + 8 + random.Next(-8, 9), (r * 540) + 8 + random.Next(-8, 9), 800, 600)));
            }
        }

        var mosaic = new PlacedMosaic(tiles);
        var geometry = new DziGeometry(mosaic.Width, mosaic.Height, 254, 1);
        var paths = new DziPaths(_dir.Combine("slide.dzi"));
        OutputFolder.Create(paths.FilesDirectory);
        var clock = Stopwatch.StartNew();
        ViewerFiles.Write(paths, geometry, TileFormat.Jpeg, zipped: false, new ViewerContent(mosaic, input) { PixelSize = new PixelSize(0.325) });
        long bytes = Directory.GetFiles(new ViewerPaths(paths.DziFile).OverlayDirectory).Sum(f => new FileInfo(f).Length);
        log.WriteLine($"overlay of {mosaic.Count:N0} tiles written in {clock.Elapsed.TotalSeconds:F1} s: {bytes / 1e6:F1} MB");
        await File.WriteAllBytesAsync(paths.DziFile, DziDescriptor.ToBytes(geometry, TileFormat.Jpeg));

        using ServeProcess serve = ServeProcess.Start(paths.DziFile);
        IPage page = await OpenAsync(serve.Address + "/#overlay=1");
        // No tiles were built: every tile asked for is answered with one grey image.
        using VipsImage grey = VipsImage.Black(256, 256, 3) + 128;
        byte[] jpeg = grey.Cast(NetVips.Enums.BandFormat.Uchar).JpegsaveBuffer();
        await page.RouteAsync("**/slide_files/**", route => route.FulfillAsync(new RouteFulfillOptions { Status = 200, ContentType = "image/jpeg", BodyBytes = jpeg }));
        var chunks = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/slide_overlay/", StringComparison.Ordinal))
            {
                lock (chunks)
                {
                    chunks.Add(request.Url);
                }
            }
        };
        await page.ReloadAsync();
        await page.WaitForFunctionAsync(Loaded, null, Wait);
        await page.WaitForTimeoutAsync(500);
        Assert.True(await page.EvaluateAsync<bool>("() => tessera.state.overlay"));
        Assert.Empty(chunks);

        // Deep zoom at the middle, 1:1, then a pan over three screens.
        await page.EvaluateAsync($"() => {{ location.hash = '#x={mosaic.Width / 2}&y={mosaic.Height / 2}&zoom=1&overlay=1'; }}");
        await page.WaitForFunctionAsync("() => tessera.overlays[0].drawn > 0", null, Wait);
        await DragAsync(page, Width - 50, Height / 2, 50, Height / 2);
        await DragAsync(page, Width - 50, Height / 2, 50, Height / 2);
        await DragAsync(page, Width - 50, Height / 2, 50, Height / 2);
        await page.WaitForFunctionAsync(Loaded, null, Wait);
        await page.WaitForTimeoutAsync(500);

        int loadedTiles = await page.EvaluateAsync<int>("() => tessera.overlays[0].loadedTiles");
        int drawn = await page.EvaluateAsync<int>("() => tessera.overlays[0].drawn");
        log.WriteLine($"{chunks.Count} chunk requests, {loadedTiles} tiles loaded, {drawn} drawn: {string.Join(", ", chunks.Select(Path.GetFileName))}");
        Assert.InRange(drawn, 1, 12);
        // The view crossed about 2,400 px (3-4 tiles) across one or two chunk columns of 25,600 px, in one or two rows.
        Assert.InRange(chunks.Count, 1, 6);
        Assert.Equal(chunks.Count, chunks.Distinct().Count());
        Assert.True(loadedTiles <= chunks.Count * 36 * 36, $"{loadedTiles} tiles loaded from {chunks.Count} chunks");
        OverlayIndex index = ViewerFiles.ReadMetadata(paths.DziFile)!.Overlay!;
        foreach (string url in chunks)
        {
            string[] cell = Path.GetFileNameWithoutExtension(url)[1..].Split('_');
            int column = int.Parse(cell[0], CultureInfo.InvariantCulture), row = int.Parse(cell[1], CultureInfo.InvariantCulture);
            // Only the chunks about the middle, where the view was.
            Assert.InRange(column * index.ChunkWidth, (mosaic.Width / 2) - index.ChunkWidth - 2000, (mosaic.Width / 2) + 4000);
            Assert.InRange(row * index.ChunkHeight, (mosaic.Height / 2) - index.ChunkHeight - 2000, (mosaic.Height / 2) + 2000);
        }

        AssertNoPageErrors();
    }

    private static PageWaitForFunctionOptions Wait => new() { Timeout = 30_000, PollingInterval = 100 };

    private static IEnumerable<PairRecord> LinksOf(IReadOnlyList<PairRecord> pairs, string tile) => pairs.Where(p => p.First == tile || p.Second == tile);

    /// <summary>Where the positions file puts each tile on the plane: rounded, and shifted so the smallest is 0, as a build places them.</summary>
    private static Dictionary<string, PixelRect> PlacedRects(string positionsFile, string tiles)
    {
        IReadOnlyList<TilePlacement> placements = PositionsFile.Read(positionsFile, tiles);
        long minX = placements.Min(p => (long)Math.Round(p.X, MidpointRounding.ToEven));
        long minY = placements.Min(p => (long)Math.Round(p.Y, MidpointRounding.ToEven));
        return placements.ToDictionary(p => Path.GetFileName(p.Path),
            p => new PixelRect((int)((long)Math.Round(p.X, MidpointRounding.ToEven) - minX), (int)((long)Math.Round(p.Y, MidpointRounding.ToEven) - minY), 320, 240));
    }

    private static async Task<(double X, double Y)> ScreenAsync(IPage page, double x, double y)
    {
        double[] p = await page.EvaluateAsync<double[]>(string.Create(CultureInfo.InvariantCulture,
            $"() => {{ const p = tessera.viewer.viewport.imageToViewerElementCoordinates(new OpenSeadragon.Point({x}, {y})); return [p.x, p.y]; }}"));
        return (p[0], p[1]);
    }

    private static bool Near(double[] pixel, (byte R, byte G, byte B) colour) =>
        Math.Abs(pixel[0] - colour.R) <= 3 && Math.Abs(pixel[1] - colour.G) <= 3 && Math.Abs(pixel[2] - colour.B) <= 3;

    /// <summary>"50 µm", "1 mm", "500 nm" in micrometres.</summary>
    private static double ParseLength(string label)
    {
        string[] parts = label.Split(' ');
        double value = double.Parse(parts[0], CultureInfo.InvariantCulture);
        return parts[1] switch { "nm" => value / 1000, "µm" => value, "mm" => value * 1000, _ => throw new FormatException(label) };
    }

    private static async Task DragAsync(IPage page, float fromX, float fromY, float toX, float toY)
    {
        await page.Mouse.MoveAsync(fromX, fromY);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(toX, toY, new MouseMoveOptions { Steps = 8 });
        await page.Mouse.UpAsync();
    }

    private static async Task<ViewState> ViewAsync(IPage page, int viewer = 0)
    {
        double[] v = await page.EvaluateAsync<double[]>(
            $"() => {{ const vp = tessera.viewers[{viewer}].viewport; const c = vp.viewportToImageCoordinates(vp.getCenter(true)); return [c.x, c.y, vp.viewportToImageZoom(vp.getZoom(true))]; }}");
        return new ViewState(v[0], v[1], v[2]);
    }

    /// <summary>Both viewers show the same image pixel at their centres, at the same zoom, and the view moved from the home view.</summary>
    private async Task AssertSameRegionAsync(IPage page, string mode)
    {
        ViewState a = await ViewAsync(page, 0), b = await ViewAsync(page, 1);
        log.WriteLine($"{mode}: {a} / {b}");
        Assert.True(a.Zoom > 1.2, $"{mode}: the wheel did not zoom in ({a})");
        Assert.True(Math.Abs(a.X - b.X) * a.Zoom < 1 && Math.Abs(a.Y - b.Y) * a.Zoom < 1, $"{mode}: centres differ: {a} / {b}");
        Assert.True(Math.Abs((a.Zoom / b.Zoom) - 1) * Width < 1, $"{mode}: zooms differ: {a} / {b}");
    }

    /// <summary>A grid of 160×120 px tiles (16×12 px overlap), built with 64 px pyramid tiles.</summary>
    private string BuildSample(string name, int across, int down)
    {
        string tiles = _dir.Combine(name + "-tiles");
        SampleGrid.Write(tiles, Support.Samples.Small() with { Across = across, Down = down });
        string output = _dir.Combine(name + ".dzi");
        var build = CliRunner.Run("build", tiles, output, "--overlap", "16,12", "--tile-size", "64");
        Assert.True(build.ExitCode == 0, build.Error);
        return output;
    }

    private async Task<IPage> OpenAsync(string url, bool clipboard = false)
    {
        IBrowserContext context = await fixture.Browser.Chromium.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = Width, Height = Height },
            DeviceScaleFactor = 1,
            Permissions = clipboard ? ["clipboard-read", "clipboard-write"] : [],
        });
        IPage page = await context.NewPageAsync();
        page.PageError += (_, error) => _pageErrors.Enqueue(error);
        await page.GotoAsync(url, new PageGotoOptions { Timeout = 30_000 });
        return page;
    }

    /// <summary>No script error in any page of the test.</summary>
    private void AssertNoPageErrors() => Assert.True(_pageErrors.IsEmpty, string.Join("\n", _pageErrors));

    public void Dispose()
    {
        Browser.KeepScreenshots(_dir.Path);
        _dir.Dispose();
    }

    private readonly record struct ViewState(double X, double Y, double Zoom);
}
