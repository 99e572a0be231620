using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;

namespace DocFlow.IntegrationTests.Server;

/// <summary>The one backpressure limit (<c>MaxQueueDepth</c>, <c>QueueFullRetryAfter</c>) on the Redis queue, as an
/// API-only `docflow serve --redis` applies it (the in-process queue: <see cref="ApiTests"/>).</summary>
public sealed class BackpressureTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static byte[] Sample(string name) => File.ReadAllBytes(Path.Combine(Repo.Samples, name));

    [Fact]
    public async Task RedisQueueDeeperThanTheLimit_UploadIs503_WithTheConfiguredRetryAfter()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Redis"] = redis.Endpoint,
            ["Queue:Redis:KeyPrefix"] = RedisServerFixture.NewPrefix("backpressure"),
            ["Workers"] = "0",
            ["Deduplicate"] = "false",
            ["MaxQueueDepth"] = "2",
            ["QueueFullRetryAfter"] = "00:00:05",
        });

        var two = await server.Client.PostAsync("api/v1/batches", ServerHarness.Form("files",
            ("a.pdf", Sample("receipt-digital.pdf")), ("b.pdf", Sample("invoice-digital.pdf"))));
        Assert.Equal(HttpStatusCode.Accepted, two.StatusCode);
        var busy = await server.Client.PostAsync("api/v1/documents", ServerHarness.Form("file", ("c.pdf", Sample("receipt-digital.pdf"))));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
        Assert.Equal("application/problem+json", busy.Content.Headers.ContentType?.MediaType);
        Assert.Contains("try again in 5 s", (await busy.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(5), busy.Headers.RetryAfter?.Delta);
        var queues = await server.Client.GetFromJsonAsync<JsonElement>("api/v1/queues");
        Assert.Equal(2, queues.GetProperty("depth").GetInt64());
    }
}
