using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;
using DocFlow.Server.Ingest;
using DocFlow.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace DocFlow.IntegrationTests.Region;

/// <summary>
/// The queue rebuilt from the store when Redis comes up empty (a standby region's Redis after a failover, here a
/// FLUSHALL between two API starts on the same PostgreSQL store and blob folder): every open job, queued or left
/// processing, gets exactly one entry in the new Redis whatever its age, and each runs to one result.
/// </summary>
public sealed class QueueRebuildTests(PostgresServerFixture postgres) : IClassFixture<PostgresServerFixture>
{
    private static byte[] Unique(string sample, int n) =>
        [.. File.ReadAllBytes(Path.Combine(Repo.Samples, sample)), .. Encoding.ASCII.GetBytes($"\n%rebuild {n} {Guid.NewGuid():N}\n")];

    [Fact]
    public async Task FlushedRedis_BetweenTwoApiStarts_EveryOpenJobIsOfferedOnce_AndRuns()
    {
        // Its own Redis: the test flushes it. The default key prefix, so the marker is docflow:generation.
        await using var redisServer = await RedisServer.StartAsync(appendOnly: false);
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"{redisServer.Endpoint},allowAdmin=true,abortConnect=false");
        var database = await postgres.CreateDatabaseAsync("region-rebuild");
        var storage = Repo.NewTempDirectory("region-blobs");
        Dictionary<string, string?> Settings(int workers) => new()
        {
            ["Workers"] = workers.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Redis"] = redisServer.Endpoint,
            ["Database:ConnectionString"] = database,
            ["Database:MigrateOnStartup"] = "true",
            ["Storage"] = storage,
        };

        string batchId;
        string[] ids;
        string inFlight;
        await using (var first = await ServerHarness.StartAsync(Settings(0)))
        {
            // A fresh Redis with an empty store: claimed, nothing to offer, marked.
            await WaitForAsync(async () => await redis.GetDatabase().KeyExistsAsync("docflow:generation"), "the first API marks its Redis");
            var response = await first.Client.PostAsync("api/v1/batches", ServerHarness.Form("files",
                ("a.pdf", Unique("receipt-digital.pdf", 1)), ("b.pdf", Unique("invoice-digital.pdf", 2)),
                ("c.pdf", Unique("receipt-digital.pdf", 3)), ("d.pdf", Unique("invoice-digital.pdf", 4))));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
            batchId = accepted.GetProperty("batchId").GetString()!;
            ids = [.. accepted.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("id").GetString()!)];
            Assert.Equal(4, ids.Length);
            Assert.Equal(4, await LaneEntriesAsync(redis));
            // One job was running on a worker of the failed region: the store says processing.
            inFlight = ids[2];
            using (DocFlow.Security.AmbientTenantScope.Enter(null))
                Assert.True(await first.Services.GetRequiredService<IJobIntakeStore>().TryTransitionAsync(inFlight, JobStatus.Queued, JobStatus.Processing, null, CancellationToken.None));
            Assert.Equal(1, first.Services.GetServices<IHostedService>().OfType<QueueRebuild>().Single().Rebuilds);
        }

        // Region B: the same store and blobs (replicated), an empty Redis.
        await redis.GetServer(redisServer.Endpoint).FlushAllDatabasesAsync();
        Assert.Equal(0, await LaneEntriesAsync(redis));
        await using (var second = await ServerHarness.StartAsync(Settings(0)))
        {
            var rebuild = second.Services.GetServices<IHostedService>().OfType<QueueRebuild>().Single();
            await WaitForAsync(() => Task.FromResult(rebuild.Rebuilds == 1), "the second API rebuilds the queue");
            var entries = await LaneJobIdsAsync(redis);
            Assert.Equal(ids.Order(), entries.Order()); // every open job once, the one left processing included
            var taken = await second.Client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{inFlight}");
            Assert.Equal("queued", taken.GetProperty("status").GetString());
            Assert.Equal(1, taken.GetProperty("attempts").GetInt32()); // its lost delivery counted
            Assert.StartsWith("20", (string?)await redis.GetDatabase().StringGetAsync("docflow:generation"), StringComparison.Ordinal);
            // A second check of the same Redis finds the marker: nothing offered twice.
            Assert.Null(await rebuild.CheckAsync(CancellationToken.None));
            Assert.Equal(4, await LaneEntriesAsync(redis));
        }

        // A restart on the Redis that kept its entries rebuilds nothing; its workers run each job to one result.
        await using var third = await ServerHarness.StartAsync(Settings(2));
        var batch = await third.WaitForBatchAsync(batchId, TimeSpan.FromMinutes(10));
        Assert.Equal(0, third.Services.GetServices<IHostedService>().OfType<QueueRebuild>().Single().Rebuilds);
        Assert.Equal(4, batch.GetProperty("succeeded").GetInt32());
        var docs = await third.Client.GetFromJsonAsync<JsonElement>($"api/v1/batches/{batchId}/documents");
        Assert.All(docs.EnumerateArray(), d => Assert.Equal(1, d.GetProperty("attempts").GetInt32()));
        foreach (var id in ids)
        {
            using var result = await third.Client.GetAsync($"api/v1/documents/{id}/result");
            Assert.Equal(HttpStatusCode.OK, result.StatusCode);
        }
    }

    [Fact]
    public async Task ReadOnlyStandby_ClaimsNothing_UntilPromoted_ThenRebuilds()
    {
        await using var redisServer = await RedisServer.StartAsync(appendOnly: false);
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"{redisServer.Endpoint},allowAdmin=true,abortConnect=false");
        var database = await postgres.CreateDatabaseAsync("region-standby");
        var storage = Repo.NewTempDirectory("region-blobs");
        var settings = new Dictionary<string, string?>
        {
            ["Workers"] = "0",
            ["Redis"] = redisServer.Endpoint,
            ["Database:ConnectionString"] = database,
            ["Database:MigrateOnStartup"] = "true",
            ["Storage"] = storage,
        };
        await using (var primary = await ServerHarness.StartAsync(settings))
        {
            var response = await primary.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", ("a.pdf", Unique("receipt-digital.pdf", 1))));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
        await redis.GetServer(redisServer.Endpoint).FlushAllDatabasesAsync();

        var name = new Npgsql.NpgsqlConnectionStringBuilder(database).Database!;
        await AlterAsync(name, "on");
        settings["Database:MigrateOnStartup"] = "false";
        await using var standby = await ServerHarness.StartAsync(settings);
        var rebuild = standby.Services.GetServices<IHostedService>().OfType<QueueRebuild>().Single();
        try
        {
            // Read-only: the check refuses before claiming; the Redis stays empty and unmarked.
            var refused = await Assert.ThrowsAsync<StoreUnavailableException>(() => rebuild.CheckAsync(CancellationToken.None));
            Assert.StartsWith("read-only standby", refused.Message, StringComparison.Ordinal);
            Assert.False(await redis.GetDatabase().KeyExistsAsync("docflow:generation"));
            Assert.Equal(0, await LaneEntriesAsync(redis));
        }
        finally
        {
            await AlterAsync(name, "off"); // "promoted"
        }
        // New sessions are writable; the background check (every 2 s on a standby) rebuilds.
        await WaitForAsync(() => Task.FromResult(rebuild.Rebuilds == 1), "the promoted standby rebuilds its queue");
        Assert.Equal(1, await LaneEntriesAsync(redis));
    }

    private async Task AlterAsync(string database, string value)
    {
        await using var admin = new Npgsql.NpgsqlConnection(postgres.AdminConnectionString);
        await admin.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand($"ALTER DATABASE \"{database}\" SET default_transaction_read_only = {value}", admin);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> LaneEntriesAsync(ConnectionMultiplexer redis) => (await LaneJobIdsAsync(redis)).Count;

    private static async Task<List<string>> LaneJobIdsAsync(ConnectionMultiplexer redis)
    {
        var db = redis.GetDatabase();
        var ids = new List<string>();
        foreach (var priority in new[] { "express", "normal" })
            foreach (var route in DocFlow.Queueing.JobRoutes.All)
            {
                var key = $"docflow:q:{priority}:{DocFlow.Queueing.JobRoutes.ToWireName(route)}";
                if (!await db.KeyExistsAsync(key)) continue;
                foreach (var e in await db.StreamRangeAsync(key))
                    ids.Add(e.Values.Single(v => v.Name == "jobId").Value!);
            }
        return ids;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting: {what}");
            await Task.Delay(100);
        }
    }
}
