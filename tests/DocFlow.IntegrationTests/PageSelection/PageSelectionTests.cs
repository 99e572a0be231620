using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocFlow.Documents;
using DocFlow.IntegrationTests.Server;
using DocFlow.IntegrationTests.Support;

namespace DocFlow.IntegrationTests.PageSelection;

/// <summary>`pages=1-3,7,-1` on upload and `docflow process --pages`: only those pages read, original numbers kept.</summary>
public sealed class PageSelectionTests
{
    private const string FourPages = "report-multipage.pdf";

    private static byte[] Sample(string name) => File.ReadAllBytes(Path.Combine(Repo.Samples, name));

    [Fact]
    public async Task Upload_WithPages_ReadsOnlyThose_WithTheirOriginalNumbers()
    {
        await using var server = await ServerHarness.StartAsync();
        var whole = await UploadAsync(server, null);
        var selected = await UploadAsync(server, "2,-1");

        var all = DocumentJson.Deserialize(await server.Client.GetStringAsync($"api/v1/documents/{await SucceededAsync(server, whole)}/result"));
        var some = DocumentJson.Deserialize(await server.Client.GetStringAsync($"api/v1/documents/{await SucceededAsync(server, selected)}/result"));

        Assert.Equal([1, 2, 3, 4], all.Pages!.Select(p => p.PageNumber));
        Assert.Equal([2, 4], some.Pages!.Select(p => p.PageNumber));
        // The same words on the same pages: what a page reads does not depend on which others were read.
        Assert.Equal(PageText(all, 2) + PageText(all, 4), some.Text);
        var record = await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{selected}");
        Assert.Equal(2, record.GetProperty("pages").GetInt32());
    }

    [Fact]
    public async Task SplitDocument_WithPages_IsSplitIntoRunsOfTheSelectedPages_AndMergedWithTheirNumbers()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Split:PageThreshold"] = "1", ["Split:RangeSize"] = "1", ["Workers"] = "2",
        });
        var whole = DocumentJson.Deserialize(await server.Client.GetStringAsync(
            $"api/v1/documents/{await SucceededAsync(server, await UploadAsync(server, null))}/result"));
        var split = DocumentJson.Deserialize(await server.Client.GetStringAsync(
            $"api/v1/documents/{await SucceededAsync(server, await UploadAsync(server, "1,3-4"))}/result"));

        Assert.Equal([1, 3, 4], split.Pages!.Select(p => p.PageNumber));
        Assert.Equal(PageText(whole, 1) + PageText(whole, 3) + PageText(whole, 4), split.Text);
    }

    [Fact]
    public async Task SameBytes_OtherPages_AreAnotherJob_SamePages_AreAnsweredFromTheFirst()
    {
        await using var server = await ServerHarness.StartAsync();
        await SucceededAsync(server, await UploadAsync(server, "1-2"));

        var samePages = await PostAsync(server, "1-2");
        var otherPages = await PostAsync(server, "3");

        Assert.Equal("succeeded", samePages.GetProperty("status").GetString());
        Assert.Equal("queued", otherPages.GetProperty("status").GetString());
        var other = DocumentJson.Deserialize(await server.Client.GetStringAsync(
            $"api/v1/documents/{await SucceededAsync(server, otherPages.GetProperty("id").GetString()!)}/result"));
        Assert.Equal([3], other.Pages!.Select(p => p.PageNumber));
    }

    [Fact]
    public async Task Batch_WithPages_AppliesThemToEveryFile()
    {
        await using var server = await ServerHarness.StartAsync();
        var form = ServerHarness.Form("files", ("a.pdf", Sample(FourPages)), ("b.pdf", Sample("mixed-pages.pdf"))).With("pages", "-1");
        var response = await server.Client.PostAsync("api/v1/batches", form);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var batch = await response.Content.ReadFromJsonAsync<JsonElement>();
        await server.WaitForBatchAsync(batch.GetProperty("batchId").GetString()!, TimeSpan.FromMinutes(10));
        var numbers = new List<int>();
        foreach (var d in batch.GetProperty("documents").EnumerateArray())
        {
            var doc = DocumentJson.Deserialize(await server.Client.GetStringAsync($"api/v1/documents/{d.GetProperty("id").GetString()}/result"));
            numbers.AddRange(doc.Pages!.Select(p => p.PageNumber));
        }
        Assert.Equal([4, 2], numbers);
    }

    [Fact]
    public async Task BadPages_Are400ProblemDetails_AndPagesBeyondTheDocument_FailTheJobSayingWhy()
    {
        await using var server = await ServerHarness.StartAsync();
        var bad = await server.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", ("r.pdf", Sample(FourPages))).With("pages", "3-1"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("invalid_pages", problem.GetProperty("code").GetString());
        Assert.Contains("backwards", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var beyond = await UploadAsync(server, "9");
        var record = await FinishedAsync(server, beyond);
        Assert.Equal("failed", record.GetProperty("status").GetString());
        Assert.Equal("invalid_pages", record.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("4 pages", record.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_ProcessWithPages_WritesOnlyThosePages_AndRefusesABadSelectionByName()
    {
        var dir = Repo.NewTempDirectory("cli-pages");
        File.Copy(Path.Combine(Repo.Samples, FourPages), Path.Combine(dir, "r.pdf"));
        var output = Path.Combine(dir, "out");

        var (exit, log) = await RunCliAsync("process", Path.Combine(dir, "r.pdf"), "--out", output, "--pages", "1,-2--1", "--quiet");
        Assert.True(exit == 0, log);
        var document = DocumentJson.Deserialize(await File.ReadAllTextAsync(Path.Combine(output, "r.pdf.json")));
        Assert.Equal([1, 3, 4], document.Pages!.Select(p => p.PageNumber));

        var (badExit, badLog) = await RunCliAsync("process", Path.Combine(dir, "r.pdf"), "--out", output, "--pages", "x");
        Assert.NotEqual(0, badExit);
        Assert.Contains("--pages", badLog, StringComparison.Ordinal);
        Assert.Contains("'x'", badLog, StringComparison.Ordinal);
    }

    private static string PageText(Document document, int pageNumber) =>
        DocumentAssembler.TextOf(document, document.Pages!.Single(p => p.PageNumber == pageNumber).Layout!.TextAnchor);

    private static async Task<JsonElement> PostAsync(ServerHarness server, string? pages)
    {
        var form = ServerHarness.Form("file", ("r.pdf", Sample(FourPages)));
        if (pages is not null) form.With("pages", pages);
        var response = await server.Client.PostAsync("api/v1/documents", form);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<string> UploadAsync(ServerHarness server, string? pages) =>
        (await PostAsync(server, pages)).GetProperty("id").GetString()!;

    private static async Task<string> SucceededAsync(ServerHarness server, string id)
    {
        var record = await FinishedAsync(server, id);
        Assert.True(record.GetProperty("status").GetString() == "succeeded", record.ToString());
        return id;
    }

    private static async Task<JsonElement> FinishedAsync(ServerHarness server, string id)
    {
        for (var i = 0; i < 900; i++)
        {
            var record = await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{id}");
            if (record.GetProperty("status").GetString() is "succeeded" or "failed") return record;
            await Task.Delay(200);
        }
        throw new TimeoutException(id);
    }

    private static async Task<(int Exit, string Output)> RunCliAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "docflow.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        return (p.ExitCode, await stdout + await stderr);
    }
}
