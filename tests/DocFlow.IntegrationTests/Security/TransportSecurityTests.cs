using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;
using DocFlow.Redis;
using Npgsql;
using StackExchange.Redis;

namespace DocFlow.IntegrationTests.Security;

/// <summary>
/// The distributed set-up with every hop encrypted, as the README's walk-through runs it (<see cref="TlsPlatform"/>, every
/// command a `docflow` process): `docflow serve --workers 0` on HTTPS beyond loopback (a certificate from a test CA,
/// HSTS) requiring the API key `docflow keys create` made, a `docflow worker`, Redis on TLS only with a password
/// (rediss://), PostgreSQL with ssl=on (SSL Mode=VerifyFull), encryption at rest with a key from the environment.
/// The clients trust the test CA and nothing else. Browser/TlsDashboardTests signs in to the dashboard on the same set-up.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TransportSecurityTests
{
    [Fact]
    public async Task DistributedPlatform_OverTlsEverywhere_ProcessesADocument()
    {
        await using var platform = await TlsPlatform.StartAsync("tls");
        var api = platform.Client;
        var certificates = platform.Certificates;
        var redis = platform.Redis;

        // Without a key: 401, over HTTPS, with HSTS.
        using (var anonymous = new HttpClient(certificates.CreateHandler()) { BaseAddress = platform.BaseAddress })
        {
            var refused = await anonymous.GetAsync("api/v1/jobs");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("max-age=31536000", refused.Headers.GetValues("Strict-Transport-Security").Single());
        }

        var pdf = UncompressedPdf.WithText("Transport MARKER7F3A");
        var upload = await api.PostAsync("api/v1/batches", ServerHarness.Form("files", ("tls.pdf", pdf)));
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var accepted = await upload.Content.ReadFromJsonAsync<JsonElement>();
        var batchId = accepted.GetProperty("batchId").GetString()!;
        var documentId = accepted.GetProperty("documents")[0].GetProperty("id").GetString()!;
        await platform.WaitForBatchAsync(batchId, TimeSpan.FromMinutes(10));
        var document = await api.GetFromJsonAsync<JsonElement>($"api/v1/documents/{documentId}");
        Assert.Equal("succeeded", document.GetProperty("status").GetString());
        Assert.Contains("MARKER7F3A", await api.GetStringAsync($"api/v1/documents/{documentId}/text"));

        // Each hop really was TLS: PostgreSQL says so for both connection strings, Redis answers only TLS clients.
        foreach (var connectionString in new[] { platform.Database, platform.VerifiedDatabase })
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", connection);
            Assert.True((bool)(await command.ExecuteScalarAsync())!);
        }
        var plainRedis = ConfigurationOptions.Parse($"127.0.0.1:{redis.Port},password={redis.Password},abortConnect=true,connectTimeout=2000");
        await Assert.ThrowsAsync<RedisConnectionException>(() => ConnectionMultiplexer.ConnectAsync(plainRedis));
        var noPassword = RedisConnection.Parse($"rediss://127.0.0.1:{redis.Port}", caCertificate: certificates.CaPath);
        noPassword.AbortOnConnectFail = true;
        await Assert.ThrowsAnyAsync<RedisException>(async () =>
        {
            await using var c = await ConnectionMultiplexer.ConnectAsync(noPassword);
            await c.GetDatabase().StringGetAsync("x");
        });
        // And what the worker wrote is sealed at rest.
        foreach (var file in Directory.EnumerateFiles(platform.Storage, "*", SearchOption.AllDirectories))
            Assert.Equal(-1, (await File.ReadAllBytesAsync(file)).AsSpan().IndexOf("MARKER7F3A"u8));
    }
}
