using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;

namespace DocFlow.IntegrationTests.Dashboard;

/// <summary>`docflow serve` on Redis + PostgreSQL sees a separate `docflow worker` process through the Redis registry.</summary>
public sealed class DistributedDashboardTests(RedisServerFixture redis, PostgresServerFixture postgres)
    : IClassFixture<RedisServerFixture>, IClassFixture<PostgresServerFixture>
{
    [Fact]
    public async Task WorkerProcess_AppearsOnTheDashboard_AndIsGoneAfterItStops()
    {
        var database = await postgres.CreateDatabaseAsync("dash-dist");
        var prefix = RedisServerFixture.NewPrefix("dash-dist");
        var storage = Repo.NewTempDirectory("dash-blobs");
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Workers"] = "0", ["Redis"] = redis.Endpoint, ["Database:ConnectionString"] = database,
            ["Database:MigrateOnStartup"] = "true", ["Storage"] = storage, ["Queue:Redis:KeyPrefix"] = prefix,
        });
        await using var worker = WorkerProcess.Start(["--redis", redis.Endpoint, "--database", database, "--storage", storage, "--slots", "2", "--routes", "pdf"],
            new Dictionary<string, string> { ["DOCFLOW__Queue__Redis__KeyPrefix"] = prefix });

        var seen = await WaitAsync(server, list => list.GetArrayLength() == 1, TimeSpan.FromSeconds(90), worker);
        var w = seen[0];
        Assert.EndsWith("-" + worker.Id, w.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, w.GetProperty("slots").GetInt32());
        Assert.Equal(["pdf"], w.GetProperty("routes").EnumerateArray().Select(r => r.GetString()));
        Assert.False(w.GetProperty("stale").GetBoolean());
        var overview = await server.Client.GetFromJsonAsync<JsonElement>("api/v1/dashboard/overview");
        Assert.Equal("distributed", overview.GetProperty("mode").GetString());
        Assert.Equal(2, overview.GetProperty("cost").GetProperty("machines").GetInt32()); // the server and the worker

        worker.Terminate(); // a clean stop removes it from the registry
        await worker.WaitForExitAsync(TimeSpan.FromSeconds(60));
        await WaitAsync(server, list => list.GetArrayLength() == 0, TimeSpan.FromMinutes(1), worker);
    }

    private static async Task<JsonElement> WaitAsync(ServerHarness server, Func<JsonElement, bool> done, TimeSpan timeout, WorkerProcess worker)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var list = await server.Client.GetFromJsonAsync<JsonElement>("api/v1/workers");
            if (done(list)) return list;
            if (clock.Elapsed > timeout) throw new TimeoutException($"workers: {list}\nworker output:\n{worker.Output}");
            await Task.Delay(200);
        }
    }
}
