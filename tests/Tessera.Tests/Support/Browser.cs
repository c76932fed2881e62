using Microsoft.Playwright;

namespace Tessera.Tests.Support;

/// <summary>
/// Headless Chromium from the system (Debian's chromium package, which scripts/setup.sh installs)
/// driven by Playwright; no browser is ever downloaded. TESSERA_CHROMIUM names another binary.
/// One browser for a test class.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    public const string DefaultExecutable = "/usr/bin/chromium";

    private Browser(IPlaywright playwright, IBrowser browser)
    {
        Playwright = playwright;
        Chromium = browser;
    }

    public IPlaywright Playwright { get; }

    public IBrowser Chromium { get; }

    /// <summary>Copies a test's screenshots (viewer-*.png in <paramref name="folder"/>) to TESSERA_KEEP_SCREENSHOTS, where it is set, to look at after the run.</summary>
    public static void KeepScreenshots(string folder)
    {
        if (Environment.GetEnvironmentVariable("TESSERA_KEEP_SCREENSHOTS") is { Length: > 0 } keep)
        {
            Directory.CreateDirectory(keep);
            foreach (string shot in Directory.GetFiles(folder, "viewer-*.png"))
            {
                File.Copy(shot, Path.Combine(keep, Path.GetFileName(shot)), overwrite: true);
            }
        }
    }

    public static async Task<Browser> LaunchAsync()
    {
        string executable = Environment.GetEnvironmentVariable("TESSERA_CHROMIUM") is { Length: > 0 } given ? given : DefaultExecutable;
        if (!File.Exists(executable))
        {
            throw new FileNotFoundException(
                $"No Chromium at {executable}: the viewer tests need a real browser. Run scripts/setup.sh (it installs Debian's chromium package) or set TESSERA_CHROMIUM to a Chromium binary.");
        }

        IPlaywright playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        try
        {
            IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = executable,
                Headless = true,
                Timeout = 60_000,
            });
            return new Browser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Chromium.DisposeAsync();
        Playwright.Dispose();
    }
}
