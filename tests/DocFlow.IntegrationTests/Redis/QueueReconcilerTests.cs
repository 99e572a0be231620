using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocFlow.IntegrationTests.Observability;
using DocFlow.IntegrationTests.Support;
using DocFlow.Queueing;
using StackExchange.Redis;

namespace DocFlow.IntegrationTests.Redis;

/// <summary>
/// A Redis that loses its streams while the API runs (a failover to a replica that missed the last writes, a flush):
/// the periodic reconciler finds the jobs the store still expects and hands them to the queue again, without
/// duplicating the ones the queue still holds, and a worker then finishes every accepted document.
/// </summary>
public sealed class QueueReconcilerTests(RedisServerFixture redis, PostgresServerFixture postgres)
    : IClassFixture<RedisServerFixture>, IClassFixture<PostgresServerFixture>
{
    [Fact]
    public async Task JobsLostFromRedis_AreRedriven_WhileTheApiRuns_AndAllFinish()
    {
        var database = await postgres.CreateDatabaseAsync("reconcile");
        var prefix = RedisServerFixture.NewPrefix("reconcile");
        var storage = Repo.NewTempDirectory("reconcile-blobs");
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Workers"] = "0",
            ["Redis"] = redis.Endpoint,
            ["Queue:Redis:KeyPrefix"] = prefix,
            ["Database:ConnectionString"] = database,
            ["Database:MigrateOnStartup"] = "true",
            ["Storage"] = storage,
            ["Queue:ReconcileInterval"] = "00:00:00.500",
            ["Queue:ReconcileMinAge"] = "00:00:00",
        });
        var pdf = File.ReadAllBytes(Path.Combine(Repo.Samples, "receipt-digital.pdf"));
        var invoice = File.ReadAllBytes(Path.Combine(Repo.Samples, "invoice-digital.pdf"));
        var batch = await server.Client.PostAsync("api/v1/batches", ServerHarness.Form("files", ("a.pdf", pdf), ("b.pdf", invoice)));
        Assert.Equal(HttpStatusCode.Accepted, batch.StatusCode);
        var batchId = (await batch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString()!;

        var db = redis.Connection.GetDatabase();
        RedisKey stream = $"{prefix}:q:normal:pdf";
        await TracingTests.WaitForAsync(() => db.StreamLength(stream) == 2, TimeSpan.FromSeconds(30));

        // The failover: the promoted replica never received these entries.
        await db.KeyDeleteAsync(stream);
        await TracingTests.WaitForAsync(() => db.StreamLength(stream) == 2, TimeSpan.FromSeconds(30));
        var ids = (await db.StreamRangeAsync(stream)).Select(e => (string?)e["jobId"]).Order().ToList();

        // Jobs the queue holds are never re-driven: several more passes leave exactly the two entries.
        await Task.Delay(TimeSpan.FromSeconds(3)); // six passes at 0.5 s
        Assert.Equal(ids, (await db.StreamRangeAsync(stream)).Select(e => (string?)e["jobId"]).Order().ToList());

        // A worker finishes both.
        await using var worker = WorkerProcess.Start(["--redis", redis.Endpoint, "--database", database, "--storage", storage, "--slots", "1", "--metrics-port", "0"],
            new Dictionary<string, string> { ["DOCFLOW__Queue__Redis__KeyPrefix"] = prefix });
        await server.WaitForBatchAsync(batchId, TimeSpan.FromMinutes(10));
        var documents = await server.Client.GetFromJsonAsync<JsonElement>($"api/v1/batches/{batchId}/documents");
        Assert.All(documents.EnumerateArray(), d => Assert.Equal("succeeded", d.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Inventory_ListsWaitingDeliveredAndDelayedJobs_AndRangeParents()
    {
        await using var queues = new RedisTestQueues(redis);
        var queue = queues.New();
        await queue.EnqueueAsync(new JobTicket("waiting", JobRoute.Image, JobPriority.Normal, "blob/a"), CancellationToken.None);
        await queue.EnqueueAsync(new JobTicket("held", JobRoute.Pdf, JobPriority.Express, "blob/b"), CancellationToken.None);
        await queue.EnqueueAsync(new JobTicket("doc#1", JobRoute.Pdf, JobPriority.Normal, "blob/c") { ParentJobId = "doc", Part = 1 }, CancellationToken.None);
        var inventory = (IQueueInventory)queue;
        Assert.Equal(["doc", "doc#1", "held", "waiting"], (await inventory.ListJobIdsAsync(CancellationToken.None)).Order());

        // Delivered (pending) and then delayed for a retry: still held, exactly once each.
        await using var fetched = await queue.FetchAsync([JobRoute.Pdf], CancellationToken.None);
        Assert.Equal("held", fetched.Ticket.JobId);
        Assert.Contains("held", await inventory.ListJobIdsAsync(CancellationToken.None));
        await fetched.RetryAsync(TimeSpan.FromMinutes(5), "test", CancellationToken.None);
        Assert.Equal(["doc", "doc#1", "held", "waiting"], (await inventory.ListJobIdsAsync(CancellationToken.None)).Order());
    }
}
