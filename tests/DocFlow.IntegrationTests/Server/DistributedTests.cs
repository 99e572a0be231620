using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;
using DocFlow.Samples;
using Xunit.Abstractions;

namespace DocFlow.IntegrationTests.Server;

/// <summary>
/// The distributed platform as an operator runs it: `docflow serve --workers 0` (API only) on Redis and PostgreSQL,
/// with real `docflow worker` processes sharing a blob folder.
/// </summary>
public sealed class DistributedTests(RedisServerFixture redis, PostgresServerFixture postgres, ITestOutputHelper output)
    : IClassFixture<RedisServerFixture>, IClassFixture<PostgresServerFixture>
{
    private static byte[] Sample(string name) => File.ReadAllBytes(Path.Combine(Repo.Samples, name));

    /// <summary>How long OCR work may take before a wait gives up: an 8-page scan took over 3 minutes at load ~110.</summary>
    private static readonly TimeSpan Processing = TimeSpan.FromMinutes(10);

    // The default visibility timeout (5 minutes, longer than any wait below). A short consumer timeout where a worker is
    // killed: its job must come back because its liveness key expired, not because the entry idled out. Elsewhere the
    // default (15 s): with 2 s, a worker whose liveness refresh runs late on a loaded machine is taken for dead by the
    // other one, which takes over its job (a second attempt).
    private Task<DistributedPlatform> StartAsync(string name, string consumerTimeout = "00:00:15") => DistributedPlatform.StartAsync(redis, postgres, name, new Dictionary<string, string>
    {
        ["Queue:Redis:VisibilityTimeout"] = "00:05:00",
        ["Queue:Redis:ConsumerTimeout"] = consumerTimeout,
    });

    [Fact]
    public async Task TwoWorkerProcesses_ProcessABatch_EachDocumentExactlyOnce()
    {
        await using var platform = await StartAsync("two-workers");
        await using var a = WorkerProcess.Start([.. platform.WorkerArgs, "--slots", "1"], platform.WorkerEnvironment);
        await using var b = WorkerProcess.Start([.. platform.WorkerArgs, "--slots", "1"], platform.WorkerEnvironment);
        var names = new[] { "invoice-digital.pdf", "receipt-digital.pdf", "receipt-shop.jpg", "form-filled.pdf", "report-multipage.pdf", "letter-skewed.jpg" };

        var response = await platform.Server.Client.PostAsync("api/v1/batches", ServerHarness.Form("files", [.. names.Select(n => (n, Sample(n)))]));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var batchId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString()!;
        var batch = await platform.Server.WaitForBatchAsync(batchId, Processing);

        output.WriteLine(a.Output);
        Assert.Equal(names.Length, batch.GetProperty("succeeded").GetInt32());
        var docs = await platform.Server.Client.GetFromJsonAsync<JsonElement>($"api/v1/batches/{batchId}/documents");
        Assert.All(docs.EnumerateArray(), d => Assert.Equal(1, d.GetProperty("attempts").GetInt32()));
        // The batch's report job ran on one of the workers (report route), into blob storage.
        var pdf = await platform.Server.WaitForReportAsync(batchId, Processing);
        Assert.Equal("%PDF-", System.Text.Encoding.ASCII.GetString(pdf, 0, 5));
        // The report job is acknowledged after its report is stored, so the queue empties a moment after the report
        // can be read: nothing may be left queued or in flight once it has.
        var queues = await platform.Server.Client.GetFromJsonAsync<JsonElement>("api/v1/queues");
        for (var clock = System.Diagnostics.Stopwatch.StartNew();
             queues.GetProperty("inFlight").GetInt64() != 0 && clock.Elapsed < TimeSpan.FromSeconds(30);
             queues = await platform.Server.Client.GetFromJsonAsync<JsonElement>("api/v1/queues"))
            await Task.Delay(200);
        Assert.Equal(0, queues.GetProperty("depth").GetInt64());
        Assert.Equal(0, queues.GetProperty("inFlight").GetInt64());
    }

    [Fact]
    public async Task WorkerKilledMidDocument_AnotherWorkerFinishesIt_WithExactlyOneResult()
    {
        await using var platform = await StartAsync("kill", consumerTimeout: "00:00:02");
        var longScan = LargeDocuments.Repeat(Sample("scanned-contract.pdf"), 8);
        await using var doomed = WorkerProcess.Start([.. platform.WorkerArgs, "--slots", "1"], platform.WorkerEnvironment);

        var response = await platform.Server.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", ("long-scan.pdf", longScan)));
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await WaitForStatusAsync(platform.Server, id, "processing", TimeSpan.FromMinutes(10));
        doomed.Kill();
        await doomed.WaitForExitAsync(TimeSpan.FromMinutes(1));

        await using var rescuer = WorkerProcess.Start([.. platform.WorkerArgs, "--slots", "1"], platform.WorkerEnvironment);
        var record = await WaitForStatusAsync(platform.Server, id, "succeeded", Processing);

        output.WriteLine(rescuer.Output);
        Assert.Equal(2, record.GetProperty("attempts").GetInt32());
        var result = await platform.Server.Client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{id}/result");
        Assert.Equal(8, result.GetProperty("pages").GetArrayLength());
        var history = record.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()).ToList();
        Assert.Equal("succeeded", history[^1]);
        Assert.Single(history, "succeeded");
    }

    [Fact]
    public async Task Sigterm_StopsTheWorkerGracefully_AfterItsJobInFlight()
    {
        await using var platform = await StartAsync("sigterm");
        // A grace period longer than the OCR of one photo takes even on a loaded machine: the job in flight ends first.
        await using var worker = WorkerProcess.Start([.. platform.WorkerArgs, "--slots", "1", "--grace", "600"], platform.WorkerEnvironment);
        var response = await platform.Server.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", ("letter.jpg", Sample("letter-skewed.jpg"))));
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await WaitForStatusAsync(platform.Server, id, "processing", TimeSpan.FromMinutes(10));

        worker.Terminate();
        await worker.WaitForExitAsync(TimeSpan.FromMinutes(11));

        Assert.Equal(0, worker.ExitCode);
        var record = await platform.Server.Client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{id}");
        Assert.Equal("succeeded", record.GetProperty("status").GetString());
    }

    private static async Task<JsonElement> WaitForStatusAsync(ServerHarness server, string id, string status, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var record = await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{id}");
            var now = record.GetProperty("status").GetString();
            if (now == status) return record;
            if (now == "failed" || DateTime.UtcNow > deadline) throw new InvalidOperationException($"waiting for {status}: {record}");
            await Task.Delay(100);
        }
    }
}
