using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;
using DocFlow.Queueing;
using DocFlow.Webhooks;
using Microsoft.Extensions.DependencyInjection;

namespace DocFlow.IntegrationTests.Webhooks;

/// <summary>
/// Webhooks end to end on a running server (real SQLite, in-process queue, worker slots) against a real receiver on
/// loopback (allowed by <c>Webhooks:AllowedNetworks</c>): signed events, each fired once; retries with backoff after
/// 500s; the dead letter after the last attempt; retries across a server restart; the delivery log.
/// </summary>
public sealed class WebhookDeliveryTests
{
    private const string Secret = "test-secret-of-enough-length";

    private static byte[] Pdf() => File.ReadAllBytes(Path.Combine(Repo.Samples, "invoice-digital.pdf"));

    /// <summary>Not a document: refused at the door, so its document.failed needs no OCR.</summary>
    private static readonly byte[] NotADocument = Encoding.ASCII.GetBytes("just some text, not a document");

    private static Dictionary<string, string?> Settings(WebhookReceiver receiver, int maxAttempts = 5, string baseDelay = "00:00:00.200",
        string? data = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Workers"] = "2",
            ["Webhooks:AllowedNetworks:0"] = receiver.Url.Host + "/32",
            ["Webhooks:MaxAttempts"] = maxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Webhooks:BaseDelay"] = baseDelay,
            ["Webhooks:MaxDelay"] = "00:00:10",
            ["Webhooks:PublicBaseUrl"] = "https://docflow.example.com",
        };
        if (data is not null) settings["DataDirectory"] = data;
        return settings;
    }

    private static MultipartFormDataContent BatchForm(string callbackUrl, params (string Name, byte[] Content)[] files)
    {
        var form = ServerHarness.Form("files", files);
        form.Add(new StringContent(callbackUrl), "callbackUrl");
        form.Add(new StringContent(Secret), "callbackSecret");
        return form;
    }

    private static async Task<string> UploadAsync(ServerHarness server, MultipartFormDataContent form)
    {
        using var response = await server.Client.PostAsync("api/v1/batches", form);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString()!;
    }

    internal static async Task<JsonElement[]> DeliveriesAsync(HttpClient client, string batchId) =>
        [.. (await client.GetFromJsonAsync<JsonElement>($"api/v1/batches/{batchId}/webhooks")).EnumerateArray()];

    internal static async Task<JsonElement[]> WaitForDeliveriesAsync(HttpClient client, string batchId, Func<JsonElement[], bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var log = await DeliveriesAsync(client, batchId);
            if (done(log)) return log;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"delivery log of {batchId}: {JsonSerializer.Serialize(log)}");
            await Task.Delay(100);
        }
    }

    private static bool All(JsonElement[] log, int count, string status) =>
        log.Length == count && log.All(d => d.GetProperty("status").GetString() == status);

    [Fact]
    public async Task EveryEvent_IsSignedAndSentOnce_WithTheDocumentsAndLinks()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await ServerHarness.StartAsync(Settings(receiver));
        var batchId = await UploadAsync(server, BatchForm(receiver.Url.ToString(), ("invoice.pdf", Pdf()), ("notes.txt", NotADocument)));
        await server.WaitForBatchAsync(batchId, TimeSpan.FromMinutes(10));
        var log = await WaitForDeliveriesAsync(server.Client, batchId, l => All(l, 3, WebhookDeliveryStatus.Delivered), TimeSpan.FromMinutes(10));

        var requests = receiver.Requests;
        Assert.Equal(3, requests.Count);
        var bodies = new List<JsonElement>();
        foreach (var request in requests)
        {
            // The receiver's check, as docs/webhooks.md tells it: the signature over id.timestamp.body, inside the window.
            Assert.True(WebhookSignature.Verify(Secret, request.Header("webhook-id"), request.Header("webhook-timestamp"),
                request.Header("webhook-signature"), request.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)),
                $"signature of {request.Header("webhook-id")} does not verify");
            Assert.StartsWith("application/json", request.Header("content-type"), StringComparison.Ordinal);
            Assert.Equal("/hook", request.Path);
            var body = JsonDocument.Parse(request.Body).RootElement;
            Assert.Equal(request.Header("webhook-id"), body.GetProperty("id").GetString());
            Assert.Equal("default", body.GetProperty("tenant").GetString());
            Assert.Equal(batchId, body.GetProperty("data").GetProperty("batchId").GetString());
            bodies.Add(body);
        }
        // A wrong secret does not verify.
        Assert.False(WebhookSignature.Verify("another-secret-entirely", requests[0].Header("webhook-id"), requests[0].Header("webhook-timestamp"),
            requests[0].Header("webhook-signature"), requests[0].Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));

        var types = bodies.Select(b => b.GetProperty("type").GetString()).Order().ToList();
        Assert.Equal(["batch.completed", "document.failed", "document.succeeded"], types);
        var succeeded = bodies.Single(b => b.GetProperty("type").GetString() == "document.succeeded").GetProperty("data");
        Assert.Equal("invoice.pdf", succeeded.GetProperty("fileName").GetString());
        Assert.Equal("succeeded", succeeded.GetProperty("status").GetString());
        var docId = succeeded.GetProperty("documentId").GetString();
        Assert.Equal($"https://docflow.example.com/api/v1/documents/{docId}/result", succeeded.GetProperty("links").GetProperty("result").GetString());
        var failed = bodies.Single(b => b.GetProperty("type").GetString() == "document.failed").GetProperty("data");
        Assert.Equal("unsupported_type", failed.GetProperty("error").GetProperty("code").GetString());
        var completed = bodies.Single(b => b.GetProperty("type").GetString() == "batch.completed").GetProperty("data");
        Assert.Equal(2, completed.GetProperty("counts").GetProperty("total").GetInt32());
        Assert.Equal(1, completed.GetProperty("counts").GetProperty("succeeded").GetInt32());
        Assert.Equal(1, completed.GetProperty("counts").GetProperty("failed").GetInt32());

        // The log: one delivery per event, one attempt each, 200, latency measured; the receiver saw each id once.
        Assert.All(log, d =>
        {
            Assert.Equal(1, d.GetProperty("attempts").GetInt32());
            var attempt = Assert.Single(d.GetProperty("attemptLog").EnumerateArray());
            Assert.Equal(200, attempt.GetProperty("statusCode").GetInt32());
            Assert.True(attempt.GetProperty("latencyMs").GetInt64() >= 0);
            Assert.Equal(JsonValueKind.Null, attempt.GetProperty("nextRetryAt").ValueKind);
        });
        Assert.Equal(3, requests.Select(r => r.Header("webhook-id")).Distinct().Count());

        // Ending jobs again (a redelivered job, a second caller of the batch's completion) emits nothing new.
        var completion = server.Services.GetRequiredService<DocFlow.Processing.BatchCompletion>();
        await completion.JobEndedAsync(batchId, CancellationToken.None);
        await completion.JobEndedAsync(batchId, CancellationToken.None);
        Assert.Equal(3, (await DeliveriesAsync(server.Client, batchId)).Length);

        // Erasing a document takes its events (their bodies name the file); erasing the batch takes the rest and the secret.
        var webhooks = server.Services.GetRequiredService<IWebhookStore>();
        using (var erased = await server.Client.DeleteAsync($"api/v1/documents/{docId}"))
            Assert.Equal(HttpStatusCode.NoContent, erased.StatusCode);
        Assert.DoesNotContain(await webhooks.ListForBatchAsync(batchId, CancellationToken.None), d => d.EventKey.StartsWith(docId!, StringComparison.Ordinal));
        Assert.Equal(2, (await webhooks.ListForBatchAsync(batchId, CancellationToken.None)).Count);
        using (var erased = await server.Client.DeleteAsync($"api/v1/batches/{batchId}"))
            Assert.Equal(HttpStatusCode.NoContent, erased.StatusCode);
        Assert.Empty(await webhooks.ListForBatchAsync(batchId, CancellationToken.None));
        Assert.Null(await webhooks.GetSubscriptionAsync(batchId, CancellationToken.None));
    }

    [Fact]
    public async Task ManyDocumentsEndingOnSeveralSlots_FireBatchCompletedOnce()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await ServerHarness.StartAsync(Settings(receiver));
        var files = Enumerable.Range(0, 6).Select(i => ($"n{i}.txt", Encoding.ASCII.GetBytes($"not a document {i}"))).ToArray();
        var pdfs = Enumerable.Range(0, 3).Select(i => ($"p{i}.pdf", Pdf())).ToArray();
        var batchId = await UploadAsync(server, BatchForm(receiver.Url.ToString(), [.. files, .. pdfs]));
        await server.WaitForBatchAsync(batchId, TimeSpan.FromMinutes(10));
        var log = await WaitForDeliveriesAsync(server.Client, batchId, l => All(l, 10, WebhookDeliveryStatus.Delivered), TimeSpan.FromMinutes(10));
        Assert.Single(log, d => d.GetProperty("type").GetString() == "batch.completed");
        Assert.Single(receiver.Requests, r => JsonDocument.Parse(r.Body).RootElement.GetProperty("type").GetString() == "batch.completed");
        Assert.Equal(9, receiver.Requests.Count(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("type").GetString()!.StartsWith("document.", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AReceiverAnswering500_IsRetriedWithBackoff_UntilItAnswers200()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = n => (n <= 2 ? 500 : 200, null);
        await using var server = await ServerHarness.StartAsync(Settings(receiver, baseDelay: "00:00:00.400"));
        var batchId = await UploadAsync(server, ServerHarnessForm(receiver, "only.txt"));
        // One document refused at the door: document.failed, then batch.completed. Delivered one after the other
        // or together, the first two requests get 500.
        var log = await WaitForDeliveriesAsync(server.Client, batchId, l => All(l, 2, WebhookDeliveryStatus.Delivered), TimeSpan.FromMinutes(10));
        var attempts = log.SelectMany(d => d.GetProperty("attemptLog").EnumerateArray()).ToList();
        Assert.Equal(4, attempts.Count);
        Assert.Equal(2, attempts.Count(a => a.GetProperty("statusCode").GetInt32() == 500));
        foreach (var delivery in log.Where(d => d.GetProperty("attempts").GetInt32() > 1))
        {
            var tries = delivery.GetProperty("attemptLog").EnumerateArray().ToList();
            for (var i = 0; i < tries.Count - 1; i++)
            {
                Assert.Equal(500, tries[i].GetProperty("statusCode").GetInt32());
                Assert.Contains("500", tries[i].GetProperty("error").GetString(), StringComparison.Ordinal);
                // Backoff: the retry was scheduled at least half the base delay, doubled per attempt, after the failure
                // (equal jitter), and the next attempt did not start before it.
                var at = tries[i].GetProperty("at").GetDateTimeOffset();
                var next = tries[i].GetProperty("nextRetryAt").GetDateTimeOffset();
                Assert.True(next - at >= TimeSpan.FromMilliseconds(200 * Math.Pow(2, i)) - TimeSpan.FromMilliseconds(5), $"retry {i + 1} scheduled {next - at} after the failure");
                Assert.True(tries[i + 1].GetProperty("at").GetDateTimeOffset() >= next - TimeSpan.FromMilliseconds(50));
            }
            Assert.Equal(200, tries[^1].GetProperty("statusCode").GetInt32());
            Assert.NotEqual(JsonValueKind.Null, delivery.GetProperty("deliveredAt").ValueKind);
        }
        // The same event id on every attempt (receivers deduplicate on it), each attempt signed with its own send time:
        // never stamped before the previous attempt of its event arrived (the stamp is in whole seconds) nor after its own
        // arrival. No bound on the time in between: on a loaded machine a request may take seconds to arrive.
        var byId = receiver.Requests.GroupBy(r => r.Header("webhook-id")).ToList();
        Assert.Equal(2, byId.Count);
        foreach (var attemptsOfOne in byId)
        {
            DateTimeOffset? previous = null;
            foreach (var r in attemptsOfOne.OrderBy(r => r.At))
            {
                var stamp = DateTimeOffset.FromUnixTimeSeconds(long.Parse(r.Header("webhook-timestamp"), System.Globalization.CultureInfo.InvariantCulture));
                Assert.True(stamp <= r.At, $"attempt at {r.At:O} stamped later, {stamp:O}");
                if (previous is { } p)
                    Assert.True(stamp >= p.AddTicks(-(p.Ticks % TimeSpan.TicksPerSecond)), $"attempt at {r.At:O} stamped {stamp:O}, before the previous attempt at {p:O}");
                previous = r.At;
                Assert.True(WebhookSignature.Verify(Secret, r.Header("webhook-id"), r.Header("webhook-timestamp"), r.Header("webhook-signature"), r.Body,
                    r.At, TimeSpan.FromMinutes(5)), $"attempt at {r.At:O} stamped {r.Header("webhook-timestamp")}: its signature does not verify");
            }
        }
    }

    private static MultipartFormDataContent ServerHarnessForm(WebhookReceiver receiver, string name) =>
        BatchForm(receiver.Url.ToString(), (name, NotADocument));

    [Fact]
    public async Task AReceiverThatNeverAnswers200_IsDeadLettered_AfterMaxAttempts()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = _ => (503, null);
        await using var server = await ServerHarness.StartAsync(Settings(receiver, maxAttempts: 3, baseDelay: "00:00:00.100"));
        var batchId = await UploadAsync(server, ServerHarnessForm(receiver, "only.txt"));
        var log = await WaitForDeliveriesAsync(server.Client, batchId, l => All(l, 2, WebhookDeliveryStatus.Failed), TimeSpan.FromMinutes(10));
        var deadLetters = server.Services.GetRequiredService<IDeadLetterStore>();
        foreach (var delivery in log)
        {
            Assert.Equal(3, delivery.GetProperty("attempts").GetInt32());
            Assert.All(delivery.GetProperty("attemptLog").EnumerateArray(), a => Assert.Equal(503, a.GetProperty("statusCode").GetInt32()));
            Assert.StartsWith("dead-lettered", delivery.GetProperty("lastError").GetString(), StringComparison.Ordinal);
            Assert.Equal(JsonValueKind.Null, delivery.GetProperty("nextAttemptAt").ValueKind);
            Assert.True(await deadLetters.HasDeadLetterAsync(delivery.GetProperty("id").GetString()!, CancellationToken.None));
        }
        Assert.Equal(6, receiver.Requests.Count);

        // Operators see them too, newest first, filtered by status.
        var failed = await server.Client.GetFromJsonAsync<JsonElement>("api/v1/webhooks/deliveries?status=failed");
        Assert.Equal(2, failed.GetArrayLength());
        using var bad = await server.Client.GetAsync("api/v1/webhooks/deliveries?status=lost");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);

        // An operator requeues a dead letter once the receiver is fixed: pending again, then delivered.
        receiver.Answer = _ => (200, null);
        var id = log[0].GetProperty("id").GetString()!;
        using (var requeued = await server.Client.PostAsync($"api/v1/dead-letters/{id}/requeue", null))
            Assert.Equal(HttpStatusCode.Accepted, requeued.StatusCode);
        var after = await WaitForDeliveriesAsync(server.Client, batchId,
            l => l.Any(d => d.GetProperty("id").GetString() == id && d.GetProperty("status").GetString() == WebhookDeliveryStatus.Delivered), TimeSpan.FromMinutes(10));
        var again = after.Single(d => d.GetProperty("id").GetString() == id);
        Assert.Equal(4, again.GetProperty("attempts").GetInt32());
        Assert.Equal(200, again.GetProperty("lastStatusCode").GetInt32());
        Assert.False(await deadLetters.HasDeadLetterAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task APendingRetry_SurvivesARestart_AndIsDeliveredByTheNextServer()
    {
        var data = Repo.NewTempDirectory("webhook-restart");
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = n => (n <= 2 ? 500 : 200, null);
        string batchId;
        await using (var first = await ServerHarness.StartAsync(Settings(receiver, baseDelay: "00:00:10", data: data)))
        {
            batchId = await UploadAsync(first, ServerHarnessForm(receiver, "only.txt"));
            // Both events failed once and wait for their retry (5 to 10 s away: time enough for both first attempts and the
            // stop on a loaded machine, before either retry comes due) when the server stops.
            await WaitForDeliveriesAsync(first.Client, batchId,
                l => l.Length == 2 && l.All(d => d.GetProperty("attempts").GetInt32() == 1 && d.GetProperty("nextAttemptAt").ValueKind != JsonValueKind.Null),
                TimeSpan.FromMinutes(10));
        }
        Assert.Equal(2, receiver.Requests.Count);
        var restarted = DateTimeOffset.UtcNow;
        await using var second = await ServerHarness.StartAsync(Settings(receiver, baseDelay: "00:00:10", data: data));
        var log = await WaitForDeliveriesAsync(second.Client, batchId, l => All(l, 2, WebhookDeliveryStatus.Delivered), TimeSpan.FromMinutes(10));
        foreach (var delivery in log)
        {
            var tries = delivery.GetProperty("attemptLog").EnumerateArray().ToList();
            Assert.Equal(2, tries.Count);
            Assert.Equal(2, delivery.GetProperty("attempts").GetInt32());
            Assert.Equal(500, tries[0].GetProperty("statusCode").GetInt32());
            Assert.Equal(200, tries[1].GetProperty("statusCode").GetInt32());
            // Delivered by the second server, not before its scheduled time.
            Assert.True(tries[1].GetProperty("at").GetDateTimeOffset() >= restarted);
            Assert.True(tries[1].GetProperty("at").GetDateTimeOffset() >= tries[0].GetProperty("nextRetryAt").GetDateTimeOffset() - TimeSpan.FromMilliseconds(50));
        }
        Assert.Equal(4, receiver.Requests.Count);
        try { Directory.Delete(data, true); } catch (IOException) { }
    }

    [Fact]
    public async Task TheDeliveryLog_IsTheTenantsOwn()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = Settings(receiver);
        settings["Auth:Required"] = "true";
        await using var server = await ServerHarness.StartAsync(settings);
        var store = server.Services.GetRequiredService<DocFlow.Security.IApiKeyStore>();
        var (_, acmeKey) = await DocFlow.Security.ApiKeys.CreateAsync(store, DocFlow.Security.Roles.Submitter, null, "acme", DateTimeOffset.UtcNow, CancellationToken.None);
        var (_, otherKey) = await DocFlow.Security.ApiKeys.CreateAsync(store, DocFlow.Security.Roles.Submitter, null, "globex", DateTimeOffset.UtcNow, CancellationToken.None);
        using var acme = new HttpClient { BaseAddress = server.BaseAddress };
        acme.DefaultRequestHeaders.Add("X-Api-Key", acmeKey);
        using var other = new HttpClient { BaseAddress = server.BaseAddress };
        other.DefaultRequestHeaders.Add("X-Api-Key", otherKey);

        using var response = await acme.PostAsync("api/v1/batches", ServerHarnessForm(receiver, "a.txt"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var batchId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString()!;
        var log = await WaitForDeliveriesAsync(acme, batchId, l => All(l, 2, WebhookDeliveryStatus.Delivered), TimeSpan.FromMinutes(10));
        Assert.All(receiver.Requests, r => Assert.Equal("acme", JsonDocument.Parse(r.Body).RootElement.GetProperty("tenant").GetString()));

        using var notTheirs = await other.GetAsync($"api/v1/batches/{batchId}/webhooks");
        Assert.Equal(HttpStatusCode.NotFound, notTheirs.StatusCode);
        Assert.Equal(2, log.Length);
    }
    [Fact]
    public async Task WithoutACallbackUrl_TheKeysDefault_ElseTheTenantsDefault_IsUsed()
    {
        await using var tenantReceiver = await WebhookReceiver.StartAsync();
        await using var keyReceiver = await WebhookReceiver.StartAsync("127.0.0.1");
        var settings = Settings(tenantReceiver);
        settings["Auth:Required"] = "true";
        settings["Webhooks:Tenants:acme:Url"] = tenantReceiver.Url.ToString();
        settings["Webhooks:Tenants:acme:Secret"] = "the-tenant-secret-0123";
        await using var server = await ServerHarness.StartAsync(settings);
        var store = server.Services.GetRequiredService<DocFlow.Security.IApiKeyStore>();
        var (plainRecord, plainKey) = await DocFlow.Security.ApiKeys.CreateAsync(store, DocFlow.Security.Roles.Submitter, null, "acme", DateTimeOffset.UtcNow, CancellationToken.None);
        var (ownRecord, ownKey) = await DocFlow.Security.ApiKeys.CreateAsync(store, DocFlow.Security.Roles.Submitter, null, "acme", DateTimeOffset.UtcNow, CancellationToken.None);
        var (_, otherKey) = await DocFlow.Security.ApiKeys.CreateAsync(store, DocFlow.Security.Roles.Submitter, null, "globex", DateTimeOffset.UtcNow, CancellationToken.None);
        // Options are read at start; a key's default names the key by its prefix (what GET /api/v1/keys lists).
        var options = server.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DocFlow.Server.Webhooks.WebhookOptions>>().Value;
        options.Keys[ownRecord.Prefix] = new DocFlow.Server.Webhooks.WebhookTarget { Url = keyReceiver.Url.ToString(), Secret = "the-key-secret-456789" };

        async Task<string> UploadWithAsync(string key)
        {
            using var client = new HttpClient { BaseAddress = server.BaseAddress };
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
            using var response = await client.PostAsync("api/v1/batches", ServerHarness.Form("files", ("a.txt", NotADocument)));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetString()!;
        }

        var viaTenant = await UploadWithAsync(plainKey);
        var viaKey = await UploadWithAsync(ownKey);
        var none = await UploadWithAsync(otherKey);
        await tenantReceiver.WaitForAsync(r => r.Count == 2, TimeSpan.FromMinutes(10));
        await keyReceiver.WaitForAsync(r => r.Count == 2, TimeSpan.FromMinutes(10));
        Assert.All(tenantReceiver.Requests, r =>
        {
            Assert.Equal(viaTenant, JsonDocument.Parse(r.Body).RootElement.GetProperty("data").GetProperty("batchId").GetString());
            Assert.True(WebhookSignature.Verify("the-tenant-secret-0123", r.Header("webhook-id"), r.Header("webhook-timestamp"), r.Header("webhook-signature"),
                r.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        });
        Assert.All(keyReceiver.Requests, r =>
        {
            Assert.Equal(viaKey, JsonDocument.Parse(r.Body).RootElement.GetProperty("data").GetProperty("batchId").GetString());
            Assert.True(WebhookSignature.Verify("the-key-secret-456789", r.Header("webhook-id"), r.Header("webhook-timestamp"), r.Header("webhook-signature"),
                r.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        });
        // globex has no default: its batch, completed, has no deliveries.
        using var admin = new HttpClient { BaseAddress = server.BaseAddress };
        var (_, adminKey) = await DocFlow.Security.ApiKeys.CreateAsync(store, DocFlow.Security.Roles.Admin, null, "acme", DateTimeOffset.UtcNow, CancellationToken.None);
        admin.DefaultRequestHeaders.Add("X-Api-Key", adminKey);
        Assert.Equal("completed", (await admin.GetFromJsonAsync<JsonElement>($"api/v1/batches/{none}")).GetProperty("status").GetString());
        Assert.Empty(await DeliveriesAsync(admin, none));
        Assert.NotEqual(plainRecord.Prefix, ownRecord.Prefix);
    }
}
