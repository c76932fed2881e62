#!/usr/bin/env -S dotnet run
// Takes docs/viewer.jpg, the README's picture of the viewer: serves the demo pyramid
// (scripts/install.sh builds sample/slide.dzi, registered), opens it in headless Chromium from the
// system through Playwright with the tile overlay on, zooms in, waits until every tile in view is
// drawn and clicks a tile to show what the registration says of it. Run: dotnet run scripts/screenshot.cs
#:package Microsoft.Playwright
#:property PublishAot=false
using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

string root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(GetScriptPath())!, ".."));
string cli = Path.Combine(root, "src/Tessera.Cli/bin/Release/net10.0/Tessera.Cli.dll");
string pyramid = Path.Combine(root, "sample/slide.dzi");
if (!File.Exists(cli) || !File.Exists(pyramid))
{
    Console.Error.WriteLine("screenshot: run scripts/install.sh first (it installs tessera and builds sample/slide.dzi).");
    return 1;
}

var start = new ProcessStartInfo("dotnet", [cli, "serve", pyramid]) { RedirectStandardOutput = true };
using Process serve = Process.Start(start)!;
try
{
    string address = Regex.Match(serve.StandardOutput.ReadLine() ?? "", @"http://127\.0\.0\.1:\d+/").Value;
    using IPlaywright playwright = await Playwright.CreateAsync();
    await using IBrowser browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Environment.GetEnvironmentVariable("TESSERA_CHROMIUM") ?? "/usr/bin/chromium" });
    IPage page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1200, Height = 720 } });
    await page.GotoAsync(address);
    const string loaded = "() => window.tessera && tessera.viewer.world.getItemCount() === 1 && tessera.viewer.world.getItemAt(0).getFullyLoaded() && tessera.state.levelDrawn >= 0";
    await page.WaitForFunctionAsync(loaded);
    await page.EvaluateAsync("() => { const vp = tessera.viewer.viewport; vp.zoomTo(vp.imageToViewportZoom(0.3)); vp.panTo(vp.imageToViewportCoordinates(new OpenSeadragon.Point(3300, 1900))); }");
    await page.WaitForTimeoutAsync(1500);
    await page.WaitForFunctionAsync(loaded);
    await page.Keyboard.PressAsync("o");
    await page.WaitForFunctionAsync("() => tessera.overlays[0].drawn > 0 && tessera.overlays[0].chunkCount() > 0");
    await page.WaitForTimeoutAsync(500);
    await page.Mouse.ClickAsync(560, 300);
    await page.WaitForSelectorAsync("#tile-info:not([hidden])");
    await page.Mouse.MoveAsync(700, 420);
    await page.WaitForTimeoutAsync(300);
    string output = Path.Combine(root, "docs/viewer.jpg");
    await page.ScreenshotAsync(new() { Path = output, Type = ScreenshotType.Jpeg, Quality = 85 });
    Console.WriteLine($"Wrote {output}");
    return 0;
}
finally
{
    serve.Kill();
}

static string GetScriptPath([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;
