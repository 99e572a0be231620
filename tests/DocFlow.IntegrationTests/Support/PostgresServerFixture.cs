using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace DocFlow.IntegrationTests.Support;

/// <summary>A real PostgreSQL server: <c>DOCFLOW_TEST_POSTGRES</c> (a connection string with rights to create
/// databases) when set, else a throw-away cluster of its own (initdb + pg_ctl, as the postgres user when root).</summary>
/// <remarks>A missing server or missing binaries fail the tests with a message saying what to install; they never skip.
/// Every test takes its own database from <see cref="CreateDatabaseAsync"/>, so classes run in parallel.</remarks>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    public const string EnvironmentVariable = "DOCFLOW_TEST_POSTGRES";
    public const string BinEnvironmentVariable = "DOCFLOW_TEST_PG_BIN";

    private string? _root;
    private string? _bin;
    private int _port;

    /// <summary>Start a cluster of its own even when <c>DOCFLOW_TEST_POSTGRES</c> is set (tests that stop the server).</summary>
    public bool AlwaysOwnServer { get; init; }

    /// <summary>More server settings for the fixture's own cluster, e.g. <c>-c ssl=on -c ssl_cert_file=…</c>.</summary>
    public string ServerOptions { get; init; } = "";

    /// <summary>Connection string to the maintenance database (postgres), as a superuser.</summary>
    public string AdminConnectionString { get; private set; } = "";

    public bool OwnsServer => _root is not null;

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!AlwaysOwnServer && !string.IsNullOrWhiteSpace(external))
        {
            AdminConnectionString = external;
            await using var conn = new NpgsqlConnection(external);
            try
            {
                await conn.OpenAsync();
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"{EnvironmentVariable} is set but PostgreSQL cannot be reached with it: {e.Message}", e);
            }
            return;
        }

        _bin = FindBinaries();
        _root = Path.Combine(Path.GetTempPath(), "docflow-tests", $"pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_root);
        if (IsRoot) await RunAsync("chown", ["-R", "postgres:postgres", _root], asPostgres: false);
        await RunAsync(Path.Combine(_bin, "initdb"),
            ["-D", DataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C"], asPostgres: true);
        _port = Ports.Free();
        AdminConnectionString = $"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres;Timeout=5;Maximum Pool Size=20";
        await StartAsync();
    }

    /// <summary>Creates an empty database and returns a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)].ToLowerInvariant();
        await using (var conn = new NpgsqlConnection(AdminConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, MaxPoolSize = 30 }.ConnectionString;
    }

    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var conn = new NpgsqlConnection(AdminConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", conn);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Starts the fixture's own server (again), waiting until it accepts connections.</summary>
    public Task StartAsync() => RunAsync(Path.Combine(Bin, "pg_ctl"),
        ["-D", DataDir, "-l", Path.Combine(_root!, "server.log"), "-w", "-t", "120",
         "-o", $"-p {_port} -k {_root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300 {ServerOptions}",
         "start"], asPostgres: true);

    /// <summary>Stops the fixture's own server (fast shutdown: clients are disconnected).</summary>
    public Task StopAsync() => RunAsync(Path.Combine(Bin, "pg_ctl"), ["-D", DataDir, "-m", "fast", "-w", "stop"], asPostgres: true);

    public async Task DisposeAsync()
    {
        if (_root is null) return;
        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunAsync(Path.Combine(Bin, "pg_ctl"), ["-D", DataDir, "-m", "immediate", "-w", "stop"], asPostgres: true);
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }
        Directory.Delete(_root, recursive: true);
    }

    private string DataDir => Path.Combine(_root ?? throw NotOwned(), "data");

    private string Bin => _bin ?? throw NotOwned();

    private static InvalidOperationException NotOwned() =>
        new("This fixture uses the server named by " + EnvironmentVariable + "; it cannot start or stop it. Use AlwaysOwnServer.");

    private static bool IsRoot => Environment.UserName == "root";

    private static string FindBinaries()
    {
        var configured = Environment.GetEnvironmentVariable(BinEnvironmentVariable);
        var candidates = new List<string>();
        if (!string.IsNullOrWhiteSpace(configured)) candidates.Add(configured);
        if (Directory.Exists("/usr/lib/postgresql"))
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries));
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
            ?? throw new InvalidOperationException(
                "PostgreSQL server binaries (initdb, pg_ctl) were not found in /usr/lib/postgresql/*/bin, " + BinEnvironmentVariable +
                " or PATH. Install them (apt-get install postgresql) or set " + EnvironmentVariable + " to a connection string.");
    }


    private static async Task RunAsync(string file, IReadOnlyList<string> args, bool asPostgres)
    {
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asPostgres && IsRoot)
        {
            // initdb and postgres refuse to run as root.
            psi.FileName = "runuser";
            foreach (var a in (string[])["-u", "postgres", "--", file]) psi.ArgumentList.Add(a);
        }
        else
        {
            psi.FileName = file;
        }
        foreach (var a in args) psi.ArgumentList.Add(a);

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr}{await stdout}");
    }
}
