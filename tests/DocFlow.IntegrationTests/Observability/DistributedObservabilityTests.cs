using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;
using Xunit.Abstractions;

namespace DocFlow.IntegrationTests.Observability;

/// <summary>
/// API and a real <c>docflow worker</c> process on Redis and PostgreSQL: the trace context crosses Redis in the ticket,
/// the worker's JSON log lines carry the job id and the upload's trace id, and the worker serves its own /metrics.
/// </summary>
public sealed class DistributedObservabilityTests(RedisServerFixture redis, PostgresServerFixture postgres, ITestOutputHelper output)
    : IClassFixture<RedisServerFixture>, IClassFixture<PostgresServerFixture>
{
    [Fact]
    public async Task WorkerProcess_ContinuesTheUploadsTrace_LogsJsonWithJobAndTraceIds_AndServesMetrics()
    {
        var database = await postgres.CreateDatabaseAsync("observability");
        var prefix = RedisServerFixture.NewPrefix("observability");
        var storage = Repo.NewTempDirectory("obs-blobs");
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Workers"] = "0",
            ["Redis"] = redis.Endpoint,
            ["Queue:Redis:KeyPrefix"] = prefix,
            ["Database:ConnectionString"] = database,
            ["Database:MigrateOnStartup"] = "true",
            ["Storage"] = storage,
            ["Observability:QueueStatisticsCacheTime"] = "00:00:00",
            // The gauges are asserted: a statistics read is waited for however long a loaded machine takes (past the
            // 1 s default, a scrape would serve no queue gauges at all).
            ["Observability:QueueStatisticsTimeout"] = "00:00:30",
        });
        var metricsPort = Ports.Free();
        await using var worker = WorkerProcess.Start(
            ["--redis", redis.Endpoint, "--database", database, "--storage", storage, "--slots", "1",
             "--log-format", "json", "--metrics-port", metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            new Dictionary<string, string> { ["DOCFLOW__Queue__Redis__KeyPrefix"] = prefix });

        var (traceparent, traceId) = TracingTests.NewTraceParent();
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/documents")
        {
            Content = ServerHarness.Form("file", ("receipt.pdf", File.ReadAllBytes(Path.Combine(Repo.Samples, "receipt-digital.pdf")))),
        };
        request.Headers.Add("traceparent", traceparent);
        var response = await server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        // The worker logs one line when the job is done; find it among the JSON lines.
        JsonElement? done = null;
        await TracingTests.WaitForAsync(() => (done = JsonLines(worker.Output).Cast<JsonElement?>()
            .FirstOrDefault(l => l!.Value.GetProperty("EventId").GetInt32() == 102 && Scope(l.Value, "JobId") == id)) is not null, TimeSpan.FromMinutes(2));
        output.WriteLine(worker.Output);

        var line = done!.Value;
        Assert.Equal("Information", line.GetProperty("LogLevel").GetString());
        Assert.Equal(id, line.GetProperty("State").GetProperty("JobId").GetString());
        Assert.Equal(traceId.ToHexString(), Scope(line, "TraceId")); // the upload's trace, carried through Redis
        Assert.NotNull(Scope(line, "BatchId"));
        var record = await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{id}");
        Assert.Equal("succeeded", record.GetProperty("status").GetString());
        // The document's batch report job is queued after the document ended: the queue is empty once it was taken.
        await server.WaitForReportAsync(record.GetProperty("batchId").GetString()!, TimeSpan.FromMinutes(10));

        Assert.Contains(JsonLines(worker.Output), l => l.GetProperty("Category").GetString() == "DocFlow.Server.Hosting.WorkerService");

        using var metricsClient = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}/") };
        var metrics = PrometheusText.Parse(await metricsClient.GetStringAsync("metrics"));
        Assert.Equal(1, metrics.Value("docflow_documents_total", ("route", "pdf"), ("status", "succeeded")));
        Assert.Equal(1, metrics.Value("docflow_document_duration_seconds_count", ("route", "pdf")));
        Assert.Equal(1, metrics.Value("docflow_worker_slots"));
        Assert.Equal(1, metrics.Value("docflow_queue_wait_seconds_count", ("route", "pdf")));
        Assert.False(metrics.Has("docflow_queue_depth")); // the shared queue's gauges come from the API only

        var api = PrometheusText.Parse(await server.Client.GetStringAsync("metrics"));
        Assert.Equal(0, api.Value("docflow_queue_depth"));
        Assert.Equal(0, api.Value("docflow_dead_letters"));
        Assert.Equal(0, api.Value("docflow_documents_total")); // the API processed nothing itself
    }

    [Fact]
    public async Task Metrics_ScrapeCostOnRedis_IsReported()
    {
        // Worst case: no cache, every scrape reads the statistics of all six Redis lanes. Reported, never asserted.
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Workers"] = "0",
            ["Redis"] = redis.Endpoint,
            ["Queue:Redis:KeyPrefix"] = RedisServerFixture.NewPrefix("scrape"),
            ["Observability:QueueStatisticsCacheTime"] = "00:00:00",
            ["Observability:QueueStatisticsTimeout"] = "00:00:30", // the depth is asserted on every scrape
        });
        var form = ServerHarness.Form("files", ("a.pdf", File.ReadAllBytes(Path.Combine(Repo.Samples, "receipt-digital.pdf"))));
        Assert.Equal(HttpStatusCode.Accepted, (await server.Client.PostAsync("api/v1/batches", form)).StatusCode);
        await server.Client.GetStringAsync("metrics");
        var times = new List<double>();
        for (var i = 0; i < 50; i++)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var m = PrometheusText.Parse(await server.Client.GetStringAsync("metrics"));
            times.Add(sw.Elapsed.TotalMilliseconds);
            Assert.Equal(1, m.Value("docflow_queue_depth", ("route", "pdf"), ("priority", "normal")));
        }
        times.Sort();
        output.WriteLine($"/metrics scrape (Redis, uncached): median {times[25]:F2} ms, p95 {times[47]:F2} ms, max {times[^1]:F2} ms");
    }

    private static List<JsonElement> JsonLines(string output)
    {
        var lines = new List<JsonElement>();
        foreach (var raw in output.Split('\n'))
        {
            var text = raw.Trim();
            if (text.Length == 0) continue;
            // stderr shares this buffer (native libraries may write there), so only JSON objects count.
            if (!text.StartsWith('{')) continue;
            using var doc = JsonDocument.Parse(text); // a log line that starts like JSON must be JSON
            lines.Add(doc.RootElement.Clone());
        }
        return lines;
    }

    private static string? Scope(JsonElement line, string key)
    {
        if (!line.TryGetProperty("Scopes", out var scopes)) return null;
        foreach (var scope in scopes.EnumerateArray())
            if (scope.ValueKind == JsonValueKind.Object && scope.TryGetProperty(key, out var value))
                return value.ValueKind == JsonValueKind.String ? value.GetString() : value.ToString();
        return null;
    }

}
