using System.Security.Cryptography;
using System.Text.RegularExpressions;
using DocFlow.Blobs;
using DocFlow.IntegrationTests.Support;
using DocFlow.Queueing;
using DocFlow.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DocFlow.IntegrationTests.Browser;

/// <summary>The dashboard in a real browser against a real `docflow serve` with embedded workers.</summary>
public sealed class DashboardTests
{
    private static readonly LocatorAssertionsToHaveCountOptions Patient = new() { Timeout = 120_000 };

    private static string Sample(string name) => Path.Combine(Repo.Samples, name);

    [Fact]
    public async Task Dashboard_Loads_ShowingQueuesAndLiveWorkers()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "2" });
        await using var browser = await DashboardBrowser.OpenAsync(server.Client.BaseAddress!);
        var page = browser.Page;

        await page.GotoAsync("/");

        await Expect(page.Locator("#live")).ToHaveTextAsync("live");
        await Expect(page.Locator("#queues tbody tr")).ToHaveCountAsync(8); // express|normal × image|pdf|report|webhook
        await Expect(page.Locator("#workers tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#workers tbody tr .badge")).ToHaveTextAsync("live");
        await Expect(page.Locator("#workers tbody tr")).ToContainTextAsync("0 / 2");
        await Expect(page.Locator("#mode")).ToHaveTextAsync("embedded");
        await Expect(page.Locator("#chart-throughput canvas")).ToHaveCountAsync(1);
        await browser.ScreenshotAsync("dashboard-empty");
        browser.AssertNoCspViolations();
    }

    [Fact]
    public async Task ApiReference_RendersUnderItsPolicy()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "0" });
        await using var browser = await DashboardBrowser.OpenAsync(server.Client.BaseAddress!);
        var page = browser.Page;

        await page.GotoAsync("/api-reference");

        // The first operations of the description (Scalar renders the rest as they are scrolled to).
        await Expect(page.GetByText("/api/v1/documents/{id}").First).ToBeVisibleAsync();
        await browser.ScreenshotAsync("api-reference");
        browser.AssertNoCspViolations();
    }

    [Fact]
    public async Task ContentSecurityPolicy_BlocksInlineScript_AndTheViolationIsSeen()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "0" });
        await using var browser = await DashboardBrowser.OpenAsync(server.Client.BaseAddress!);
        var page = browser.Page;
        await page.GotoAsync("/");
        await Expect(page.Locator("#live")).ToHaveTextAsync("live");
        browser.AssertNoCspViolations();

        // What an injected <script> or style attribute would do: the policy blocks both and the browser says so.
        await page.EvaluateAsync("""
            () => {
              const s = document.createElement('script'); s.textContent = 'window.injected = true'; document.body.appendChild(s);
              document.body.insertAdjacentHTML('beforeend', '<div id="styled" style="color: red">x</div>');
            }
            """);

        Assert.False(await page.EvaluateAsync<bool>("() => window.injected === true"));
        await Expect(page.Locator("#styled")).Not.ToHaveCSSAsync("color", "rgb(255, 0, 0)");
        Assert.Throws<Xunit.Sdk.TrueException>(browser.AssertNoCspViolations);
    }

    [Fact]
    public async Task UploadThroughTheForm_CompletesLive_AndTheDocumentViewDrawsBoxes()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "2" });
        await using var browser = await DashboardBrowser.OpenAsync(server.Client.BaseAddress!);
        var page = browser.Page;
        await page.GotoAsync("/");
        await Expect(page.Locator("#live")).ToHaveTextAsync("live");

        await page.Locator("#files").SetInputFilesAsync([Sample("invoice-scan.png"), Sample("form-filled.pdf")]);
        await page.Locator("#priority").SelectOptionAsync("express");
        await page.Locator("#upload button[type=submit]").ClickAsync();

        // Progress arrives over SSE: no reload.
        var batchRow = page.Locator("#batches tbody tr").First;
        await Expect(batchRow.Locator(".badge")).ToHaveTextAsync("completed", new() { Timeout = 180_000 });
        await Expect(batchRow.Locator(".progress span")).ToHaveTextAsync("2 / 2");
        await Expect(page.Locator("#batch-docs .badge.succeeded")).ToHaveCountAsync(2, Patient);
        await Expect(page.Locator("#k-docs")).ToHaveTextAsync("2");
        await browser.ScreenshotAsync("dashboard-after-upload");

        await page.Locator("#batch-docs tr[data-doc]", new() { HasText = "invoice-scan.png" }).ClickAsync();

        await Expect(page.Locator("#doc-view")).ToBeVisibleAsync();
        await Expect(page.Locator("#doc-title")).ToHaveTextAsync("invoice-scan.png");
        await Expect(page.Locator("#page[data-loaded$='/1']")).ToHaveCountAsync(1);
        Assert.True(await page.Locator("#overlay polygon.tok").CountAsync() > 20);
        Assert.True(await page.Locator("#doc-entities tbody tr:not(.empty)").CountAsync() > 0);
        await browser.ScreenshotAsync("document-view-invoice");

        await page.Locator("#doc-close").ClickAsync();
        await page.Locator("#batch-docs tr[data-doc]", new() { HasText = "form-filled.pdf" }).ClickAsync();
        await Expect(page.Locator("#doc-title")).ToHaveTextAsync("form-filled.pdf");
        await Expect(page.Locator("#page[data-loaded$='/1']")).ToHaveCountAsync(1);
        Assert.True(await page.Locator("#overlay polygon.key").CountAsync() > 0);
        await browser.ScreenshotAsync("document-view-form");
        browser.AssertNoCspViolations();
    }

    [Fact]
    public async Task DeadLetter_RequeuedFromTheDashboard_ProcessesOnceItsFileIsBack()
    {
        // One try only, so a job whose original is missing is dead-lettered at its first failure.
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Workers"] = "1", ["Retry:MaxAttempts"] = "1", ["Retry:BaseDelay"] = "00:00:00.100",
        });
        var content = await File.ReadAllBytesAsync(Sample("receipt-digital.pdf"));
        var key = Convert.ToHexStringLower(SHA256.HashData(content));
        var store = server.Services.GetRequiredService<IJobIntakeStore>();
        var queue = server.Services.GetRequiredService<IJobQueue>();
        var jobId = "lost-" + Guid.NewGuid().ToString("N")[..8];
        await store.CreateBatchAsync("batch-" + jobId, [new NewJob(jobId, "lost-receipt.pdf", key, JobRoute.Pdf, JobPriority.Normal) { MimeType = "application/pdf" }], default);
        await queue.EnqueueAsync(new JobTicket(jobId, JobRoute.Pdf, JobPriority.Normal, key) { FileName = "lost-receipt.pdf", BatchId = "batch-" + jobId }, default);

        await using var browser = await DashboardBrowser.OpenAsync(server.Client.BaseAddress!);
        var page = browser.Page;
        await page.GotoAsync("/");
        var letter = page.Locator("#dead tbody tr", new() { HasText = "lost-receipt.pdf" });
        await Expect(letter).ToHaveCountAsync(1, Patient);
        await Expect(page.Locator("#k-failed")).ToContainTextAsync("1 dead letter");
        await browser.ScreenshotAsync("dead-letter");

        // The operator puts the file back, then requeues.
        await using (var stream = new MemoryStream(content)) Assert.Equal(key, (await server.Services.GetRequiredService<IBlobStore>().PutAsync(stream, default)).Key);
        await letter.Locator("button[data-requeue]").ClickAsync();

        await Expect(letter).ToHaveCountAsync(0, Patient);
        await Expect(page.Locator("#jobs tbody tr", new() { HasText = "lost-receipt.pdf" }).Locator(".badge")).ToHaveTextAsync("succeeded", new() { Timeout = 120_000 });
        await Expect(page.Locator("#k-failed")).ToContainTextAsync(new Regex("0 dead letters"));
        await browser.ScreenshotAsync("dead-letter-requeued");
        browser.AssertNoCspViolations();
    }
}
