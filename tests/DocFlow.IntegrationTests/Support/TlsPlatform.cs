using System.Security.Cryptography;

namespace DocFlow.IntegrationTests.Support;

/// <summary>
/// The README's "Encrypted end to end" walk-through, step by step: a test CA and a server certificate, PostgreSQL with
/// ssl=on, Redis on TLS only with a password (rediss://), `docflow db migrate` and `docflow keys create --role admin`
/// run as processes against the TLS database (SSL Mode=VerifyFull with the CA), `docflow serve --workers 0` on HTTPS
/// with that certificate (in the test process, so the test can reach its services; HSTS on) requiring the key, and a
/// `docflow worker` process whose secrets come from the environment as the README exports them. Blobs and results are
/// sealed at rest with a key-encryption key from the environment.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TlsPlatform : IAsyncDisposable
{
    private PostgresServerFixture? _postgres;

    public required TestCertificates Certificates { get; init; }
    public required TlsRedisServer Redis { get; init; }
    /// <summary>The API's connection string: SSL Mode=Require (encrypted, the certificate not checked).</summary>
    public required string Database { get; init; }
    /// <summary>The README's connection string: SSL Mode=VerifyFull with the CA (the CLI and the worker use it).</summary>
    public required string VerifiedDatabase { get; init; }
    public required string Storage { get; init; }
    /// <summary>The admin key `docflow keys create` printed (first line of its output).</summary>
    public required string ApiKey { get; init; }
    public required ServerHarness Api { get; init; }
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
        ServerHarness? api = null;
        try
        {
            await postgres.InitializeAsync();
            redis = await TlsRedisServer.StartAsync(certificates, "redis-" + Guid.NewGuid().ToString("N"));
            var plainDatabase = await postgres.CreateDatabaseAsync(name);
            var database = plainDatabase + ";SSL Mode=Require";
            var verifiedDatabase = plainDatabase + $";SSL Mode=VerifyFull;Root Certificate={certificates.CaPath}";
            var storage = Repo.NewTempDirectory(name + "-blobs");
            var prefix = RedisServerFixture.NewPrefix(name);
            var kek = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            // README: REDIS="rediss://localhost:6380", the password and the CA from the environment.
            var redisUrl = $"rediss://localhost:{redis.Port}";
            var environment = new Dictionary<string, string>
            {
                ["DOCFLOW__Encryption__Keys__k1"] = kek,
                ["DOCFLOW__Queue__Redis__Password"] = redis.Password,
                ["DOCFLOW__Queue__Redis__CaCertificate"] = certificates.CaPath,
                ["DOCFLOW__Queue__Redis__KeyPrefix"] = prefix,
                ["DOCFLOW__Observability__MetricsPort"] = "0",
            };

            // ./docflow db migrate --database "$DB"; KEY=$(./docflow keys create --role admin --database "$DB" | head -1)
            var migrate = await Executables.RunAsync(Executables.Product, TimeSpan.FromMinutes(2), environment, "db", "migrate", "--database", verifiedDatabase);
            Assert.True(migrate.Exit == 0, "docflow db migrate: " + migrate.Output);
            var create = await Executables.RunAsync(Executables.Product, TimeSpan.FromMinutes(2), environment, "keys", "create", "--role", "admin", "--name", name, "--database", verifiedDatabase);
            Assert.True(create.Exit == 0, "docflow keys create: " + create.Output);
            var apiKey = create.Output.Split('\n')[0].Trim();
            Assert.StartsWith("dfk_", apiKey, StringComparison.Ordinal);

            // ./docflow serve --workers 0 --redis "$REDIS" --database "$DB" --storage … --urls https://… --cert server.pem --cert-key server.key
            // (Auth:Required stands for the non-loopback address: here it listens on 127.0.0.1 only.)
            api = await ServerHarness.StartAsync(new Dictionary<string, string?>
            {
                ["Workers"] = "0",
                ["Redis"] = redisUrl,
                ["Queue:Redis:Password"] = redis.Password,
                ["Queue:Redis:CaCertificate"] = certificates.CaPath,
                ["Queue:Redis:KeyPrefix"] = prefix,
                ["Database:ConnectionString"] = database,
                ["Storage"] = storage,
                ["Encryption:Keys:k1"] = kek,
                ["Auth:Required"] = "true",
                ["Kestrel:Certificates:Default:Path"] = certificates.CertPath,
                ["Kestrel:Certificates:Default:KeyPath"] = certificates.KeyPath,
            }, urls: "https://127.0.0.1:0", handler: certificates.CreateHandler());
            Assert.Equal("https", api.BaseAddress.Scheme);
            api.Client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);

            // ./docflow worker --redis "$REDIS" --database "$DB" --storage …
            var worker = WorkerProcess.Start(["--redis", redisUrl, "--database", verifiedDatabase, "--storage", storage, "--slots", "1"], environment);
            return new TlsPlatform
            {
                _postgres = postgres,
                Certificates = certificates,
                Redis = redis,
                Database = database,
                VerifiedDatabase = verifiedDatabase,
                Storage = storage,
                ApiKey = apiKey,
                Api = api,
                Worker = worker,
            };
        }
        catch
        {
            if (api is not null) await api.DisposeAsync();
            if (redis is not null) await redis.DisposeAsync();
            await postgres.DisposeAsync();
            certificates.Dispose();
            throw;
        }
    }

    /// <summary>Waits for the batch, with the worker's output in the failure when it does not complete.</summary>
    public async Task WaitForBatchAsync(string batchId, TimeSpan timeout)
    {
        try
        {
            await Api.WaitForBatchAsync(batchId, timeout);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\nworker output:\n{Worker.Output}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Worker.DisposeAsync();
        await Api.DisposeAsync();
        await Redis.DisposeAsync();
        if (_postgres is not null) await _postgres.DisposeAsync();
        try { Directory.Delete(Storage, true); } catch (IOException) { }
        Certificates.Dispose();
    }
}
