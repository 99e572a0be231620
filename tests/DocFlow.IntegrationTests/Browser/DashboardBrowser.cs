using Microsoft.Playwright;

namespace DocFlow.IntegrationTests.Browser;

/// <summary>Debian's Chromium driven by Playwright, headless; never a downloaded browser. Screenshots go to
/// TestResults/screenshots at the repository root.</summary>
public sealed class DashboardBrowser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    public IPage Page { get; }

    /// <summary>Every console message and uncaught page error since the page opened (Chromium logs each
    /// Content-Security-Policy violation to the console).</summary>
    public IReadOnlyList<string> ConsoleMessages
    {
        get { lock (_console) return [.. _console]; }
    }

    private readonly List<string> _console = [];

    private DashboardBrowser(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
        page.Console += (_, message) => { lock (_console) _console.Add($"{message.Type}: {message.Text}"); };
        page.PageError += (_, error) => { lock (_console) _console.Add($"pageerror: {error}"); };
    }

    /// <summary>Fails when the browser reported a Content-Security-Policy violation (something the policy blocked).</summary>
    public void AssertNoCspViolations()
    {
        var violations = ConsoleMessages.Where(m => m.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(violations.Count == 0, "CSP violations:\n" + string.Join("\n", violations));
    }

    /// <summary>How long an Expect(...) assertion waits for its condition: generous, it is only waited out when the test fails.</summary>
    public const float ExpectTimeoutMs = 60_000;

    public static string ScreenshotDirectory { get; } = Path.Combine(Support.Repo.Root, "TestResults", "screenshots");

    /// <param name="server">The dashboard's base address.</param>
    /// <param name="arguments">More Chromium switches, e.g. <c>--ignore-certificate-errors-spki-list=…</c> to trust a test certificate.</param>
    public static async Task<DashboardBrowser> OpenAsync(Uri server, params string[] arguments)
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's chromium (test.sh does: apt-get install chromium).");
        // Expect(...) assertions wait 5 s by default, page.SetDefaultTimeout below does not cover them: on a loaded machine
        // the dashboard's next server-sent update or a page image rendered by the API may take longer than that (seen:
        // "#page[data-loaded$='/1']" not loaded within 5 s). The same value for every browser test, so setting it here is safe.
        Assertions.SetDefaultExpectTimeout(ExpectTimeoutMs);
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", .. arguments],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions
        {
            BaseURL = server.ToString(),
            ViewportSize = new ViewportSize { Width = 1440, Height = 1000 },
        });
        page.SetDefaultTimeout(60_000);
        return new DashboardBrowser(playwright, browser, page);
    }

    public async Task ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.CloseAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
