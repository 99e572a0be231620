using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace DocFlow.IntegrationTests.Security;

/// <summary>API keys end to end: created, used, listed and revoked over the admin API and with `docflow keys`,
/// against a server that requires keys; the database holds the hash only.</summary>
public sealed class ApiKeyTests
{
    private static HttpClient ClientWith(ServerHarness server, string key, bool bearer = false)
    {
        var client = new HttpClient { BaseAddress = server.Client.BaseAddress };
        if (bearer) client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        else client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    private static string DatabaseOf(ServerHarness server) => Path.Combine(server.DataDirectory, "docflow.db");

    private static Task<(int Exit, string Output)> CliAsync(params string[] args) => Executables.RunAsync(Executables.Product, TimeSpan.FromMinutes(2), args);

    [Fact]
    public async Task AdminApi_CreatesListsAndRevokes_AndARevokedKeyGets401()
    {
        var bootstrap = "dfk_boot0001_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:Required"] = "true",
            ["Auth:BootstrapKeyHash"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(bootstrap))),
            ["Workers"] = "0",
        });
        using var admin = ClientWith(server, bootstrap, bearer: true);

        var created = await admin.PostAsJsonAsync("api/v1/keys", new { role = "reader", name = "ci reader" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var key = body.GetProperty("key").GetString()!;
        var id = body.GetProperty("id").GetString()!;
        Assert.StartsWith($"dfk_{id}_", key);
        Assert.Equal($"dfk_{id}", body.GetProperty("prefix").GetString());
        Assert.Equal("reader", body.GetProperty("role").GetString());

        using var reader = ClientWith(server, key, bearer: true);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("api/v1/jobs")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync("api/v1/keys")).StatusCode);
        var me = await reader.GetFromJsonAsync<JsonElement>("api/v1/me");
        Assert.Equal("reader", me.GetProperty("role").GetString());
        Assert.Equal("required", me.GetProperty("auth").GetString());

        // The list names keys by prefix and never holds a key or a hash.
        var listText = await admin.GetStringAsync("api/v1/keys");
        Assert.Contains($"\"prefix\":\"dfk_{id}\"", listText);
        Assert.DoesNotContain(key, listText);
        Assert.DoesNotContain("hash", listText, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\"key\"", listText);

        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("api/v1/keys", new { role = "root" })).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"api/v1/keys/{id}")).StatusCode);
        var revoked = await reader.GetAsync("api/v1/jobs");
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Contains("revoked", await revoked.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"api/v1/keys/{id}")).StatusCode);
        var list = await admin.GetFromJsonAsync<JsonElement>("api/v1/keys");
        Assert.True(list.EnumerateArray().Single(k => k.GetProperty("id").GetString() == id).TryGetProperty("revokedAt", out var at) && at.ValueKind == JsonValueKind.String);

        // The database holds the SHA-256 of the key; no file of it holds the key's secret.
        await using (var db = new SqliteConnection($"Data Source={DatabaseOf(server)};Mode=ReadOnly;Pooling=False"))
        {
            await db.OpenAsync();
            await using var cmd = db.CreateCommand();
            cmd.CommandText = "SELECT key_hash FROM api_keys WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", id);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))), (string?)await cmd.ExecuteScalarAsync());
        }
        var secret = Encoding.UTF8.GetBytes(key.Split('_', 3)[2]);
        foreach (var file in Directory.GetFiles(server.DataDirectory, "docflow.db*"))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.True(bytes.AsSpan().IndexOf(secret) < 0, $"{file} holds the key's secret");
        }
    }

    [Fact]
    public async Task Submit_SendsItsApiKey()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Auth:Required"] = "true", ["Workers"] = "0" });
        var (_, key) = await DocFlow.Security.ApiKeys.CreateAsync(
            server.Services.GetRequiredService<DocFlow.Security.IApiKeyStore>(), "submitter", null, DateTimeOffset.UtcNow, CancellationToken.None);
        var file = Path.Combine(Repo.Samples, "receipt-digital.pdf");
        var url = server.Client.BaseAddress!.ToString();

        var (exit, output) = await CliAsync("submit", file, "--server", url);
        Assert.NotEqual(0, exit);
        Assert.Contains("401", output);

        (exit, output) = await CliAsync("submit", file, "--server", url, "--api-key", key);
        Assert.True(exit == 0, output);
        Assert.Contains("accepted", output);
    }

    [Fact]
    public async Task Cli_CreatesListsAndRevokes_KeysTheServerAccepts()
    {
        // The CLI revokes in the database behind the server's back: without the key cache (Auth:KeyCacheSeconds) the
        // server sees it on the next request (with it, within the cache time; docs/security.md).
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Auth:Required"] = "true", ["Workers"] = "0", ["Auth:KeyCacheSeconds"] = "0" });
        var database = DatabaseOf(server);

        var (exit, output) = await CliAsync("keys", "create", "--role", "submitter", "--name", "scanner", "--tenant", "acme", "--database", database);
        Assert.True(exit == 0, output);
        var key = output.Split('\n')[0].Trim();
        Assert.Matches("^dfk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$", key);
        Assert.Contains("only time the key is shown", output);
        Assert.Contains("tenant acme", output);
        var prefix = key[..12];

        using var submitter = ClientWith(server, key);
        var upload = await submitter.PostAsync("api/v1/documents", ServerHarness.Form("file", ("a.png", [1, 2, 3])));
        Assert.NotEqual(HttpStatusCode.Unauthorized, upload.StatusCode);
        Assert.NotEqual(HttpStatusCode.Forbidden, upload.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await submitter.GetAsync("api/v1/dead-letters")).StatusCode);

        (exit, output) = await CliAsync("keys", "list", "--database", database);
        Assert.True(exit == 0, output);
        Assert.Contains(prefix, output);
        Assert.Contains("submitter", output);
        Assert.Contains("scanner", output);
        Assert.Contains("acme", output);
        Assert.DoesNotContain(key, output);
        // The key acts for its tenant: the upload above is acme's.
        var me = await submitter.GetFromJsonAsync<System.Text.Json.JsonElement>("api/v1/me");
        Assert.Equal("acme", me.GetProperty("tenant").GetString());

        (exit, output) = await CliAsync("keys", "revoke", prefix, "--database", database);
        Assert.True(exit == 0, output);
        Assert.Equal(HttpStatusCode.Unauthorized, (await submitter.GetAsync("api/v1/jobs")).StatusCode);
        (exit, output) = await CliAsync("keys", "list", "--database", database);
        Assert.Contains("revoked", output);

        (exit, output) = await CliAsync("keys", "revoke", prefix, "--database", database);
        Assert.NotEqual(0, exit);
        Assert.Contains("No active key", output);
        (exit, output) = await CliAsync("keys", "create", "--role", "root", "--database", database);
        Assert.NotEqual(0, exit);
        Assert.Contains("--role", output);
        (exit, output) = await CliAsync("keys", "create", "--role", "reader", "--tenant", "Acme Corp", "--database", database);
        Assert.NotEqual(0, exit);
        Assert.Contains("--tenant", output);
    }

    [Fact]
    public void VerifiedKeys_AcceptOnlyTheKeyThatMatchedItsStoredHash()
    {
        var verified = new DocFlow.Server.Security.VerifiedKeys();
        var (id, key) = DocFlow.Security.ApiKeyFormat.Generate();
        var hash = DocFlow.Security.ApiKeyFormat.Hash(key);
        var forged = key[..^4] + (key[^4..] == "AAAA" ? "BBBB" : "AAAA"); // same id, another secret

        Assert.False(verified.Matches(id, forged, hash));
        Assert.True(verified.Matches(id, key, hash));
        Assert.True(verified.Matches(id, key, hash)); // from memory now
        Assert.False(verified.Matches(id, forged, hash)); // a remembered key is no key for another secret
        var (_, other) = DocFlow.Security.ApiKeyFormat.Generate();
        Assert.False(verified.Matches(id, key, DocFlow.Security.ApiKeyFormat.Hash(other))); // the stored hash changed: checked afresh
    }

    [Fact]
    public async Task AKeyOnceAccepted_DoesNotOpenItsIdToAnotherSecret()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Auth:Required"] = "true", ["Workers"] = "0" });
        var store = server.Services.GetRequiredService<DocFlow.Security.IApiKeyStore>();
        var (_, key) = await DocFlow.Security.ApiKeys.CreateAsync(store, DocFlow.Security.Roles.Reader, "reader", DateTimeOffset.UtcNow, CancellationToken.None);
        using var good = ClientWith(server, key);
        Assert.Equal(HttpStatusCode.OK, (await good.GetAsync("api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await good.GetAsync("api/v1/me")).StatusCode);
        using var forged = ClientWith(server, key[..^4] + (key[^4..] == "AAAA" ? "BBBB" : "AAAA"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("api/v1/me")).StatusCode);
    }
}
