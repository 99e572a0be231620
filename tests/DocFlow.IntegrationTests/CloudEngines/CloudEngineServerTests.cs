using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;
using DocFlow.Tools.CloudEngines;

namespace DocFlow.IntegrationTests.CloudEngines;

/// <summary>`docflow serve` with the pdf route on a cloud engine (the fake) and images on the local engine: the job
/// records the engine, and /metrics carries the engine metrics.</summary>
public sealed class CloudEngineServerTests
{
    [Fact]
    public async Task Serve_WithThePdfRouteOnACloudEngine_RecordsTheEngineOfEachDocument_AndExportsItsMetrics()
    {
        await using var fake = await FakeDocumentAi.StartAsync();
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Engines:Routes:pdf"] = "eu",
            ["Engines:Cloud:eu:Kind"] = "docai-compatible",
            ["Engines:Cloud:eu:BaseUrl"] = fake.BaseUrl.ToString(),
            ["Engines:Cloud:eu:Project"] = "p",
            ["Engines:Cloud:eu:Location"] = "eu",
            ["Engines:Cloud:eu:Processor"] = "ocr1",
            ["Engines:PricePerPage:eu"] = "0.0015",
        });
        var pdf = TextPdf.Create(20); // above Split:PageThreshold: the cloud engine takes it whole, in two requests
        var png = File.ReadAllBytes(Path.Combine(Repo.Samples, "receipt-shop.jpg"));

        var response = await server.Client.PostAsync("api/v1/batches", ServerHarness.Form("files", ("long.pdf", pdf), ("receipt.jpg", png)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var batchId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString()!;
        await server.WaitForBatchAsync(batchId, TimeSpan.FromMinutes(10));

        var docs = await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/batches/{batchId}/documents");
        var ids = docs.EnumerateArray().ToDictionary(d => d.GetProperty("fileName").GetString()!, d => d.GetProperty("id").GetString()!);
        foreach (var (name, engine) in new[] { ("long.pdf", "eu"), ("receipt.jpg", "local") })
        {
            var job = await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{ids[name]}");
            Assert.Equal("succeeded", job.GetProperty("status").GetString());
            Assert.Equal(engine, job.GetProperty("engine").GetString());
        }
        var id = ids["long.pdf"];
        var text = await server.Client.GetStringAsync($"api/v1/documents/{id}/text");
        Assert.Equal(string.Concat(Enumerable.Range(1, 20).Select(p => FakeDocumentAi.PageText("long.pdf", p))), text);
        Assert.Equal(2, fake.Requests.Count);

        var metrics = await server.Client.GetStringAsync("metrics");
        Assert.Contains("docflow_engine_documents_total{configured=\"eu\",engine=\"eu\"} 1", metrics);
        Assert.Contains("docflow_engine_cost_total{engine=\"eu\"} 0.03", metrics);
        Assert.Contains("docflow_engine_breaker_state{engine=\"eu\"} 0", metrics);
        Assert.Contains("docflow_engine_requests_total{engine=\"eu\",outcome=\"ok\"} 2", metrics);
    }

    [Fact]
    public async Task Serve_WithPackingConfigured_SendsSeveralDocumentsPerRequest_AndEachJobRecordsItsEngineTextAndCost()
    {
        await using var fake = await FakeDocumentAi.StartAsync();
        fake.ReadContent = true;
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Workers"] = "16", // packs hold documents in flight at once: a cloud route wants many slots
            ["Engines:Routes:pdf"] = "eu",
            ["Engines:Cloud:eu:Kind"] = "docai-compatible",
            ["Engines:Cloud:eu:BaseUrl"] = fake.BaseUrl.ToString(),
            ["Engines:Cloud:eu:Project"] = "p",
            ["Engines:Cloud:eu:Processor"] = "ocr1",
            ["Engines:Cloud:eu:PackPages"] = "15",
            ["Engines:Cloud:eu:PackWindowMs"] = "1000",
            ["Engines:PricePerPage:eu"] = "0.0015",
        });
        var files = Enumerable.Range(0, 10).Select(i => ($"letter-{i}.pdf", UncompressedPdf.WithText($"Letter {i} of ten"))).ToArray();

        var response = await server.Client.PostAsync("api/v1/batches", ServerHarness.Form("files", files));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var batchId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString()!;
        await server.WaitForBatchAsync(batchId, TimeSpan.FromMinutes(10));

        var docs = await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/batches/{batchId}/documents");
        foreach (var doc in docs.EnumerateArray())
        {
            var id = doc.GetProperty("id").GetString()!;
            var name = doc.GetProperty("fileName").GetString()!;
            var job = await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{id}");
            Assert.Equal(("succeeded", "eu"), (job.GetProperty("status").GetString(), job.GetProperty("engine").GetString()));
            var i = name["letter-".Length..^".pdf".Length];
            Assert.Equal($"Letter {i} of ten\n", await server.Client.GetStringAsync($"api/v1/documents/{id}/text"));
        }
        Assert.Equal(10, fake.Requests.Sum(r => r.Pages.Count)); // every page sent once
        Assert.True(fake.Requests.Count < 10, $"{fake.Requests.Count} requests for 10 documents");

        var metrics = await server.Client.GetStringAsync("metrics");
        Assert.Contains("docflow_engine_documents_total{configured=\"eu\",engine=\"eu\"} 10", metrics);
        var cost = System.Text.RegularExpressions.Regex.Match(metrics, @"docflow_engine_cost_total\{engine=""eu""\} ([0-9.eE+-]+)");
        Assert.True(cost.Success, "no cost of eu on /metrics");
        Assert.Equal(10 * 0.0015, double.Parse(cost.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 9); // each document its own page

        // The dashboard: documents and cost per document by engine, and the breaker of the engine this process runs.
        var overview = await server.Client.GetFromJsonAsync<JsonElement>("api/v1/dashboard/overview");
        var eu = overview.GetProperty("engines").EnumerateArray().Single(e => e.GetProperty("name").GetString() == "eu");
        Assert.Equal("closed", eu.GetProperty("breaker").GetString());
        Assert.Equal((10, 10), (eu.GetProperty("documents").GetInt64(), eu.GetProperty("pages").GetInt64()));
        Assert.Equal(0.0015, eu.GetProperty("costPerDocument").GetDouble(), 9);
        Assert.Equal("USD", eu.GetProperty("currency").GetString());
    }

    [Fact]
    public async Task Serve_WithAPriceTable_ReportsTheEngineAndCostOfEachDocument_AndAnEnginesTableInThePdf()
    {
        await using var fake = await FakeDocumentAi.StartAsync();
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Engines:Routes:pdf"] = "eu",
            ["Engines:Cloud:eu:Kind"] = "docai-compatible",
            ["Engines:Cloud:eu:BaseUrl"] = fake.BaseUrl.ToString(),
            ["Engines:Cloud:eu:Project"] = "p",
            ["Engines:Cloud:eu:Processor"] = "ocr1",
            ["Engines:PricePerPage:eu"] = "0.0015",
            ["Engines:PricePerPage:local"] = "0.0002",
            ["Engines:Currency"] = "EUR",
        });
        var png = File.ReadAllBytes(Path.Combine(Repo.Samples, "receipt-shop.jpg"));
        var response = await server.Client.PostAsync("api/v1/batches",
            ServerHarness.Form("files", ("four.pdf", TextPdf.Create(4)), ("two.pdf", TextPdf.Create(2)), ("receipt.jpg", png)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var batchId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString()!;
        await server.WaitForBatchAsync(batchId, TimeSpan.FromMinutes(10));

        // results.csv: engine and cost (pages x the engine's price) on every row.
        var csv = (await server.Client.GetStringAsync($"api/v1/batches/{batchId}/results.csv")).TrimEnd().Split("\r\n");
        Assert.EndsWith(",engine,cost", csv[0]);
        var rows = csv[1..].ToDictionary(r => r[..r.IndexOf(',', StringComparison.Ordinal)], r => r[(r.LastIndexOf(',', r.LastIndexOf(',') - 1) + 1)..]);
        Assert.Equal("eu,0.006", rows["four.pdf"]);
        Assert.Equal("eu,0.003", rows["two.pdf"]);
        Assert.Equal("local,0.0002", rows["receipt.jpg"]);
        var json = await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/batches/{batchId}/results.json");
        Assert.Equal(0.006m, json.EnumerateArray().Single(r => r.GetProperty("file").GetString() == "four.pdf").GetProperty("cost").GetDecimal());

        // report.pdf: the Engines table on the cover, with documents, pages, cost and cost per document.
        var pdf = await server.WaitForReportAsync(batchId, TimeSpan.FromMinutes(10));
        using var report = UglyToad.PdfPig.PdfDocument.Open(pdf);
        var cover = string.Join(" ", report.GetPage(1).GetWords().Select(w => w.Text));
        Assert.Contains("Engines Engine Documents Pages Cost (EUR) Cost per document", cover);
        Assert.Contains("eu 2 6 0.009 0.0045", cover);
        Assert.Contains("local 1 1 0.0002 0.0002", cover);
        Assert.Contains("All engines: 0.0092 EUR", cover);
    }
}
