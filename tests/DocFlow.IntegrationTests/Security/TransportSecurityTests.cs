using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DocFlow.IntegrationTests.Support;
using DocFlow.Redis;
using Npgsql;
using StackExchange.Redis;

namespace DocFlow.IntegrationTests.Security;

/// <summary>
/// The distributed set-up with every hop encrypted, as the README's walk-through runs it: `docflow serve --workers 0`
/// on HTTPS (a certificate from a test CA, HSTS) requiring an API key, a `docflow worker` process, Redis on TLS only
/// with a password (rediss://), PostgreSQL with ssl=on (SSL Mode=Require for the API, VerifyFull for the worker),
/// encryption at rest with a key from the environment. The clients trust the test CA and nothing else.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TransportSecurityTests
{
    [Fact]
    public async Task DistributedPlatform_OverTlsEverywhere_ProcessesADocument()
    {
        using var certificates = new TestCertificates();
        var postgres = new PostgresServerFixture
        {
            AlwaysOwnServer = true,
            ServerOptions = $"-c ssl=on -c ssl_cert_file={certificates.CertPath} -c ssl_key_file={certificates.PostgresKeyPath}",
        };
        await postgres.InitializeAsync();
        try
        {
            await using var redis = await TlsRedisServer.StartAsync(certificates, "redis-" + Guid.NewGuid().ToString("N"));
            var plainDatabase = await postgres.CreateDatabaseAsync("tls");
            var database = plainDatabase + ";SSL Mode=Require";
            var verifiedDatabase = plainDatabase + $";SSL Mode=VerifyFull;Root Certificate={certificates.CaPath}";
            var storage = Repo.NewTempDirectory("tls-blobs");
            var prefix = RedisServerFixture.NewPrefix("tls");
            var kek = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            var apiKey = "dfk_tls00001_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

            await using var api = await ServerHarness.StartAsync(new Dictionary<string, string?>
            {
                ["Workers"] = "0",
                ["Redis"] = redis.Url,
                ["Queue:Redis:CaCertificate"] = certificates.CaPath,
                ["Queue:Redis:KeyPrefix"] = prefix,
                ["Database:ConnectionString"] = database,
                ["Database:MigrateOnStartup"] = "true",
                ["Storage"] = storage,
                ["Encryption:Keys:k1"] = kek,
                ["Auth:Required"] = "true",
                ["Auth:BootstrapKeyHash"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey))),
                ["Kestrel:Certificates:Default:Path"] = certificates.CertPath,
                ["Kestrel:Certificates:Default:KeyPath"] = certificates.KeyPath,
            }, urls: "https://127.0.0.1:0", handler: certificates.CreateHandler());
            Assert.Equal("https", api.BaseAddress.Scheme);
            api.Client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);

            // The worker: another process, its secrets from the environment as a Kubernetes Secret would give them.
            await using var worker = WorkerProcess.Start(
                ["--redis", redis.Url.Replace(":" + Uri.EscapeDataString(redis.Password) + "@", "", StringComparison.Ordinal), "--database", verifiedDatabase, "--storage", storage, "--slots", "1"],
                new Dictionary<string, string>
                {
                    ["DOCFLOW__Queue__Redis__Password"] = redis.Password,
                    ["DOCFLOW__Queue__Redis__CaCertificate"] = certificates.CaPath,
                    ["DOCFLOW__Queue__Redis__KeyPrefix"] = prefix,
                    ["DOCFLOW__Encryption__Keys__k1"] = kek,
                    ["DOCFLOW__Observability__MetricsPort"] = "0",
                });

            // Without a key: 401, over HTTPS, with HSTS.
            using (var anonymous = new HttpClient(certificates.CreateHandler()) { BaseAddress = api.BaseAddress })
            {
                var refused = await anonymous.GetAsync("api/v1/jobs");
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
                Assert.Equal("max-age=31536000", refused.Headers.GetValues("Strict-Transport-Security").Single());
            }

            var pdf = UncompressedPdf.WithText("Transport MARKER7F3A");
            var upload = await api.Client.PostAsync("api/v1/batches", ServerHarness.Form("files", ("tls.pdf", pdf)));
            Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
            var accepted = await upload.Content.ReadFromJsonAsync<JsonElement>();
            var batchId = accepted.GetProperty("batchId").GetString()!;
            var documentId = accepted.GetProperty("documents")[0].GetProperty("id").GetString()!;
            try
            {
                await api.WaitForBatchAsync(batchId, TimeSpan.FromMinutes(3));
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message}\nworker output:\n{worker.Output}", e);
            }
            var document = await api.Client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{documentId}");
            Assert.Equal("succeeded", document.GetProperty("status").GetString());
            Assert.Contains("MARKER7F3A", await api.Client.GetStringAsync($"api/v1/documents/{documentId}/text"));

            // Each hop really was TLS: PostgreSQL says so for both connection strings, Redis answers only TLS clients.
            foreach (var connectionString in new[] { database, verifiedDatabase })
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
            foreach (var file in Directory.EnumerateFiles(storage, "*", SearchOption.AllDirectories))
                Assert.Equal(-1, (await File.ReadAllBytesAsync(file)).AsSpan().IndexOf("MARKER7F3A"u8));
        }
        finally
        {
            await postgres.DisposeAsync();
        }
    }
}
