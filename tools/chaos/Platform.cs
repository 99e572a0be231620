using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace DocFlow.Chaos;

/// <summary>
/// The distributed platform on loopback, as an operator runs it: redis-server with AOF (appendonly yes), a PostgreSQL
/// cluster of its own (initdb + pg_ctl, as the postgres user when root), s3rver (tools/s3rver) as blob storage, one
/// `docflow serve --workers 0` (API, ingest, recovery) and N `docflow worker` processes. Every part can be killed and
/// started again on the same port and data.
/// </summary>
internal sealed class Platform : IAsyncDisposable
{
    public const string Bucket = "docflow-chaos";
    private readonly string _work;
    private readonly Dictionary<string, string> _env;
    private readonly List<string> _common;
    private readonly int _slots;
    private readonly Action<string> _say;
    private Child? _redis;
    private Child? _s3;
    private Child? _serve;
    private readonly Child?[] _workers;
    private int _workerStarts;

    private Platform(string work, int workers, int slots, Action<string> say, IDictionary<string, string> settings)
    {
        _work = work;
        _slots = slots;
        _say = say;
        _workers = new Child?[workers];
        RedisPort = FreePort();
        PgPort = FreePort();
        S3Port = FreePort();
        ApiPort = FreePort();
        PgRoot = Path.Combine(work, "pg");
        Database = $"Host=127.0.0.1;Port={PgPort};Username=postgres;Database=docflow;Timeout=5;Maximum Pool Size=20";
        _env = new Dictionary<string, string>
        {
            ["OMP_THREAD_LIMIT"] = "1",
            ["MALLOC_ARENA_MAX"] = "2",
            ["DOCFLOW__DataDirectory"] = Path.Combine(work, "data"),
            ["DOCFLOW__S3ServiceUrl"] = $"http://127.0.0.1:{S3Port}",
            ["DOCFLOW__S3AccessKey"] = "S3RVER",
            ["DOCFLOW__S3SecretKey"] = "S3RVER",
            ["DOCFLOW__S3Region"] = "us-east-1",
            ["DOCFLOW__Database__MigrateOnStartup"] = "true",
        };
        foreach (var (k, v) in settings) _env["DOCFLOW__" + k.Replace(":", "__", StringComparison.Ordinal)] = v;
        _common = ["--redis", $"127.0.0.1:{RedisPort}", "--database", Database, "--storage", $"s3://{Bucket}/chaos"];
    }

    public int RedisPort { get; }
    public int PgPort { get; }
    public int S3Port { get; }
    public int ApiPort { get; }
    public string PgRoot { get; }
    public string Database { get; }
    public Uri Api => new($"http://127.0.0.1:{ApiPort}/");
    public int WorkerStarts => _workerStarts;
    public Child Serve => _serve ?? throw new InvalidOperationException("serve is not running");
    public IReadOnlyList<Child?> Workers => _workers;

    /// <param name="settings">Product settings for the API and every worker (configuration keys, e.g. <c>RateLimit:UploadsPerMinute</c>).</param>
    public static async Task<Platform> StartAsync(string work, int workers, int slots, IDictionary<string, string> settings, Action<string> say, CancellationToken ct)
    {
        Directory.CreateDirectory(work);
        var platform = new Platform(work, workers, slots, say, settings);
        try
        {
            await platform.StartRedisAsync(ct);
            await platform.InitPostgresAsync(ct);
            await platform.StartPostgresAsync(ct);
            await platform.CreateDatabaseAsync(ct);
            await platform.StartS3Async(ct);
            await platform.StartServeAsync(ct);
            for (var i = 0; i < workers; i++) await platform.StartWorkerAsync(i, wait: true, ct);
            return platform;
        }
        catch
        {
            await platform.DisposeAsync();
            throw;
        }
    }

    // ---------------------------------------------------------------- Redis

    public async Task StartRedisAsync(CancellationToken ct)
    {
        var binary = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
            ?? throw new ChaosException("redis-server is not installed: apt-get install redis-server");
        var dir = Path.Combine(_work, "redis");
        Directory.CreateDirectory(dir);
        _redis = Child.Start("redis-server", binary,
            ["--port", $"{RedisPort}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "everysec",
             "--dir", dir, "--daemonize", "no", "--loglevel", "warning"], Path.Combine(_work, "redis.log"));
        await WaitForPortAsync(RedisPort, _redis, TimeSpan.FromSeconds(30), ct);
    }

    /// <summary>Stops Redis (SIGTERM: it writes its append-only file and exits), waits, starts it again on the same data.</summary>
    public async Task RestartRedisAsync(TimeSpan down, CancellationToken ct)
    {
        if (_redis is not null) await _redis.DisposeAsync();
        await Task.Delay(down, ct);
        await StartRedisAsync(ct);
    }

    // ---------------------------------------------------------------- PostgreSQL

    private static bool IsRoot => Environment.UserName == "root";

    private async Task InitPostgresAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(PgRoot);
        if (IsRoot) await RunAsync("chown", ["-R", "postgres:postgres", PgRoot], asPostgres: false, ct);
        await RunAsync(Path.Combine(PgBin(), "initdb"),
            ["-D", Path.Combine(PgRoot, "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C"], asPostgres: true, ct);
    }

    public async Task StartPostgresAsync(CancellationToken ct)
    {
        await RunAsync(Path.Combine(PgBin(), "pg_ctl"),
            ["-D", Path.Combine(PgRoot, "data"), "-l", Path.Combine(PgRoot, "server.log"), "-w", "-t", "120",
             "-o", $"-p {PgPort} -k {PgRoot} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start"], asPostgres: true, ct);
        NpgsqlConnection.ClearAllPools(); // this process's pooled connections died with the server
    }

    private async Task CreateDatabaseAsync(CancellationToken ct)
    {
        var admin = new NpgsqlConnectionStringBuilder(Database) { Database = "postgres" }.ConnectionString;
        await using var conn = new NpgsqlConnection(admin);
        await conn.OpenAsync(ct);
        await using var create = new NpgsqlCommand("CREATE DATABASE docflow", conn);
        await create.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Stops PostgreSQL as a crash would (pg_ctl -m immediate: no checkpoint, WAL recovery at the next start),
    /// waits, starts it again on the same data.</summary>
    public async Task RestartPostgresAsync(TimeSpan down, CancellationToken ct)
    {
        await StopPostgresAsync("immediate", ct);
        await Task.Delay(down, ct);
        await StartPostgresAsync(ct);
    }

    private Task StopPostgresAsync(string mode, CancellationToken ct) =>
        RunAsync(Path.Combine(PgBin(), "pg_ctl"), ["-D", Path.Combine(PgRoot, "data"), "-m", mode, "-w", "stop"], asPostgres: true, ct);

    private static string PgBin()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("DOCFLOW_TEST_PG_BIN") is { Length: > 0 } configured) candidates.Add(configured);
        if (Directory.Exists("/usr/lib/postgresql"))
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries));
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
            ?? throw new ChaosException("PostgreSQL server binaries (initdb, pg_ctl) were not found: apt-get install postgresql");
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> args, bool asPostgres, CancellationToken ct)
    {
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asPostgres && IsRoot)
        {
            psi.FileName = "runuser"; // initdb and postgres refuse to run as root
            foreach (var a in (string[])["-u", "postgres", "--", file]) psi.ArgumentList.Add(a);
        }
        else
        {
            psi.FileName = file;
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new ChaosException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
            throw new ChaosException($"{Path.GetFileName(file)} {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr}{await stdout}");
    }

    // ---------------------------------------------------------------- S3

    private async Task StartS3Async(CancellationToken ct)
    {
        var bin = Path.Combine(RepoRoot(), "tools", "s3rver", "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(bin)) throw new ChaosException($"s3rver is not installed at {bin}: npm ci --prefix tools/s3rver (./test.sh does)");
        var dir = Path.Combine(_work, "s3");
        Directory.CreateDirectory(dir);
        _s3 = Child.Start("s3rver", "node", [bin, "--directory", dir, "--address", "127.0.0.1", "--port", $"{S3Port}", "--configure-bucket", Bucket, "--silent"],
            Path.Combine(_work, "s3rver.log"));
        await WaitForPortAsync(S3Port, _s3, TimeSpan.FromSeconds(30), ct);
    }

    // ---------------------------------------------------------------- docflow

    private async Task StartServeAsync(CancellationToken ct)
    {
        _serve = StartProduct("serve", ["serve", "--urls", $"http://127.0.0.1:{ApiPort}", "--workers", "0", .. _common]);
        using var http = new HttpClient { BaseAddress = Api, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_serve.HasExited) throw new ChaosException($"docflow serve exited with {_serve.ExitCode}:\n{_serve.Tail()}");
            try
            {
                using var r = await http.GetAsync("readyz", ct);
                if (r.StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                // not listening yet
            }
            if (clock.Elapsed > TimeSpan.FromMinutes(2)) throw new ChaosException($"docflow serve not ready after 2 minutes:\n{_serve.Tail()}");
            await Task.Delay(200, ct);
        }
    }

    public async Task StartWorkerAsync(int index, bool wait, CancellationToken ct)
    {
        var n = Interlocked.Increment(ref _workerStarts);
        var worker = StartProduct($"worker-{index}-{n}", ["worker", "--slots", _slots.ToString(CultureInfo.InvariantCulture), "--metrics-port", "0", .. _common]);
        _workers[index] = worker;
        if (wait) await worker.WaitForLineAsync("Worker started", TimeSpan.FromMinutes(2), ct);
    }

    /// <summary>SIGKILLs worker <paramref name="index"/> (mid-document, no clean-up) and starts a new one in its place.</summary>
    public async Task KillWorkerAsync(int index, TimeSpan down, CancellationToken ct)
    {
        var worker = _workers[index];
        if (worker is not null)
        {
            worker.Kill();
            await worker.WaitForExitAsync(ct);
            await worker.DisposeAsync();
        }
        await Task.Delay(down, ct);
        await StartWorkerAsync(index, wait: false, ct);
    }

    /// <summary>
    /// SIGKILLs the engine hosts of the workers (`docflow engine-host` child processes, issue 12's sandbox), if the build
    /// has them: any process whose command line holds <c>engine-host</c> and whose parent chain reaches one of this
    /// run's workers. Returns how many were killed (0 without sandboxed engines).
    /// </summary>
    public int KillEngineHosts(Random random, int max)
    {
        var workers = _workers.Where(w => w is { HasExited: false }).Select(w => w!.Id).ToHashSet();
        var hosts = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (!cmdline.Contains("engine-host", StringComparison.Ordinal)) continue;
                if (DescendsFrom(pid, workers)) hosts.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // gone
            }
        }
        var chosen = hosts.OrderBy(_ => random.Next()).Take(max).ToList();
        foreach (var pid in chosen) Child.Signal(pid, "KILL");
        return chosen.Count;
    }

    private static bool DescendsFrom(int pid, HashSet<int> ancestors)
    {
        for (var i = 0; i < 8 && pid > 1; i++)
        {
            var parent = ParentOf(pid);
            if (parent is null) return false;
            if (ancestors.Contains(parent.Value)) return true;
            pid = parent.Value;
        }
        return false;
    }

    private static int? ParentOf(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("PPid:", StringComparison.Ordinal))
                return int.Parse(line.AsSpan(5).Trim(), CultureInfo.InvariantCulture);
        return null;
    }

    private Child StartProduct(string name, string[] args)
    {
        var (file, prefix) = ProductBinary();
        return Child.Start(name, file, [.. prefix, .. args], Path.Combine(_work, $"{name}.log"), _env);
    }

    /// <summary>The product's `docflow`: DOCFLOW_BIN, else docflow.dll beside this tool (the integration tests' output
    /// folder), else the CLI's Release build in this clone.</summary>
    public static (string File, string[] Prefix) ProductBinary()
    {
        if (Environment.GetEnvironmentVariable("DOCFLOW_BIN") is { Length: > 0 } given)
            return File.Exists(given) ? (Path.GetFullPath(given), []) : throw new ChaosException($"DOCFLOW_BIN={given}: no such file");
        var dll = Path.Combine(AppContext.BaseDirectory, "docflow.dll");
        if (File.Exists(dll)) return ("dotnet", [dll]);
        var built = Path.Combine(RepoRoot(), "src", "DocFlow.Cli", "bin", "Release", "net10.0", "docflow");
        return File.Exists(built) ? (built, []) : throw new ChaosException("the docflow executable was not found: run through ./docflow chaos, or set DOCFLOW_BIN");
    }

    public static string RepoRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "DocFlow.slnx"))) return dir.FullName;
        throw new ChaosException("the DocFlow clone (DocFlow.slnx) was not found above the tool or the working folder");
    }

    private static async Task WaitForPortAsync(int port, Child process, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited) throw new ChaosException($"{process.Name} exited with {process.ExitCode}:\n{process.Tail()}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, ct);
                return;
            }
            catch (SocketException) when (clock.Elapsed < timeout)
            {
                await Task.Delay(50, ct);
            }
        }
    }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var w in _workers)
            if (w is not null) await w.DisposeAsync();
        if (_serve is not null) await _serve.DisposeAsync();
        if (_s3 is not null) await _s3.DisposeAsync();
        if (_redis is not null) await _redis.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        if (Directory.Exists(Path.Combine(PgRoot, "data", "base")))
        {
            try
            {
                await StopPostgresAsync("immediate", CancellationToken.None);
            }
            catch (ChaosException)
            {
                // not running
            }
        }
        _say($"logs and data: {_work}");
    }
}
