using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocFlow.Documents;
using DocFlow.Engine;
using DocFlow.IntegrationTests.Support;
using DocFlow.Processing;
using DocFlow.Samples;
using DocFlow.Storage;
using Microsoft.Extensions.DependencyInjection;
using static DocFlow.IntegrationTests.Support.ProblemAssert;

namespace DocFlow.IntegrationTests.Server;

public sealed class ApiTests
{
    private static byte[] Sample(string name) => File.ReadAllBytes(Path.Combine(Repo.Samples, name));

    [Fact]
    public async Task BatchOfSamples_OverHttp_GivesTheSameDocumentsAsTheEngine()
    {
        await using var server = await ServerHarness.StartAsync();
        var names = new[] { "invoice-digital.pdf", "receipt-shop.jpg", "mixed-pages.pdf", "fax-3pages.tif" };

        var response = await server.Client.PostAsync("api/v1/batches", ServerHarness.Form("files", [.. names.Select(n => (n, Sample(n)))]));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        var batchId = accepted.GetProperty("batchId").GetString()!;
        Assert.Equal(names, accepted.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("fileName").GetString()));
        var batch = await server.WaitForBatchAsync(batchId, TimeSpan.FromMinutes(10));
        Assert.Equal(names.Length, batch.GetProperty("succeeded").GetInt32());
        Assert.True(batch.TryGetProperty("finishedAt", out _));

        var docs = await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/batches/{batchId}/documents");
        using var engine = new LocalDocumentEngine(new EngineOptions { Slots = 2 });
        foreach (var d in docs.EnumerateArray())
        {
            Assert.Equal("succeeded", d.GetProperty("status").GetString());
            Assert.Equal(1, d.GetProperty("attempts").GetInt32());
            var name = d.GetProperty("fileName").GetString()!;
            var overHttp = await server.Client.GetStringAsync($"api/v1/documents/{d.GetProperty("id").GetString()}/result");
            var local = await engine.ProcessAsync(new DocumentInput(name, Sample(name)), CancellationToken.None);
            Assert.Equal(DocumentJson.Serialize(local.Document), DocumentJson.Serialize(DocumentJson.Deserialize(overHttp)));
        }
    }

    [Fact]
    public async Task SingleDocument_Returns202WithLocation_AndTextAndOriginal()
    {
        await using var server = await ServerHarness.StartAsync();
        var pdf = Sample("receipt-digital.pdf");

        var response = await server.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", ("r.pdf", pdf)));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        var id = location.Split('/').Last();
        var record = await WaitForDocumentAsync(server, id);
        Assert.Equal("succeeded", record.GetProperty("status").GetString());
        Assert.Equal("application/pdf", record.GetProperty("mimeType").GetString());
        var text = await server.Client.GetStringAsync($"api/v1/documents/{id}/text");
        var truth = GroundTruth.Load(Path.Combine(Repo.Samples, "receipt-digital.truth.json"));
        Assert.Equal(truth.Text, text);
        Assert.Equal(pdf, await server.Client.GetByteArrayAsync($"api/v1/documents/{id}/original"));
    }

    [Fact]
    public async Task Result_IsTheStoredDocumentsJson_ByteForByte_AsApplicationJson()
    {
        // The result is serialized straight into the response (docs/benchmarks.md, "Authentication and audit cost",
        // session 10): the same bytes DocumentJson.Serialize makes of the stored document, the same content type.
        await using var server = await ServerHarness.StartAsync();
        var id = await Upload(server, "invoice-digital.pdf");
        await WaitForDocumentAsync(server, id);

        using var response = await server.Client.GetAsync($"api/v1/documents/{id}/result");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.ToString());
        var stored = await server.Services.GetRequiredService<IJobMonitoringStore>().GetResultAsync(id, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal(System.Text.Encoding.UTF8.GetBytes(DocumentJson.Serialize(stored)), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task SameFileAgain_IsAnsweredFromTheStoredResult()
    {
        await using var server = await ServerHarness.StartAsync();
        var first = await Upload(server, "invoice-digital.pdf");
        await WaitForDocumentAsync(server, first);

        var second = await server.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", ("again.pdf", Sample("invoice-digital.pdf"))));
        var body = await second.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("succeeded", body.GetProperty("status").GetString());
        Assert.Equal(await server.Client.GetStringAsync($"api/v1/documents/{first}/result"),
            await server.Client.GetStringAsync($"api/v1/documents/{body.GetProperty("id").GetString()}/result"));
    }

    [Fact]
    public async Task BadRequests_GetProblemDetailsThatSayWhatToDo()
    {
        await using var server = await ServerHarness.StartAsync();

        var noFile = await server.Client.PostAsync("api/v1/documents", new MultipartFormDataContent { { new StringContent("x"), "other" } });
        await AssertProblem(noFile, HttpStatusCode.BadRequest, "file");

        var html = await server.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", ("page.pdf", "<!DOCTYPE html><html></html>"u8.ToArray())));
        var problem = await AssertProblem(html, HttpStatusCode.UnsupportedMediaType, "HTML");
        Assert.Equal("unsupported_type", problem.GetProperty("code").GetString());

        var badPriority = await server.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", ("a.pdf", Sample("receipt-digital.pdf"))).With("priority", "urgent"));
        await AssertProblem(badPriority, HttpStatusCode.BadRequest, "express or normal");
        // A number is not a priority, though Enum.TryParse alone would take "1" for express.
        var numericPriority = await server.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", ("a.pdf", Sample("receipt-digital.pdf"))).With("priority", "1"));
        await AssertProblem(numericPriority, HttpStatusCode.BadRequest, "express or normal");

        await AssertProblem(await server.Client.GetAsync("api/v1/documents/d_missing"), HttpStatusCode.NotFound, "d_missing");
        await AssertProblem(await server.Client.GetAsync("api/v1/batches/b_missing"), HttpStatusCode.NotFound, "b_missing");
        await AssertProblem(await server.Client.PostAsync("api/v1/batches", new StringContent("{}")), HttpStatusCode.BadRequest, "multipart");
    }

    [Fact]
    public async Task TooLargeFile_Is413_AndTheRestOfABatchGoesOn()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Engine:MaxFileBytes"] = "100000" });
        var big = new byte[200_000];
        "%PDF-1.7\n"u8.CopyTo(big);

        await AssertProblem(await server.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", ("big.pdf", big))), HttpStatusCode.RequestEntityTooLarge, "limit");

        var batch = await server.Client.PostAsync("api/v1/batches", ServerHarness.Form("files", ("big.pdf", big), ("ok.pdf", Sample("receipt-digital.pdf"))));
        var body = await batch.Content.ReadFromJsonAsync<JsonElement>();
        var docs = body.GetProperty("documents").EnumerateArray().ToList();
        Assert.Equal("too_large", docs[0].GetProperty("error").GetProperty("code").GetString());
        var done = await server.WaitForBatchAsync(body.GetProperty("batchId").GetString()!, TimeSpan.FromMinutes(10));
        Assert.Equal(1, done.GetProperty("succeeded").GetInt32());
        Assert.Equal(1, done.GetProperty("failed").GetInt32());
    }

    [Fact]
    public async Task ResultBeforeItIsReady_Is409_AndAFullQueueIs503WithRetryAfter()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Workers"] = "0", ["MaxQueueDepth"] = "1", ["QueueFullRetryAfter"] = "00:00:07",
        });
        var id = await Upload(server, "receipt-digital.pdf");

        await AssertProblem(await server.Client.GetAsync($"api/v1/documents/{id}/result"), HttpStatusCode.Conflict, "queued");
        var busy = await server.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", ("b.pdf", Sample("invoice-digital.pdf"))));
        await AssertProblem(busy, HttpStatusCode.ServiceUnavailable, "try again");
        Assert.Equal(TimeSpan.FromSeconds(7), busy.Headers.RetryAfter?.Delta);
        var queues = await server.Client.GetFromJsonAsync<JsonElement>("api/v1/queues");
        Assert.Equal(1, queues.GetProperty("depth").GetInt64());
    }

    [Fact]
    public async Task Batch_IsQueuedLargestFileFirst_AndAnsweredInUploadOrder()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "0" });
        string[] names = ["invoice-digital.pdf", "letter-skewed.jpg", "receipt-digital.pdf", "scanned-contract.pdf", "receipt-shop.jpg"];

        var response = await server.Client.PostAsync("api/v1/batches", ServerHarness.Form("files", [.. names.Select(n => (n, Sample(n)))]));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(names, accepted.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("fileName").GetString()));
        var queue = server.Services.GetRequiredService<DocFlow.Queueing.IJobQueue>();
        var taken = new List<string>();
        for (var i = 0; i < names.Length; i++)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var job = await queue.FetchAsync([DocFlow.Queueing.JobRoute.Image, DocFlow.Queueing.JobRoute.Pdf], timeout.Token);
            taken.Add(job.Ticket.FileName!);
            await job.AcknowledgeAsync(CancellationToken.None);
        }
        Assert.Equal(names.OrderByDescending(n => new FileInfo(Path.Combine(Repo.Samples, n)).Length), taken);
    }

    [Fact]
    public async Task Health_OpenApi_AndReferencePage_AreServed()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "0" });
        var alive = await server.Client.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal("alive", (await alive.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.True(alive.Headers.CacheControl?.NoStore); // probes are never answered from a cache
        var ready = await server.Client.GetFromJsonAsync<JsonElement>("readyz");
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Empty(ready.GetProperty("degraded").EnumerateArray());
        Assert.Equal(["database", "handoff", "queue", "storage"], ready.GetProperty("checks").EnumerateObject().Select(c => c.Name).Order());
        Assert.All(ready.GetProperty("checks").EnumerateObject(), c => Assert.Equal("ok", c.Value.GetString()));
        var openApi = await server.Client.GetFromJsonAsync<JsonElement>("openapi/v1.json");
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/api/v1/batches/{id}/documents", out _));
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("api-reference")).StatusCode);
    }

    [Fact]
    public async Task BatchEvents_StreamProgressUntilCompleted()
    {
        await using var server = await ServerHarness.StartAsync();
        var response = await server.Client.PostAsync("api/v1/batches", ServerHarness.Form("files", ("a.pdf", Sample("receipt-digital.pdf")), ("b.pdf", Sample("invoice-digital.pdf"))));
        var batchId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString();

        using var stream = await server.Client.GetAsync($"api/v1/batches/{batchId}/events");
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        var events = await stream.Content.ReadAsStringAsync();

        var data = events.Split("\n").Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(data.Count, data.Distinct().Count()); // only changes are sent
        Assert.Equal(data.Count, events.Split("\n").Count(l => l == "event: batch"));
        var last = data.Last();
        var batch = JsonDocument.Parse(last[6..]).RootElement;
        Assert.Equal("completed", batch.GetProperty("status").GetString());
        Assert.Equal(2, batch.GetProperty("succeeded").GetInt32());
        Assert.Contains("event: batch", events);
        await AssertProblem(await server.Client.GetAsync("api/v1/batches/b_missing/events"), HttpStatusCode.NotFound, "b_missing");
    }

    [Fact]
    public async Task CompletedBatch_HasReportPdfCsvAndJson()
    {
        await using var server = await ServerHarness.StartAsync();
        var response = await server.Client.PostAsync("api/v1/batches", ServerHarness.Form("files",
            ("invoice.pdf", Sample("invoice-digital.pdf")), ("notes.txt", "plain words"u8.ToArray())));
        var batchId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString();
        var completed = await server.WaitForBatchAsync(batchId!, TimeSpan.FromMinutes(10));
        var aggregate = completed.GetProperty("aggregate");
        Assert.Equal(1, aggregate.GetProperty("byType").GetProperty("invoice").GetInt32());
        Assert.Equal("unsupported_type", aggregate.GetProperty("errors")[0].GetProperty("code").GetString());
        Assert.Equal("GBP", aggregate.GetProperty("totals")[0].GetProperty("currency").GetString());

        // The report job runs on the report route once the batch's last document has ended: 202 until it is stored.
        var pdf = await server.WaitForReportAsync(batchId!, TimeSpan.FromMinutes(10));
        Assert.Equal("%PDF-", System.Text.Encoding.ASCII.GetString(pdf, 0, 5));
        using (var report = UglyToad.PdfPig.PdfDocument.Open(pdf))
        {
            var text = string.Join("\n", report.GetPages().Select(p => p.Text));
            Assert.Contains("invoice.pdf", text);
            Assert.Contains("unsupported_type", text);
        }
        var csv = (await server.Client.GetStringAsync($"api/v1/batches/{batchId}/results.csv")).TrimEnd().Split('\n');
        Assert.Equal(3, csv.Length);
        Assert.StartsWith("file,status", csv[0]);
        var json = await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/batches/{batchId}/results.json");
        Assert.Equal(2, json.GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("api/v1/batches/b_none/report.pdf")).StatusCode);
    }

    [Fact]
    public async Task ReportOfARunningBatch_Is409WithRetryAfter()
    {
        // No worker slots: the document stays queued, so the batch is running.
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "0" });
        var response = await server.Client.PostAsync("api/v1/batches", ServerHarness.Form("files", ("invoice.pdf", Sample("invoice-digital.pdf"))));
        var batchId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString();

        var report = await server.Client.GetAsync($"api/v1/batches/{batchId}/report.pdf");

        Assert.Equal(HttpStatusCode.Conflict, report.StatusCode);
        Assert.NotNull(report.Headers.RetryAfter);
        Assert.Equal("application/problem+json", report.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task TooManyUploadsFromOneClient_Get429WithRetryAfter()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["RateLimit:UploadsPerMinute"] = "2", ["Workers"] = "0" });
        for (var i = 0; i < 2; i++) await Upload(server, "receipt-digital.pdf");

        var third = await server.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", ("c.pdf", Sample("receipt-digital.pdf"))));

        await AssertProblem(third, HttpStatusCode.TooManyRequests, "batch");
        Assert.NotNull(third.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("api/v1/queues")).StatusCode);
    }

    [Fact]
    public async Task QueuedJobs_AreProcessedAfterARestart_InEmbeddedMode()
    {
        var data = Repo.NewTempDirectory("restart");
        string id;
        await using (var first = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["DataDirectory"] = data, ["Workers"] = "0" }))
            id = await Upload(first, "receipt-digital.pdf"); // accepted, queued in memory and in the store; then the process stops

        await using var second = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["DataDirectory"] = data, ["Workers"] = "2" });
        var record = await WaitForDocumentAsync(second, id);

        Assert.Equal("succeeded", record.GetProperty("status").GetString());
        Directory.Delete(data, recursive: true);
    }

    private static async Task<string> Upload(ServerHarness server, string sample)
    {
        var response = await server.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", (sample, Sample(sample))));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> WaitForDocumentAsync(ServerHarness server, string id)
    {
        for (var i = 0; i < 600; i++)
        {
            var record = await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{id}");
            if (record.GetProperty("status").GetString() is "succeeded" or "failed") return record;
            await Task.Delay(200);
        }
        throw new TimeoutException(id);
    }
}

internal static class FormExtensions
{
    public static MultipartFormDataContent With(this MultipartFormDataContent form, string name, string value)
    {
        form.Add(new StringContent(value), name);
        return form;
    }
}
