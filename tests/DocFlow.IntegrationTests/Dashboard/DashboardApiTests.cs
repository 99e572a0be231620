using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;

namespace DocFlow.IntegrationTests.Dashboard;

/// <summary>The dashboard's API against a real embedded server (SQLite, in-process queue and registry).</summary>
public sealed class DashboardApiTests
{
    private static byte[] Sample(string name) => File.ReadAllBytes(Path.Combine(Repo.Samples, name));

    private static async Task<(string BatchId, string DocumentId)> UploadAsync(ServerHarness server, string name)
    {
        var response = await server.Client.PostAsync("api/v1/batches", ServerHarness.Form("files", (name, Sample(name))));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("batchId").GetString()!, body.GetProperty("documents")[0].GetProperty("id").GetString()!);
    }

    [Fact]
    public async Task Overview_AfterADocument_ShowsTheWorkerTheQueuesAndTheLastHour()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Workers"] = "2", ["Dashboard:Cost:ComputePerHour"] = "0.5", ["Dashboard:Cost:CloudPer1000Pages"] = "2",
        });
        var (batch, _) = await UploadAsync(server, "receipt-digital.pdf");
        await server.WaitForBatchAsync(batch, TimeSpan.FromMinutes(10));

        var o = await server.Client.GetFromJsonAsync<JsonElement>("api/v1/dashboard/overview");

        Assert.Equal("embedded", o.GetProperty("mode").GetString());
        Assert.Equal(8, o.GetProperty("queues").GetProperty("lanes").GetArrayLength());
        var worker = Assert.Single(o.GetProperty("workers").EnumerateArray());
        Assert.False(worker.GetProperty("stale").GetBoolean());
        Assert.Equal(2, worker.GetProperty("slots").GetInt32());
        Assert.Equal(["image", "pdf", "report", "webhook"], worker.GetProperty("routes").EnumerateArray().Select(r => r.GetString()));
        var hour = o.GetProperty("lastHour");
        Assert.Equal(1, hour.GetProperty("documents").GetInt64());
        Assert.Equal(1, hour.GetProperty("pages").GetInt64());
        Assert.Equal(0, hour.GetProperty("errorRate").GetDouble());
        Assert.Equal(60, hour.GetProperty("perMinute").GetArrayLength());
        Assert.Equal(1, hour.GetProperty("perMinute").EnumerateArray().Sum(m => m.GetProperty("documents").GetInt32()));
        var cost = o.GetProperty("cost");
        Assert.Equal(0.5, cost.GetProperty("computePerHour").GetDouble());
        Assert.True(cost.GetProperty("perDocument").GetDouble() > 0);
        Assert.Equal(0.002, cost.GetProperty("cloudPerDocument").GetDouble(), 6); // one page at 2 per 1000
        Assert.True(o.GetProperty("uptimeSeconds").GetDouble() > 0);
    }

    [Fact]
    public async Task Worker_HeartbeatsWithin5Seconds_AndCountsWhatItProcessed()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "1" });
        var (batch, _) = await UploadAsync(server, "receipt-digital.pdf");
        await server.WaitForBatchAsync(batch, TimeSpan.FromMinutes(10));
        await server.WaitForReportAsync(batch, TimeSpan.FromMinutes(10)); // the batch's report job ran on the same worker

        // The next beats tell: waited for, as a loaded machine may run the 2 s heartbeat timer late.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        JsonElement w;
        while (true)
        {
            var workers = await server.Client.GetFromJsonAsync<JsonElement>("api/v1/workers");
            w = Assert.Single(workers.EnumerateArray());
            if (w.GetProperty("processed").GetInt64() == 2 && w.GetProperty("busy").GetInt32() == 0) break;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the worker's heartbeats never reported 2 jobs processed and none busy: {w}");
            await Task.Delay(200);
        }

        Assert.Equal(2, w.GetProperty("processed").GetInt64()); // the document, then the batch's report job
        Assert.Equal(0, w.GetProperty("busy").GetInt32());
        Assert.True(w.GetProperty("heartbeatAgeSeconds").GetDouble() < 5);
    }

    [Fact]
    public async Task JobsAndBatches_PageNewestFirst_WithCursors()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "0" });
        var uploaded = new List<(string Batch, string Doc)>();
        foreach (var name in new[] { "receipt-digital.pdf", "invoice-digital.pdf", "form-filled.pdf" }) uploaded.Add(await UploadAsync(server, name));

        var first = await server.Client.GetFromJsonAsync<JsonElement>("api/v1/jobs?limit=2");
        var second = await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/jobs?limit=2&cursor={Uri.EscapeDataString(first.GetProperty("nextCursor").GetString()!)}");
        string?[] ids = [.. first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).Select(j => j.GetProperty("id").GetString())];
        Assert.Equal(uploaded.Select(u => u.Doc).Reverse(), ids);
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
        var queued = await server.Client.GetFromJsonAsync<JsonElement>("api/v1/jobs?status=queued");
        Assert.Equal(3, queued.GetProperty("items").GetArrayLength());
        Assert.Equal(0, (await server.Client.GetFromJsonAsync<JsonElement>("api/v1/jobs?status=failed")).GetProperty("items").GetArrayLength());

        var batches = await server.Client.GetFromJsonAsync<JsonElement>("api/v1/batches?limit=2");
        var more = await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/batches?limit=2&cursor={Uri.EscapeDataString(batches.GetProperty("nextCursor").GetString()!)}");
        var all = batches.GetProperty("items").EnumerateArray().Concat(more.GetProperty("items").EnumerateArray()).ToList();
        Assert.Equal(uploaded.Select(u => u.Batch).Reverse(), all.Select(b => b.GetProperty("id").GetString()));
        Assert.All(all, b => Assert.Equal((1, 1, "running"), (b.GetProperty("total").GetInt32(), b.GetProperty("queued").GetInt32(), b.GetProperty("status").GetString())));

        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.GetAsync("api/v1/jobs?status=lost")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.GetAsync("api/v1/jobs?status=2")).StatusCode);
        Assert.Equal(3, (await server.Client.GetFromJsonAsync<JsonElement>("api/v1/jobs?status=QUEUED")).GetProperty("items").GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.GetAsync("api/v1/jobs?cursor=nonsense")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.GetAsync("api/v1/batches?limit=0")).StatusCode);
    }

    [Theory]
    [InlineData("receipt-digital.pdf")]
    [InlineData("fax-3pages.tif")]
    [InlineData("receipt-shop.jpg")]
    public async Task PageImage_IsAPng_AndPagesPastTheEndAre404(string name)
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "0" });
        var (_, id) = await UploadAsync(server, name);
        var last = name.EndsWith(".tif", StringComparison.Ordinal) ? 3 : 1;

        var response = await server.Client.GetAsync($"api/v1/documents/{id}/pages/{last}/image");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType!.MediaType);
        var png = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        var width = (png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19];
        Assert.InRange(width, 200, 1100);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync($"api/v1/documents/{id}/pages/{last + 1}/image")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("api/v1/documents/nope/pages/1/image")).StatusCode);
    }

    [Fact]
    public async Task Events_StreamTheOverview()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "1" });
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var response = await server.Client.GetAsync("api/v1/dashboard/events", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));

        var events = new List<JsonElement>();
        while (events.Count < 2)
        {
            var line = await reader.ReadLineAsync(cts.Token);
            if (line!.StartsWith("data: ", StringComparison.Ordinal)) events.Add(JsonDocument.Parse(line[6..]).RootElement);
        }

        Assert.All(events, e => Assert.True(e.TryGetProperty("queues", out _)));
        Assert.True(events[1].GetProperty("generatedAt").GetDateTimeOffset() > events[0].GetProperty("generatedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Root_ServesTheDashboard()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "0" });

        var html = await server.Client.GetStringAsync("");

        Assert.Contains("DocFlow dashboard", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("vendor/uPlot.iife.min.js")).StatusCode);
    }
}
