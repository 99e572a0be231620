using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;
using DocFlow.Security;
using DocFlow.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace DocFlow.IntegrationTests.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> on a running server (real SQLite): the same key and content answer the first answer again and
/// create nothing; other content is a 409 problem; keys are the caller's own; two racing requests make one batch; keys
/// expire after <c>Idempotency:Expiry</c>.
/// </summary>
public sealed class IdempotentUploadTests
{
    private static byte[] Pdf() => File.ReadAllBytes(Path.Combine(Repo.Samples, "invoice-digital.pdf"));

    private static HttpRequestMessage Post(string path, string? key, MultipartFormDataContent form)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = form };
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    private static MultipartFormDataContent Batch(params (string Name, byte[] Content)[] files) => ServerHarness.Form("files", files);

    private static async Task<int> BatchCountAsync(ServerHarness server)
    {
        using var scope = AmbientTenantScope.Enter(null);
        var page = await server.Services.GetRequiredService<IJobMonitoringStore>().ListBatchesAsync(new BatchQuery(Limit: 1000), CancellationToken.None);
        return page.Items.Count;
    }

    [Fact]
    public async Task TheSameKeyAndContent_GetTheFirstAnswer_AndCreateNothing()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "0" });
        var pdf = Pdf();
        using var first = await server.Client.SendAsync(Post("api/v1/batches", "order-1001", Batch(("a.pdf", pdf), ("b.txt", [1, 2, 3]))));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var firstBody = await first.Content.ReadAsStringAsync();
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));

        using var again = await server.Client.SendAsync(Post("api/v1/batches", "order-1001", Batch(("a.pdf", pdf), ("b.txt", [1, 2, 3]))));
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first.Headers.Location, again.Headers.Location);
        var a = JsonDocument.Parse(firstBody).RootElement;
        var b = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(a.GetProperty("batchId").GetString(), b.GetProperty("batchId").GetString());
        Assert.Equal(a.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("id").GetString()),
            b.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("id").GetString()));
        Assert.Equal("unsupported_type", b.GetProperty("documents")[1].GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(1, await BatchCountAsync(server));

        // The single-document route too, with its own answer (and an error answer, 415, repeated as it was).
        using var one = await server.Client.SendAsync(Post("api/v1/documents", "doc-7", ServerHarness.Form("file", ("x.txt", [9, 9, 9]))));
        using var oneAgain = await server.Client.SendAsync(Post("api/v1/documents", "doc-7", ServerHarness.Form("file", ("x.txt", [9, 9, 9]))));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, one.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, oneAgain.StatusCode);
        Assert.Equal("application/problem+json", oneAgain.Content.Headers.ContentType?.MediaType);
        Assert.Equal("unsupported_type", (await oneAgain.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(2, await BatchCountAsync(server));

        // Without a key every upload is new.
        using var plain1 = await server.Client.SendAsync(Post("api/v1/batches", null, Batch(("a.pdf", pdf))));
        using var plain2 = await server.Client.SendAsync(Post("api/v1/batches", null, Batch(("a.pdf", pdf))));
        Assert.NotEqual((await plain1.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString(),
            (await plain2.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString());
    }

    [Theory]
    [InlineData("other-bytes")]
    [InlineData("other-name")]
    [InlineData("other-field")]
    [InlineData("other-route")]
    public async Task TheSameKeyWithOtherContent_Is409(string change)
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "0" });
        var pdf = Pdf();
        using var first = await server.Client.SendAsync(Post("api/v1/batches", "k-1", Batch(("a.pdf", pdf))));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var form = change switch
        {
            "other-bytes" => Batch(("a.pdf", [.. pdf, 0x20])),
            "other-name" => Batch(("renamed.pdf", pdf)),
            "other-field" => WithPriority(Batch(("a.pdf", pdf))),
            _ => ServerHarness.Form("file", ("a.pdf", pdf)),
        };
        using var second = await server.Client.SendAsync(Post(change == "other-route" ? "api/v1/documents" : "api/v1/batches", "k-1", form));
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        var problem = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("idempotency_key_reused", problem.GetProperty("code").GetString());
        Assert.Contains("Idempotency-Key: k-1", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await BatchCountAsync(server));
    }

    private static MultipartFormDataContent WithPriority(MultipartFormDataContent form)
    {
        form.Add(new StringContent("express"), "priority");
        return form;
    }

    [Fact]
    public async Task Keys_AreTheCallersOwn()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "0", ["Auth:Required"] = "true" });
        var store = server.Services.GetRequiredService<IApiKeyStore>();
        async Task<HttpClient> ClientAsync(string tenant)
        {
            var (_, key) = await ApiKeys.CreateAsync(store, Roles.Submitter, null, tenant, DateTimeOffset.UtcNow, CancellationToken.None);
            var client = new HttpClient { BaseAddress = server.BaseAddress };
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
            return client;
        }
        using var acme1 = await ClientAsync("acme");
        using var acme2 = await ClientAsync("acme");
        using var globex = await ClientAsync("globex");
        var ids = new List<string>();
        foreach (var client in new[] { acme1, acme2, globex, acme1 })
        {
            using var response = await client.SendAsync(Post("api/v1/batches", "same-key", Batch(("a.pdf", Pdf()))));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString()!);
        }
        Assert.Equal(3, ids.Distinct().Count());
        Assert.Equal(ids[0], ids[3]);
    }

    [Fact]
    public async Task RacingDuplicates_MakeOneBatch_AndAllGetItsAnswer()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "0" });
        var pdf = Pdf();
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            using var response = await server.Client.SendAsync(Post("api/v1/batches", "race-1", Batch(("a.pdf", pdf), ("b.pdf", pdf))));
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        Assert.Single(responses.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("batchId").GetString()).Distinct());
        Assert.Equal(1, await BatchCountAsync(server));
    }

    [Fact]
    public async Task AKey_ExpiresAfterTheConfiguredTime()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "0", ["Idempotency:Expiry"] = "00:00:01" });
        var pdf = Pdf();
        using var first = await server.Client.SendAsync(Post("api/v1/batches", "short-lived", Batch(("a.pdf", pdf))));
        var firstId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString();
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        // Expired: a new request, even with other content.
        using var later = await server.Client.SendAsync(Post("api/v1/batches", "short-lived", Batch(("b.pdf", pdf))));
        Assert.Equal(HttpStatusCode.Accepted, later.StatusCode);
        Assert.False(later.Headers.Contains("Idempotent-Replayed"));
        Assert.NotEqual(firstId, (await later.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("with\ttab")]
    public async Task ABadKey_Is400(string key)
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "0" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/batches") { Content = Batch(("a.pdf", Pdf())) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        using var response = await server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await BatchCountAsync(server));
    }

    [Fact]
    public async Task ATooLongKey_Is400()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Workers"] = "0" });
        using var response = await server.Client.SendAsync(Post("api/v1/batches", new string('k', 256), Batch(("a.pdf", Pdf()))));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Idempotency-Key", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
