using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;

namespace DocFlow.IntegrationTests.Server;

/// <summary>The platform while a server it depends on is down: clear 503s for the database, held uploads for Redis.</summary>
public sealed class OutageTests : IAsyncLifetime
{
    // Own PostgreSQL cluster: these tests stop it.
    private readonly PostgresServerFixture _postgres = new() { AlwaysOwnServer = true };

    public Task InitializeAsync() => _postgres.InitializeAsync();

    public Task DisposeAsync() => _postgres.DisposeAsync();

    private static byte[] Sample(string name) => File.ReadAllBytes(Path.Combine(Repo.Samples, name));

    [Fact]
    public async Task PostgresStopped_Answers503ProblemDetails_AndRecoversWhenItReturns()
    {
        var database = await _postgres.CreateDatabaseAsync("api-outage");
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = database,
            ["Database:MigrateOnStartup"] = "true",
        });
        var before = await server.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", ("a.pdf", Sample("receipt-digital.pdf"))));
        Assert.Equal(HttpStatusCode.Accepted, before.StatusCode);
        var id = (await before.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        await _postgres.StopAsync();
        var upload = await server.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", ("b.pdf", Sample("invoice-digital.pdf"))));
        var read = await server.Client.GetAsync($"api/v1/documents/{id}");
        var ready = await server.Client.GetAsync("readyz");
        var alive = await server.Client.GetAsync("healthz");

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode); // liveness runs no check: a database outage is no reason to restart the API
        Assert.Equal(HttpStatusCode.ServiceUnavailable, upload.StatusCode);
        Assert.Equal("application/problem+json", upload.Content.Headers.ContentType?.MediaType);
        Assert.Contains("database", (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.NotNull(upload.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, read.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var readiness = await ready.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("unavailable", readiness.GetProperty("status").GetString());
        Assert.Equal(["database"], readiness.GetProperty("degraded").EnumerateArray().Select(d => d.GetString()));
        Assert.NotEqual("ok", readiness.GetProperty("checks").GetProperty("database").GetString()); // what went wrong
        Assert.Equal("ok", readiness.GetProperty("checks").GetProperty("storage").GetString());

        await _postgres.StartAsync();
        var after = await server.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", ("c.pdf", Sample("invoice-digital.pdf"))));
        Assert.Equal(HttpStatusCode.Accepted, after.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("readyz")).StatusCode);
    }

    [Fact]
    public async Task RedisDown_UploadsAreStillAccepted_AndProcessedWhenItReturns()
    {
        await using var redis = await RedisServer.StartAsync(appendOnly: true);
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Redis"] = redis.Endpoint,
            ["Workers"] = "2",
            ["Queue:Redis:KeyPrefix"] = RedisServerFixture.NewPrefix("outage"),
        });
        await redis.StopAsync();

        var response = await server.Client.PostAsync("api/v1/batches", ServerHarness.Form("files",
            ("a.pdf", Sample("receipt-digital.pdf")), ("b.pdf", Sample("invoice-digital.pdf"))));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.All(accepted.GetProperty("documents").EnumerateArray(), d => Assert.Equal("queued", d.GetProperty("status").GetString()));
        // Still in service (uploads are accepted and held), but says so.
        var readyResponse = await server.Client.GetAsync("readyz");
        Assert.Equal(HttpStatusCode.OK, readyResponse.StatusCode);
        var ready = await readyResponse.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("degraded", ready.GetProperty("status").GetString());
        Assert.Equal(["handoff", "queue"], ready.GetProperty("degraded").EnumerateArray().Select(d => d.GetString()).Order());
        Assert.Contains("held", ready.GetProperty("checks").GetProperty("handoff").GetString());
        Assert.Equal("ok", ready.GetProperty("checks").GetProperty("database").GetString());

        await redis.StartAsync();
        var batch = await server.WaitForBatchAsync(accepted.GetProperty("batchId").GetString()!, TimeSpan.FromMinutes(10));

        Assert.Equal(2, batch.GetProperty("succeeded").GetInt32());
    }
}
