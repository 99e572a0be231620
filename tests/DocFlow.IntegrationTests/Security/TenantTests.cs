using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;
using DocFlow.Processing;
using DocFlow.Security;
using DocFlow.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace DocFlow.IntegrationTests.Security;

/// <summary>Tenants on a running server (real SQLite and blob folder): quotas answered 429 with Retry-After and the quota's
/// name, dedup and blob keys per tenant, the tenant on keys, records and /me. Isolation of every route: AuthorizationMatrixTests.</summary>
public sealed class TenantTests
{
    private static byte[] Pdf() => File.ReadAllBytes(Path.Combine(Repo.Samples, "invoice-digital.pdf"));

    private static async Task<HttpClient> ClientAsync(ServerHarness server, string role, string tenant)
    {
        var (_, key) = await ApiKeys.CreateAsync(server.Services.GetRequiredService<IApiKeyStore>(), role, null, tenant, DateTimeOffset.UtcNow, CancellationToken.None);
        var client = new HttpClient { BaseAddress = server.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    [Fact]
    public async Task UploadsOverAQuota_Get429_WithRetryAfter_AndTheQuotaNamed_OtherTenantsUnaffected()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:Required"] = "true",
            ["Workers"] = "0",
            ["Tenants:Default:DocumentsPerDay"] = "1000",
            ["Tenants:acme:DocumentsPerDay"] = "2",
            ["Tenants:globex:ConcurrentJobs"] = "1",
            ["Tenants:globex:RetryAfterSeconds"] = "7",
            ["Tenants:initech:BytesStored"] = "100",
        });
        using var acme = await ClientAsync(server, Roles.Submitter, "acme");
        using var globex = await ClientAsync(server, Roles.Submitter, "globex");
        using var initech = await ClientAsync(server, Roles.Submitter, "initech");
        using var other = await ClientAsync(server, Roles.Submitter, "hooli");

        // Documents per day: 2 for acme; a batch of 2 fits, the third document does not, until the next UTC midnight.
        using (var ok = await acme.PostAsync("api/v1/batches", ServerHarness.Form("files", ("a.pdf", Pdf()), ("b.png", [1, 2, 3]))))
            Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
        using (var over = await acme.PostAsync("api/v1/documents", ServerHarness.Form("file", ("c.pdf", Pdf()))))
        {
            var problem = await AssertQuotaAsync(over, "documents-per-day");
            Assert.Equal(2, problem.GetProperty("limit").GetInt64());
            var untilMidnight = (DateTime.UtcNow.Date.AddDays(1) - DateTime.UtcNow).TotalSeconds;
            Assert.InRange(over.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, untilMidnight + 5);
        }

        // Concurrent jobs: 1 for globex (no workers, so the first stays queued).
        using (var ok = await globex.PostAsync("api/v1/documents", ServerHarness.Form("file", ("a.pdf", Pdf()))))
            Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
        using (var over = await globex.PostAsync("api/v1/documents", ServerHarness.Form("file", ("b.pdf", Pdf()))))
        {
            await AssertQuotaAsync(over, "concurrent-jobs");
            Assert.Equal(TimeSpan.FromSeconds(7), over.Headers.RetryAfter!.Delta);
        }

        // Bytes stored: 100 for initech; the sample PDF is larger.
        using (var over = await initech.PostAsync("api/v1/documents", ServerHarness.Form("file", ("a.pdf", Pdf()))))
            await AssertQuotaAsync(over, "bytes-stored");
        using (var fits = await initech.PostAsync("api/v1/documents", ServerHarness.Form("file", ("tiny.png", [1, 2, 3]))))
            Assert.NotEqual(HttpStatusCode.TooManyRequests, fits.StatusCode);

        // A tenant without quotas of its own gets the defaults (1000 a day): not refused.
        using (var free = await other.PostAsync("api/v1/batches", ServerHarness.Form("files", ("a.pdf", Pdf()), ("b.pdf", Pdf()), ("c.pdf", Pdf()))))
            Assert.Equal(HttpStatusCode.Accepted, free.StatusCode);
    }

    private static async Task<JsonElement> AssertQuotaAsync(HttpResponseMessage response, string quota)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.RetryAfter?.Delta);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Equal(quota, problem.GetProperty("quota").GetString());
        Assert.Equal("quota_exceeded", problem.GetProperty("code").GetString());
        return problem;
    }

    [Fact]
    public async Task Dedup_AnswersFromTheSameTenantsResult_NeverFromAnotherTenants_AndBlobKeysAreTenantPrefixed()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Auth:Required"] = "true", ["Workers"] = "0" });
        using var acme = await ClientAsync(server, Roles.Submitter, "acme");
        using var globex = await ClientAsync(server, Roles.Submitter, "globex");
        var ct = CancellationToken.None;

        var first = await UploadAsync(acme, "first.pdf");
        Assert.Equal("queued", first.GetProperty("status").GetString());
        var firstId = first.GetProperty("id").GetString()!;
        // Play the worker: acme's document gets a result.
        var store = server.Services.GetRequiredService<IJobIntakeStore>();
        Assert.True(await store.TryTransitionAsync(firstId, JobStatus.Queued, JobStatus.Processing, null, ct));
        await store.SaveResultAsync(firstId, new DocFlow.Documents.Document { Text = "acme's invoice", MimeType = "application/pdf" },
            new ProcessingStats("application/pdf", 1, [], [], new Dictionary<int, int>(), TimeSpan.Zero), ct);
        Assert.True(await store.TryTransitionAsync(firstId, JobStatus.Processing, JobStatus.Succeeded, null, ct));

        // The same bytes again from acme: answered at once from its earlier result.
        var again = await UploadAsync(acme, "again.pdf");
        Assert.Equal("succeeded", again.GetProperty("status").GetString());
        // The same bytes from globex: queued, processed for globex; nothing tells globex that acme has this file.
        var foreign = await UploadAsync(globex, "same.pdf");
        Assert.Equal("queued", foreign.GetProperty("status").GetString());

        var monitoring = server.Services.GetRequiredService<IJobMonitoringStore>();
        var acmeJob = (await monitoring.GetJobAsync(firstId, ct))!;
        var globexJob = (await monitoring.GetJobAsync(foreign.GetProperty("id").GetString()!, ct))!;
        Assert.Equal("acme", acmeJob.Tenant);
        Assert.Equal("globex", globexJob.Tenant);
        Assert.Equal(acmeJob.Sha256, globexJob.Sha256);
        Assert.Equal($"acme/{acmeJob.Sha256}", acmeJob.BlobKey);
        Assert.Equal($"globex/{globexJob.Sha256}", globexJob.BlobKey);
        var sha = acmeJob.Sha256!;
        // Two copies, one per tenant, none shared.
        Assert.Equal(
            new[] { "acme", "globex" }.Select(t => Path.Combine(server.DataDirectory, "blobs", "tenants", t, sha[..2], sha[2..4], sha)),
            Directory.EnumerateFiles(server.DataDirectory, sha, SearchOption.AllDirectories).Order(StringComparer.Ordinal));

        // The document's record says whose it is.
        var record = await acme.GetFromJsonAsync<JsonElement>($"api/v1/documents/{firstId}");
        Assert.Equal("acme", record.GetProperty("tenant").GetString());
    }

    private static async Task<JsonElement> UploadAsync(HttpClient client, string name)
    {
        using var response = await client.PostAsync("api/v1/documents", ServerHarness.Form("file", (name, Pdf())));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task Keys_CarryTheirTenant_ThroughTheAdminApi_AndMe_AndTheAuditLog()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Auth:Required"] = "true", ["Workers"] = "0" });
        using var admin = await ClientAsync(server, Roles.Admin, Tenants.Default);

        using var bad = await admin.PostAsJsonAsync("api/v1/keys", new { role = "reader", tenant = "Not A Tenant" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);

        using var created = await admin.PostAsJsonAsync("api/v1/keys", new { role = "submitter", name = "acme uploads", tenant = "acme" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("acme", body.GetProperty("tenant").GetString());
        var listed = await admin.GetFromJsonAsync<JsonElement>("api/v1/keys");
        Assert.Contains(listed.EnumerateArray(), k => k.GetProperty("id").GetString() == body.GetProperty("id").GetString() && k.GetProperty("tenant").GetString() == "acme");

        using var acme = new HttpClient { BaseAddress = server.Client.BaseAddress };
        acme.DefaultRequestHeaders.Add("X-Api-Key", body.GetProperty("key").GetString());
        var me = await acme.GetFromJsonAsync<JsonElement>("api/v1/me");
        Assert.Equal("acme", me.GetProperty("tenant").GetString());
        Assert.False(me.GetProperty("allTenants").GetBoolean());
        var adminMe = await admin.GetFromJsonAsync<JsonElement>("api/v1/me");
        Assert.True(adminMe.GetProperty("allTenants").GetBoolean());

        using (var upload = await acme.PostAsync("api/v1/documents", ServerHarness.Form("file", ("a.pdf", Pdf()))))
            Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var log = server.Services.GetRequiredService<IAuditLog>();
        var entries = await log.QueryAsync(new AuditQuery(null, null, "POST /api/v1/documents", null, null, 10), CancellationToken.None);
        Assert.Equal("acme", Assert.Single(entries).Tenant);
        Assert.True((await log.VerifyAsync(CancellationToken.None)).Intact);
    }
}
