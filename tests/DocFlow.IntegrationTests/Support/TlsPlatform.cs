using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;

namespace DocFlow.IntegrationTests.Support;

/// <summary>
/// The README's "Encrypted end to end" walk-through, command by command, each a real `docflow` process: a test CA and a
/// server certificate (SANs localhost, 127.0.0.1), PostgreSQL with ssl=on, Redis on TLS only with a password; the
/// secrets exported as the README exports them (DOCFLOW__Encryption__Keys__…, DOCFLOW__Queue__Redis__Password and
/// __CaCertificate); `docflow db migrate` and `docflow keys create --role admin` against the TLS database (SSL
/// Mode=VerifyFull with the CA); `docflow serve --workers 0 --redis rediss://localhost:P --urls https://0.0.0.0:P --cert
/// server.pem --cert-key server.key` (beyond loopback, so it requires a key and starts because the admin key exists);
/// a `docflow worker` on the same Redis, database and storage. Clients reach the API at https://localhost:P with the key,
/// trusting the test CA only.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TlsPlatform : IAsyncDisposable
{
    private PostgresServerFixture? _postgres;
    private string? _data;

    public required TestCertificates Certificates { get; init; }
    public required TlsRedisServer Redis { get; init; }
    /// <summary>A connection string with SSL Mode=Require (encrypted, the certificate not checked).</summary>
    public required string Database { get; init; }
    /// <summary>The README's connection string: SSL Mode=VerifyFull with the CA (what every `docflow` command here uses).</summary>
    public required string VerifiedDatabase { get; init; }
    public required string Storage { get; init; }
    /// <summary>The admin key `docflow keys create` printed (first line of its output).</summary>
    public required string ApiKey { get; init; }
    /// <summary>https://localhost:P/, as the README's curl line reaches the API.</summary>
    public required Uri BaseAddress { get; init; }
    /// <summary>An HTTPS client that trusts the test CA only and sends <see cref="ApiKey"/> as X-Api-Key.</summary>
    public required HttpClient Client { get; init; }
    public required WorkerProcess Server { get; init; }
    public required WorkerProcess Worker { get; init; }

    public static async Task<TlsPlatform> StartAsync(string name)
    {
        var certificates = new TestCertificates();
        var postgres = new PostgresServerFixture
        {
            AlwaysOwnServer = true,
            ServerOptions = $"-c ssl=on -c ssl_cert_file={certificates.CertPath} -c ssl_key_file={certificates.PostgresKeyPath}",
        };
        TlsRedisServer? redis = null;
        WorkerProcess? server = null;
        var data = Repo.NewTempDirectory(name + "-data");
        try
        {
            await postgres.InitializeAsync();
            redis = await TlsRedisServer.StartAsync(certificates, "redis-" + Guid.NewGuid().ToString("N"));
            var plainDatabase = await postgres.CreateDatabaseAsync(name);
            var storage = Repo.NewTempDirectory(name + "-blobs");
            // export DOCFLOW__Encryption__Keys__k2026=…; export DOCFLOW__Queue__Redis__Password=… DOCFLOW__Queue__Redis__CaCertificate=…
            var environment = new Dictionary<string, string>
            {
                ["DOCFLOW__Encryption__Keys__k1"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                ["DOCFLOW__Queue__Redis__Password"] = redis.Password,
                ["DOCFLOW__Queue__Redis__CaCertificate"] = certificates.CaPath,
                // Not in the README (one platform per machine there): this test's own Redis keys and data folder,
                // and no fixed metrics port (tests run side by side).
                ["DOCFLOW__Queue__Redis__KeyPrefix"] = RedisServerFixture.NewPrefix(name),
                ["DOCFLOW__DataDirectory"] = data,
                ["DOCFLOW__Observability__MetricsPort"] = "0",
            };
            // REDIS="rediss://localhost:6380"; DB="…;SSL Mode=VerifyFull;Root Certificate=$PWD/ca.pem"
            var redisUrl = $"rediss://localhost:{redis.Port}";
            var database = plainDatabase + $";SSL Mode=VerifyFull;Root Certificate={certificates.CaPath}";

            // ./docflow db migrate --database "$DB"; KEY=$(./docflow keys create --role admin --database "$DB" | head -1)
            var migrate = await Executables.RunAsync(Executables.Product, TimeSpan.FromMinutes(2), environment, "db", "migrate", "--database", database);
            Assert.True(migrate.Exit == 0, "docflow db migrate: " + migrate.Output);
            var create = await Executables.RunAsync(Executables.Product, TimeSpan.FromMinutes(2), environment, "keys", "create", "--role", "admin", "--name", name, "--database", database);
            Assert.True(create.Exit == 0, "docflow keys create: " + create.Output);
            var apiKey = create.Output.Split('\n')[0].Trim();
            Assert.StartsWith("dfk_", apiKey, StringComparison.Ordinal);

            // ./docflow serve --workers 0 --redis "$REDIS" --database "$DB" --storage … --urls https://0.0.0.0:8443 --cert server.pem --cert-key server.key &
            var port = Ports.Free();
            server = WorkerProcess.Start("serve", ["--workers", "0", "--redis", redisUrl, "--database", database, "--storage", storage,
                "--urls", $"https://0.0.0.0:{port}", "--cert", certificates.CertPath, "--cert-key", certificates.KeyPath], environment);
            var baseAddress = new Uri($"https://localhost:{port}/");
            var client = new HttpClient(certificates.CreateHandler()) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
            await WaitUntilServingAsync(client, server);
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);

            // ./docflow worker --redis "$REDIS" --database "$DB" --storage … &
            var worker = WorkerProcess.Start(["--redis", redisUrl, "--database", database, "--storage", storage, "--slots", "1"], environment);
            return new TlsPlatform
            {
                _postgres = postgres,
                _data = data,
                Certificates = certificates,
                Redis = redis,
                Database = plainDatabase + ";SSL Mode=Require",
                VerifiedDatabase = database,
                Storage = storage,
                ApiKey = apiKey,
                BaseAddress = baseAddress,
                Client = client,
                Server = server,
                Worker = worker,
            };
        }
        catch
        {
            if (server is not null) await server.DisposeAsync();
            if (redis is not null) await redis.DisposeAsync();
            await postgres.DisposeAsync();
            certificates.Dispose();
            throw;
        }
    }

    private static async Task WaitUntilServingAsync(HttpClient client, WorkerProcess server)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (server.HasExited) throw new InvalidOperationException($"docflow serve exited with {server.ExitCode}:\n{server.Output}");
            try
            {
                using var response = await client.GetAsync("healthz");
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) when (clock.Elapsed < TimeSpan.FromMinutes(1))
            {
            }
            if (clock.Elapsed > TimeSpan.FromMinutes(1)) throw new TimeoutException($"docflow serve did not answer on HTTPS within a minute:\n{server.Output}");
            await Task.Delay(200);
        }
    }

    /// <summary>Polls the batch until it is completed; the worker's and the server's output in the failure otherwise.</summary>
    public async Task WaitForBatchAsync(string batchId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var batch = await Client.GetFromJsonAsync<JsonElement>($"api/v1/batches/{batchId}");
            if (batch.GetProperty("status").GetString() == "completed") return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"batch {batchId} not completed: {batch}\nworker output:\n{Worker.Output}\nserver output:\n{Server.Output}");
            await Task.Delay(200);
        }
    }


    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Worker.DisposeAsync();
        await Server.DisposeAsync();
        await Redis.DisposeAsync();
        if (_postgres is not null) await _postgres.DisposeAsync();
        foreach (var dir in new[] { Storage, _data })
            if (dir is not null) try { Directory.Delete(dir, true); } catch (IOException) { }
        Certificates.Dispose();
    }
}
