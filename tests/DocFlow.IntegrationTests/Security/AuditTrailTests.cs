using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;
using DocFlow.Security;
using Microsoft.AspNetCore.Routing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace DocFlow.IntegrationTests.Security;

/// <summary>The audit trail against a running server that requires keys: every state-changing route (read from the
/// live route table) leaves exactly one entry, content reads and failed sign-ins leave one, metadata reads none;
/// GET /api/v1/audit is for auditors and admins; `docflow audit verify` finds a changed row by its sequence number.</summary>
public sealed class AuditTrailTests
{
    private static readonly Dictionary<string, string?> Required = new() { ["Auth:Required"] = "true", ["Workers"] = "0" };

    private static async Task<(HttpClient Client, string Prefix)> ClientAsync(ServerHarness server, string role, string tenant = Tenants.Default)
    {
        var (record, key) = await ApiKeys.CreateAsync(server.Services.GetRequiredService<IApiKeyStore>(), role, $"audit {role}", tenant, DateTimeOffset.UtcNow, CancellationToken.None);
        var client = new HttpClient { BaseAddress = server.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return (client, record.Prefix);
    }

    private static async Task<long> CountAsync(IAuditLog log) => (await log.VerifyAsync(CancellationToken.None)).Count;

    private static async Task<AuditEntry> LastAsync(IAuditLog log) =>
        (await log.QueryAsync(new AuditQuery(null, null, null, null, null, 1), CancellationToken.None)).Single();

    [Fact]
    public async Task EveryStateChangingRoute_LeavesExactlyOneEntry_NamingWhoWhatAndTheOutcome()
    {
        await using var server = await ServerHarness.StartAsync(Required);
        var log = server.Services.GetRequiredService<IAuditLog>();
        // An admin of tenant acme: every entry must carry acme, not the default a forgotten tenant would fall back to.
        var (admin, adminPrefix) = await ClientAsync(server, Roles.Admin, "acme");
        using var _ = admin;

        var routes = server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Pattern: "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .Where(r => r.Method is "POST" or "PUT" or "PATCH" or "DELETE").ToList();
        // The representative ones are there (a test that enumerates nothing proves nothing).
        foreach (var expected in new[] { "POST /api/v1/documents", "POST /api/v1/batches", "POST /api/v1/dead-letters/{id}/requeue",
                     "DELETE /api/v1/dead-letters/{id}", "POST /api/v1/keys", "DELETE /api/v1/keys/{id}", "DELETE /api/v1/documents/{id}",
                     "DELETE /api/v1/batches/{id}", "PUT /api/v1/documents/{id}/hold", "DELETE /api/v1/batches/{id}/hold" })
            Assert.Contains(expected, routes.Select(r => $"{r.Method} {(r.Pattern.Length > 1 ? r.Pattern.TrimEnd('/') : r.Pattern)}"));

        // Routes on a document or a batch act on a real one of their own (so erasing one does not take another's target
        // away): the entry of a request that did something, not only of one refused with 404.
        var pdf = File.ReadAllBytes(Path.Combine(Repo.Samples, "invoice-digital.pdf"));
        async Task<string> RealIdAsync(string pattern)
        {
            using var response = await admin.PostAsync("api/v1/batches", ServerHarness.Form("files", ("audit-target.pdf", pdf)));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            return pattern.StartsWith("/api/v1/documents/", StringComparison.Ordinal)
                ? body.GetProperty("documents")[0].GetProperty("id").GetString()!
                : body.GetProperty("batchId").GetString()!;
        }

        var failures = new List<string>();
        var succeeded = 0;
        foreach (var (method, pattern) in routes)
        {
            var real = pattern.StartsWith("/api/v1/documents/{id}", StringComparison.Ordinal) || pattern.StartsWith("/api/v1/batches/{id}", StringComparison.Ordinal);
            var id = real ? await RealIdAsync(pattern) : "no-such-id";
            var path = System.Text.RegularExpressions.Regex.Replace(pattern, @"\{([A-Za-z]+)[^}]*\}", id);
            var before = await CountAsync(log);
            using var request = new HttpRequestMessage(new HttpMethod(method), path.TrimStart('/'));
            if (method is "POST" or "PUT" or "PATCH") request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
            using var response = await admin.SendAsync(request);
            var after = await CountAsync(log);
            if (after != before + 1) { failures.Add($"{method} {pattern}: {after - before} entries, not 1"); continue; }
            var entry = await LastAsync(log);
            var action = $"{method} {(pattern.Length > 1 ? pattern.TrimEnd('/') : pattern)}";
            if ((entry.Action, entry.Principal, entry.Role, entry.Outcome, entry.Tenant) != (action, adminPrefix, Roles.Admin, (int)response.StatusCode, "acme"))
                failures.Add($"{method} {pattern}: recorded {entry.Action} by {entry.Principal} ({entry.Role}, tenant {entry.Tenant}) → {entry.Outcome}, answered {(int)response.StatusCode}");
            if (pattern.Contains("{id}", StringComparison.Ordinal) && entry.Target?.Contains($"id={id}", StringComparison.Ordinal) != true)
                failures.Add($"{method} {pattern}: target '{entry.Target}' does not name the id {id}");
            if (real && !response.IsSuccessStatusCode)
                failures.Add($"{method} {pattern}: answered {(int)response.StatusCode} for a real {id}: {await response.Content.ReadAsStringAsync()}");
            if (real) succeeded++;
        }
        Assert.True(succeeded >= 6, $"only {succeeded} state-changing routes on real documents or batches");
        Assert.True(failures.Count == 0, string.Join("\n", failures));

        // Real changes name what they made: an upload its document, a key its id; a revoke the key it revoked.
        var upload = await admin.PostAsync("api/v1/documents", ServerHarness.Form("file", ("private-name.pdf", File.ReadAllBytes(Path.Combine(Repo.Samples, "invoice-digital.pdf")))));
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var docId = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var uploaded = await LastAsync(log);
        Assert.Equal(("POST /api/v1/documents", $"created={docId}", 202), (uploaded.Action, uploaded.Target, uploaded.Outcome));
        Assert.Equal("127.0.0.1", uploaded.ClientAddress);
        Assert.False(string.IsNullOrEmpty(uploaded.RequestId));

        var created = await admin.PostAsJsonAsync("api/v1/keys", new { role = "reader", name = "bi" });
        var keyId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal(("POST /api/v1/keys", $"created={keyId}", 201), ((await LastAsync(log)).Action, (await LastAsync(log)).Target, (await LastAsync(log)).Outcome));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"api/v1/keys/{keyId}")).StatusCode);
        Assert.Equal(("DELETE /api/v1/keys/{id}", $"id={keyId}", 204), ((await LastAsync(log)).Action, (await LastAsync(log)).Target, (await LastAsync(log)).Outcome));

        // A principal bound to a tenant (not admin): its upload and its erasure are entries of its tenant, one each.
        var (submitter, submitterPrefix) = await ClientAsync(server, Roles.Submitter, "globex");
        using (submitter)
        {
            var before = await CountAsync(log);
            var own = await submitter.PostAsync("api/v1/documents", ServerHarness.Form("file", ("globex.pdf", pdf)));
            Assert.Equal(HttpStatusCode.Accepted, own.StatusCode);
            var ownId = (await own.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            Assert.Equal(before + 1, await CountAsync(log));
            Assert.Equal(("POST /api/v1/documents", submitterPrefix, "globex"), ((await LastAsync(log)).Action, (await LastAsync(log)).Principal, (await LastAsync(log)).Tenant));
            Assert.True((await submitter.DeleteAsync($"api/v1/documents/{ownId}")).IsSuccessStatusCode);
            Assert.Equal(before + 2, await CountAsync(log));
            var erased = await LastAsync(log);
            Assert.Equal(("DELETE /api/v1/documents/{id}", submitterPrefix, "globex"), (erased.Action, erased.Principal, erased.Tenant));
            Assert.Contains($"id={ownId}", erased.Target, StringComparison.Ordinal);
        }

        var verified = await log.VerifyAsync(CancellationToken.None);
        Assert.True(verified.Intact, verified.Reason);
    }

    [Fact]
    public async Task ContentReads_AndFailedSignIns_AreRecorded_MetadataReadsAreNot_AndOnlyAuditorsAndAdminsReadTheLog()
    {
        await using var server = await ServerHarness.StartAsync(Required);
        var log = server.Services.GetRequiredService<IAuditLog>();
        var (submitter, _) = await ClientAsync(server, Roles.Submitter);
        var (reader, readerPrefix) = await ClientAsync(server, Roles.Reader);
        var (auditor, _) = await ClientAsync(server, Roles.Auditor);
        using var c1 = submitter; using var c2 = reader; using var c3 = auditor;

        var upload = await submitter.PostAsync("api/v1/documents", ServerHarness.Form("file", ("private-name.pdf", File.ReadAllBytes(Path.Combine(Repo.Samples, "invoice-digital.pdf")))));
        var docId = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var before = await CountAsync(log);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"api/v1/documents/{docId}")).StatusCode);
        Assert.Equal(before, await CountAsync(log));
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"api/v1/documents/{docId}/original")).StatusCode);
        Assert.Equal(before + 1, await CountAsync(log));
        var read = await LastAsync(log);
        Assert.Equal(("GET /api/v1/documents/{id}/original", $"id={docId}", readerPrefix, "reader", 200),
            (read.Action, read.Target, read.Principal, read.Role, read.Outcome));

        using var bad = new HttpClient { BaseAddress = server.Client.BaseAddress };
        bad.DefaultRequestHeaders.Add("X-Api-Key", "dfk_nosuchk1_" + new string('A', 43));
        Assert.Equal(HttpStatusCode.Unauthorized, (await bad.GetAsync("api/v1/jobs")).StatusCode);
        var failed = await LastAsync(log);
        Assert.Equal(("sign-in-failed", "dfk_nosuchk1", 401), (failed.Action, failed.Principal, failed.Outcome));
        Assert.Equal("GET /api/v1/jobs", failed.Target);

        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync("api/v1/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await submitter.GetAsync("api/v1/audit")).StatusCode);
        var text = await auditor.GetStringAsync("api/v1/audit");
        Assert.DoesNotContain("private-name", text);
        var page = JsonDocument.Parse(text).RootElement;
        Assert.Equal("sign-in-failed", page.GetProperty("items")[0].GetProperty("action").GetString());

        var byReader = await auditor.GetFromJsonAsync<JsonElement>($"api/v1/audit?principal={readerPrefix}");
        Assert.Equal(["GET /api/v1/documents/{id}/original"], byReader.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()));
        var uploads = await auditor.GetFromJsonAsync<JsonElement>($"api/v1/audit?action={Uri.EscapeDataString("POST /api/v1/documents")}");
        Assert.Equal(1, uploads.GetProperty("items").GetArrayLength());

        var first = await auditor.GetFromJsonAsync<JsonElement>("api/v1/audit?limit=1");
        var next = first.GetProperty("next").GetInt64();
        var second = await auditor.GetFromJsonAsync<JsonElement>($"api/v1/audit?limit=1&before={next}");
        Assert.Equal(next - 1, second.GetProperty("items")[0].GetProperty("sequence").GetInt64());
        var future = DateTimeOffset.UtcNow.AddHours(1).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0, (await auditor.GetFromJsonAsync<JsonElement>($"api/v1/audit?from={Uri.EscapeDataString(future)}")).GetProperty("items").GetArrayLength());

        // The export: every selected entry, oldest first, with its hashes; auditors and admins only.
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync("api/v1/audit/export.csv")).StatusCode);
        var exported = await auditor.GetAsync("api/v1/audit/export.csv");
        Assert.Equal("text/csv", exported.Content.Headers.ContentType?.MediaType);
        var lines = (await exported.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("sequence,at,principal,role,action,target,outcome,client_address,request_id,previous_hash,hash,tenant", lines[0]);
        var sequences = lines.Skip(1).Select(l => long.Parse(l[..l.IndexOf(',')], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(sequences.Count >= 3, $"{sequences.Count} rows");
        Assert.Equal(sequences.Order().ToList(), sequences);
        Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
        var signIns = await auditor.GetStringAsync("api/v1/audit/export.csv?action=sign-in-failed");
        Assert.All(signIns.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1), l => Assert.Contains(",sign-in-failed,", l));
    }

    [Fact]
    public async Task AuditVerify_SaysOk_ThenNamesTheSequenceOfAChangedRow_AndExits1()
    {
        // The server keeps running (its data folder goes with it); the CLI reads the same SQLite file beside it.
        await using var server = await ServerHarness.StartAsync(Required);
        var (admin, _) = await ClientAsync(server, Roles.Admin);
        using var client = admin;
        for (var i = 0; i < 4; i++) await admin.PostAsJsonAsync("api/v1/keys", new { role = "reader", name = $"k{i}" });
        var database = Path.Combine(server.DataDirectory, "docflow.db");
        var (exit, output) = await Executables.RunAsync(Executables.Product, TimeSpan.FromMinutes(2), "audit", "verify", "--database", database);
        Assert.True(exit == 0, output);
        Assert.Contains("OK: 4 entries", output);

        await using (var db = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            await db.OpenAsync();
            await using var cmd = db.CreateCommand();
            cmd.CommandText = "UPDATE audit_log SET action = 'GET /healthz' WHERE sequence = 3";
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }
        (exit, output) = await Executables.RunAsync(Executables.Product, TimeSpan.FromMinutes(2), "audit", "verify", "--database", database);
        Assert.Equal(1, exit);
        Assert.Contains("BROKEN at entry 3", output);

        (exit, output) = await Executables.RunAsync(Executables.Product, TimeSpan.FromMinutes(2), "audit", "verify", "--no-such-option");
        Assert.NotEqual(0, exit);
    }
}
