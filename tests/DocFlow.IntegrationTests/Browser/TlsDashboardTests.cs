using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;
using DocFlow.Server.Api;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DocFlow.IntegrationTests.Browser;

/// <summary>
/// The README's encrypted walk-through end to end with a person at the end of it: TLS on Kestrel, Redis and PostgreSQL,
/// an admin key from `docflow keys create`, a `docflow worker` process (<see cref="TlsPlatform"/>); a document uploaded
/// with the key over HTTPS as the README's curl line does, then the dashboard opened over HTTPS in Chromium, signed in
/// with the same key, showing the document and its result under HSTS and the strict Content-Security-Policy.
/// </summary>
/// <remarks>Chromium trusts the test server's certificate, and nothing else, through
/// <c>--ignore-certificate-errors-spki-list</c> with the SHA-256 of the leaf's public key (the server sends the leaf alone,
/// so the CA's key never appears in the chain Chromium sees); a browser without the switch refuses the page.</remarks>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TlsDashboardTests
{
    [Fact]
    public async Task Dashboard_OverHttps_SignedInWithAKey_ShowsTheWorkersResult()
    {
        await using var platform = await TlsPlatform.StartAsync("tlsdash");
        var api = platform.Client;

        // curl --cacert ca.pem -H "X-Api-Key: $KEY" -F file=@samples/invoice-digital.pdf https://localhost:8443/api/v1/documents
        var upload = await api.PostAsync("api/v1/documents",
            ServerHarness.Form("file", ("invoice-digital.pdf", await File.ReadAllBytesAsync(Path.Combine(Repo.Samples, "invoice-digital.pdf")))));
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var documentId = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
        string? status;
        while ((status = (await api.GetFromJsonAsync<JsonElement>($"api/v1/documents/{documentId}")).GetProperty("status").GetString()) is not ("succeeded" or "failed"))
        {
            Assert.True(DateTime.UtcNow < deadline, $"document {documentId} still {status}; worker output:\n{platform.Worker.Output}\nserver output:\n{platform.Server.Output}");
            await Task.Delay(200);
        }
        Assert.Equal("succeeded", status);

        // A browser that was not told about the test certificate refuses the page: the trust below is what lets it in.
        await using (var untrusting = await DashboardBrowser.OpenAsync(platform.BaseAddress))
        {
            var refused = await Assert.ThrowsAsync<PlaywrightException>(() => untrusting.Page.GotoAsync("/"));
            Assert.Contains("ERR_CERT", refused.Message, StringComparison.Ordinal);
        }

        await using var browser = await DashboardBrowser.OpenAsync(platform.BaseAddress,
            "--ignore-certificate-errors-spki-list=" + platform.Certificates.ServerSpkiSha256);
        var page = browser.Page;
        var response = await page.GotoAsync("/");
        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        Assert.StartsWith("https://", page.Url, StringComparison.Ordinal);
        var headers = await response.AllHeadersAsync();
        Assert.Equal(Hardening.HstsValue, headers["strict-transport-security"]);
        Assert.Equal(Hardening.StrictContentSecurityPolicy, headers["content-security-policy"]);
        Assert.Equal("nosniff", headers["x-content-type-options"]);

        // Signed out, the page shows the sign-in form and no data; signed in with the admin key, everything.
        await Expect(page.Locator("#sign-in-view")).ToBeVisibleAsync();
        await Expect(page.Locator("#overview-view")).ToBeHiddenAsync();
        await page.Locator("#api-key").FillAsync(platform.ApiKey);
        await page.Locator("#sign-in button[type=submit]").ClickAsync();
        await Expect(page.Locator("#who")).ToContainTextAsync("admin");
        await Expect(page.Locator("#insecure")).ToBeHiddenAsync();
        await Expect(page.Locator("#live")).ToHaveTextAsync("live"); // the overview stream over HTTPS, with the key
        await Expect(page.Locator("#mode")).ToHaveTextAsync("distributed");
        await Expect(page.Locator("#workers tbody tr .badge")).ToHaveTextAsync("live"); // the worker process, seen through Redis on TLS
        var row = page.Locator("#jobs tbody tr", new() { HasText = "invoice-digital.pdf" });
        await Expect(row.Locator(".badge")).ToHaveTextAsync("succeeded");
        await browser.ScreenshotAsync("dashboard-tls-signed-in");

        // The document's result: the page image (rendered by the API from the sealed original) with the boxes over it.
        await row.ClickAsync();
        await Expect(page.Locator("#doc-view")).ToBeVisibleAsync();
        await Expect(page.Locator("#doc-title")).ToHaveTextAsync("invoice-digital.pdf");
        await Expect(page.Locator("#doc-meta .badge")).ToHaveTextAsync("succeeded");
        await Expect(page.Locator("#page[data-loaded$='/1']")).ToHaveCountAsync(1);
        Assert.True(await page.Locator("#overlay polygon.tok").CountAsync() > 20);
        await Expect(page.Locator("#doc-entities")).ToContainTextAsync("INV-776656");
        await browser.ScreenshotAsync("dashboard-tls-document");
        browser.AssertNoCspViolations();
    }
}
