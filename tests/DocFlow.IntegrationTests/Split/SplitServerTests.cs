using System.Net.Http.Json;
using System.Text.Json;
using DocFlow.Documents;
using DocFlow.Engine;
using DocFlow.IntegrationTests.Support;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Samples;
using DocFlow.Storage;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DocFlow.IntegrationTests.Split;

/// <summary>Large documents split into page-range jobs in embedded mode (`docflow serve`, in-process queue, SQLite).</summary>
public sealed class SplitServerTests
{
    internal static byte[] Sample(string name) => File.ReadAllBytes(Path.Combine(Repo.Samples, name));

    /// <summary>40 pages: text-layer pages with a scanned one among them, so the test stays quick (OCR is ~0.5 s a page).</summary>
    internal static byte[] MixedFortyPages() => LargeDocuments.Repeat(Sample("mixed-pages.pdf"), 40);

    internal static async Task<string> UploadAsync(ServerHarness server, string name, byte[] content)
    {
        var response = await server.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", (name, content)));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    internal static async Task<JsonElement> WaitForAsync(ServerHarness server, string id, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var record = await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{id}");
            var status = record.GetProperty("status").GetString();
            if (status == "succeeded") return record;
            if (status == "failed" || DateTime.UtcNow > deadline) throw new InvalidOperationException($"document {id}: {record}");
            await Task.Delay(100);
        }
    }

    internal static async Task<string> OnePieceAsync(string name, byte[] content)
    {
        using var engine = new LocalDocumentEngine(new EngineOptions { Slots = 2 });
        var result = await engine.ProcessAsync(new DocumentInput(name, content), CancellationToken.None);
        return DocumentJson.Serialize(result.Document);
    }

    [Fact]
    public async Task FortyPagePdf_SplitAcrossSlots_GivesTheSameDocumentAsOnePiece()
    {
        var pdf = MixedFortyPages();
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Split:PageThreshold"] = "8", ["Split:RangeSize"] = "4", ["Workers"] = "2",
        });

        var id = await UploadAsync(server, "long.pdf", pdf);
        var record = await WaitForAsync(server, id, TimeSpan.FromMinutes(10));

        var parts = await server.Services.GetRequiredService<IJobPartStore>().GetPartsAsync(id, CancellationToken.None);
        Assert.Equal(10, parts.Count);
        Assert.All(parts, p => Assert.True(p.Done));
        Assert.Equal(40, record.GetProperty("pages").GetInt32());
        var history = record.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()).ToList();
        Assert.Equal(["queued", "processing", "succeeded"], history);
        var split = await server.Client.GetStringAsync($"api/v1/documents/{id}/result");
        Assert.Equal(await OnePieceAsync("long.pdf", pdf), DocumentJson.Serialize(DocumentJson.Deserialize(split)));
    }

    [Fact]
    public async Task MultiPageTiff_AboveTheThreshold_IsSplitAndMergedInOrder()
    {
        var tiff = Sample("fax-3pages.tif");
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Split:PageThreshold"] = "2", ["Split:RangeSize"] = "1", ["Workers"] = "2",
        });

        var id = await UploadAsync(server, "fax.tif", tiff);
        await WaitForAsync(server, id, TimeSpan.FromMinutes(10));

        Assert.Equal(3, (await server.Services.GetRequiredService<IJobPartStore>().GetPartsAsync(id, CancellationToken.None)).Count);
        var split = await server.Client.GetStringAsync($"api/v1/documents/{id}/result");
        Assert.Equal(await OnePieceAsync("fax.tif", tiff), DocumentJson.Serialize(DocumentJson.Deserialize(split)));
    }

    [Fact]
    public async Task RangeTicketHandledTwice_LeavesOneResult()
    {
        var pdf = LargeDocuments.Repeat(Sample("report-multipage.pdf"), 12);
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Split:PageThreshold"] = "8", ["Workers"] = "1" });
        var id = await UploadAsync(server, "report.pdf", pdf);
        var before = await WaitForAsync(server, id, TimeSpan.FromMinutes(10));
        var result = await server.Client.GetStringAsync($"api/v1/documents/{id}/result");

        // Every range delivered again (a worker that died before acknowledging), the finisher included.
        var handler = server.Services.GetRequiredService<DocumentJobHandler>();
        var parts = await server.Services.GetRequiredService<IJobPartStore>().GetPartsAsync(id, CancellationToken.None);
        foreach (var p in parts)
            await handler.HandleAsync(new JobTicket($"{id}#{p.Index}", JobRoute.Pdf, JobPriority.Normal, "x") { ParentJobId = id, Part = p.Index, Pages = p.Pages, Deliveries = 2 }, CancellationToken.None);

        var after = await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{id}");
        Assert.Equal(before.GetProperty("history").GetRawText(), after.GetProperty("history").GetRawText());
        Assert.Equal(result, await server.Client.GetStringAsync($"api/v1/documents/{id}/result"));
    }

    [Fact]
    public async Task PartStore_ClaimRace_HasExactlyOneWinner_AndAPartIsStoredOnce()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "0" });
        var id = await UploadAsync(server, "r.pdf", Sample("receipt-digital.pdf"));
        var parts = server.Services.GetRequiredService<IJobPartStore>();
        var plan = await parts.PlanPartsAsync(id, SplitPlanner.Plan(12, 4), CancellationToken.None);
        var again = await parts.PlanPartsAsync(id, SplitPlanner.Plan(12, 3), CancellationToken.None);
        Assert.Equal(plan.Select(p => p.Pages), again.Select(p => p.Pages)); // the first plan stands

        var layouts = PageLayoutJson.Serialize([]);
        Assert.False(await parts.TryClaimFinishAsync(id, 0, CancellationToken.None));
        foreach (var p in plan)
            for (var i = 0; i < 2; i++) // stored twice: a redelivery
                await parts.SavePartAsync(id, p.Index, new PartResult("application/pdf", layouts, [p.Pages.First], $"w{i}"), CancellationToken.None);
        var claims = await Task.WhenAll(plan.Select(p => parts.TryClaimFinishAsync(id, p.Index, CancellationToken.None)));

        Assert.Single(claims, c => c);
        var winner = Array.IndexOf(claims, true);
        Assert.True(await parts.TryClaimFinishAsync(id, winner, CancellationToken.None)); // the winner's redelivery
        var stored = await parts.GetPartResultsAsync(id, CancellationToken.None);
        Assert.Equal(3, stored.Count);
        Assert.Equal([1, 5, 9], stored.SelectMany(s => s.RasterizedPages));
    }
}
