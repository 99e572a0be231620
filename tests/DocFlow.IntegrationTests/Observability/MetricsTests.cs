using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DocFlow.IntegrationTests.Observability;

/// <summary>/metrics of a real server after it processed real documents.</summary>
public sealed class MetricsTests(ITestOutputHelper output)
{
    private static byte[] Sample(string name) => File.ReadAllBytes(Path.Combine(Repo.Samples, name));

    private static async Task<PrometheusText> ScrapeAsync(HttpClient client)
    {
        var response = await client.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Metrics_AfterProcessingDocuments_CountDocumentsPagesAndDurations()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "2" });
        var c = server.Client;

        var before = await ScrapeAsync(c);
        Assert.Equal(2, before.Value("docflow_worker_slots"));
        Assert.Equal(0, before.Value("docflow_worker_slots_busy"));

        // A digital PDF (text layer), a photo (OCR), a file that is not a document, then the PDF again (deduplicated).
        var batch = await c.PostAsync("api/v1/batches", ServerHarness.Form("files",
            ("receipt.pdf", Sample("receipt-digital.pdf")), ("shop.jpg", Sample("receipt-shop.jpg")), ("notes.txt", "just text"u8.ToArray())));
        Assert.Equal(HttpStatusCode.Accepted, batch.StatusCode);
        var batchId = (await batch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString()!;
        await server.WaitForBatchAsync(batchId, TimeSpan.FromMinutes(10));
        // The batch reads completed as soon as its last document ended; its report job is queued just after that and may
        // still wait or run: the queue and report assertions below are about the quiet state once it has been taken.
        await server.WaitForReportAsync(batchId, TimeSpan.FromMinutes(10));
        var again = await c.PostAsync("api/v1/documents", ServerHarness.Form("file", ("again.pdf", Sample("receipt-digital.pdf"))));
        Assert.Equal("succeeded", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        // Expected page counts from the job records: how many pages each document had and which were OCR'd.
        int textPages = 0, ocrPages = 0;
        foreach (var d in (await c.GetFromJsonAsync<JsonElement>($"api/v1/batches/{batchId}/documents")).EnumerateArray())
        {
            if (d.GetProperty("status").GetString() != "succeeded") continue;
            var doc = await c.GetFromJsonAsync<JsonElement>($"api/v1/documents/{d.GetProperty("id").GetString()}");
            var ocr = doc.GetProperty("ocrPages").GetArrayLength();
            ocrPages += ocr;
            textPages += doc.GetProperty("pages").GetInt32() - ocr;
        }
        Assert.True(textPages > 0 && ocrPages > 0, $"samples give both paths: text {textPages}, ocr {ocrPages}");

        var m = await ScrapeAsync(c);
        Assert.Equal("counter", m.Types["docflow_documents_total"]);
        Assert.Equal(1, m.Value("docflow_documents_total", ("route", "pdf"), ("status", "succeeded")));
        Assert.Equal(1, m.Value("docflow_documents_total", ("route", "image"), ("status", "succeeded")));
        Assert.Equal(1, m.Value("docflow_documents_total", ("route", "image"), ("status", "failed")));
        Assert.Equal(1, m.Value("docflow_documents_total", ("route", "pdf"), ("status", "deduplicated")));
        // The tenant label: everything here is the loopback principal's, tenant default.
        Assert.Equal(4, m.Value("docflow_documents_total", ("tenant", "default")));
        Assert.Equal("counter", m.Types["docflow_documents_accepted_total"]);
        Assert.Equal(3, m.Value("docflow_documents_accepted_total", ("tenant", "default"))); // not the refused notes.txt
        Assert.Equal(2, m.Value("docflow_documents_accepted_total", ("tenant", "default"), ("route", "pdf")));

        Assert.Equal("counter", m.Types["docflow_pages_total"]);
        Assert.Equal(textPages, m.Value("docflow_pages_total", ("path", "text-layer")));
        Assert.Equal(ocrPages, m.Value("docflow_pages_total", ("path", "ocr")));

        Assert.Equal("histogram", m.Types["docflow_document_duration_seconds"]);
        Assert.Equal(1, m.Value("docflow_document_duration_seconds_count", ("route", "pdf")));
        Assert.Equal(1, m.Value("docflow_document_duration_seconds_count", ("route", "image")));
        Assert.True(m.Value("docflow_document_duration_seconds_sum", ("route", "pdf")) > 0);
        var buckets = m.Samples.Where(s => s.Name == "docflow_document_duration_seconds_bucket" && s.Labels["route"] == "pdf")
            .Select(s => s.Labels["le"]).ToList();
        Assert.Equal(["0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30", "60", "120", "300", "600", "+Inf"], buckets);
        Assert.Equal(1, m.Value("docflow_document_duration_seconds_bucket", ("route", "pdf"), ("le", "600")));

        Assert.Equal("gauge", m.Types["docflow_queue_depth"]);
        Assert.Equal(Queueing.JobRoutes.All.Count * 2, m.Samples.Count(s => s.Name == "docflow_queue_depth")); // every route (image, pdf, report, webhook) x 2 priorities
        Assert.Equal(0, m.Value("docflow_queue_depth"));
        Assert.True(m.Has("docflow_queue_oldest_age_seconds"));
        Assert.Equal(0, m.Value("docflow_queue_oldest_age_seconds"));
        Assert.Equal(0, m.Value("docflow_dead_letters"));
        Assert.Equal(0, m.Value("docflow_worker_slots_busy"));
        Assert.Equal(2, m.Value("docflow_worker_slots"));
        Assert.Equal("gauge", m.Types["docflow_worker_slots"]);

        // Arrivals and queue waits: the documents handed to the queue (the PDF and the photo; the text file was refused and
        // the second PDF answered from the first) were each taken once, so each has one wait; the batch's report jobs,
        // which the workers enqueue themselves, are waits without upload arrivals.
        Assert.Equal(1, m.Value("docflow_jobs_enqueued_total", ("route", "pdf")));
        Assert.Equal(1, m.Value("docflow_jobs_enqueued_total", ("route", "image")));
        Assert.Equal(0, m.Value("docflow_jobs_enqueued_total", ("route", "report")));
        foreach (var route in new[] { "pdf", "image" })
            Assert.Equal(m.Value("docflow_jobs_enqueued_total", ("route", route)), m.Value("docflow_queue_wait_seconds_count", ("route", route)));
        Assert.True(m.Value("docflow_queue_wait_seconds_count", ("route", "report")) >= 1);
        Assert.Equal("histogram", m.Types["docflow_queue_wait_seconds"]);
        Assert.Contains(m.Samples, s => s.Name == "docflow_queue_wait_seconds_bucket" && s.Labels["le"] == "60");
        Assert.Equal(0, m.Value("docflow_jobs_dead_lettered_total"));

        // .NET's own meters: the runtime (GC, process CPU) and ASP.NET Core's request durations.
        Assert.Contains(m.Types.Keys, k => k.StartsWith("dotnet_gc_", StringComparison.Ordinal));
        Assert.Contains(m.Types.Keys, k => k.StartsWith("dotnet_process_cpu_time", StringComparison.Ordinal));
        Assert.Equal("histogram", m.Types["http_server_request_duration_seconds"]);
    }

    /// <summary>An instrument is declared once, on the host's DocFlow meter, and /metrics has it under its Prometheus
    /// name; another host in the same process (its own meter of the same name) does not.</summary>
    [Fact]
    public async Task Metrics_AnyInstrumentOnTheHostsMeter_IsExported_ByThatHostOnly()
    {
        await using var a = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "0" });
        await using var b = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "0" });
        var telemetry = a.Services.GetRequiredService<DocFlow.Diagnostics.DocFlowTelemetry>();
        Assert.NotSame(telemetry.Meter, b.Services.GetRequiredService<DocFlow.Diagnostics.DocFlowTelemetry>().Meter);

        var probe = telemetry.Meter.CreateCounter<long>("docflow.test.probes", "{probe}", "A counter declared by this test only.");
        probe.Add(3, new KeyValuePair<string, object?>("kind", "x"));

        var m = await ScrapeAsync(a.Client);
        Assert.Equal("counter", m.Types["docflow_test_probes_total"]);
        Assert.Equal(3, m.Value("docflow_test_probes_total", ("kind", "x")));
        Assert.Equal("gauge", m.Types["docflow_worker_slots"]);
        Assert.DoesNotContain(m.Samples, s => s.Labels.Keys.Any(k => k.StartsWith("otel_", StringComparison.Ordinal)) || s.Name == "target_info");
        Assert.False((await ScrapeAsync(b.Client)).Has("docflow_test_probes_total"));
    }

    [Fact]
    public async Task Metrics_QueueGauges_ShowWaitingJobsAndTheirAge()
    {
        // No workers: what is uploaded waits, so depth and lag show it.
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Workers"] = "0",
            ["Observability:QueueStatisticsCacheTime"] = "00:00:00",
        });
        var c = server.Client;
        var form = ServerHarness.Form("files", ("a.pdf", Sample("receipt-digital.pdf")), ("b.pdf", Sample("invoice-digital.pdf")));
        form.Add(new StringContent("express"), "priority");
        var response = await c.PostAsync("api/v1/batches", form);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await Task.Delay(1100);

        var m = await ScrapeAsync(c);
        Assert.Equal(2, m.Value("docflow_queue_depth", ("route", "pdf"), ("priority", "express")));
        Assert.Equal(0, m.Value("docflow_queue_depth", ("route", "pdf"), ("priority", "normal")));
        Assert.True(m.Value("docflow_queue_oldest_age_seconds", ("route", "pdf"), ("priority", "express")) >= 1);
        Assert.Equal(2, m.Value("docflow_jobs_enqueued_total", ("route", "pdf"), ("priority", "express")));
        Assert.Equal(0, m.Value("docflow_worker_slots"));
    }

    [Fact]
    public async Task Metrics_ScrapeCost_IsReported()
    {
        // Timing is reported, never asserted (CONVENTIONS: timing claims belong in benchmarks).
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "1" });
        await ScrapeAsync(server.Client); // warm-up: JIT, first queue read
        var times = new List<double>();
        for (var i = 0; i < 50; i++)
        {
            var sw = Stopwatch.StartNew();
            var body = await server.Client.GetStringAsync("metrics");
            times.Add(sw.Elapsed.TotalMilliseconds);
            Assert.Contains("docflow_queue_depth", body);
        }
        times.Sort();
        output.WriteLine($"/metrics scrape (in-process queue): median {times[25]:F2} ms, p95 {times[47]:F2} ms, max {times[^1]:F2} ms");
    }
}
