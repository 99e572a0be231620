using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;

namespace DocFlow.IntegrationTests.Support;

/// <summary>
/// Where Redis is for the tests: <c>DOCFLOW_TEST_REDIS</c> (host:port) if set, else a redis-server this process starts
/// on a free loopback port and stops when the last fixture is disposed. Shared by every test class, so classes run in
/// parallel against one server; each test uses its own key prefix. A missing redis-server fails the tests (never skips).
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static int _users;
    private static RedisServer? _shared;
    private static ConnectionMultiplexer? _connection;

    public string Endpoint { get; private set; } = "";
    public IConnectionMultiplexer Connection => _connection ?? throw new InvalidOperationException("Fixture not initialised.");

    public async Task InitializeAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_users++ == 0)
            {
                var external = Environment.GetEnvironmentVariable("DOCFLOW_TEST_REDIS");
                string endpoint;
                if (string.IsNullOrWhiteSpace(external))
                {
                    _shared = await RedisServer.StartAsync(appendOnly: false);
                    endpoint = _shared.Endpoint;
                }
                else
                {
                    endpoint = external.Trim();
                }
                _connection = await Connect(endpoint);
            }
            Endpoint = _connection!.Configuration.Split(',')[0];
        }
        finally
        {
            Gate.Release();
        }
    }

    public async Task DisposeAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (--_users > 0) return;
            if (_connection is not null) await _connection.DisposeAsync();
            _connection = null;
            if (_shared is not null) await _shared.DisposeAsync();
            _shared = null;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A key prefix no other test uses.</summary>
    public static string NewPrefix(string test) => $"test:{test}:{Guid.NewGuid():N}";

    public static Task<ConnectionMultiplexer> Connect(string endpoint) =>
        ConnectionMultiplexer.ConnectAsync($"{endpoint},abortConnect=false,connectTimeout=3000,syncTimeout=5000,asyncTimeout=5000");
}

/// <summary>A redis-server child process on a loopback port, stoppable and restartable on the same port.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly bool _appendOnly;
    private readonly string _dir;
    private Process? _process;

    private RedisServer(int port, bool appendOnly)
    {
        Port = port;
        _appendOnly = appendOnly;
        _dir = Repo.NewTempDirectory("redis");
    }

    public int Port { get; }
    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>Starts a server on a free port; with <paramref name="appendOnly"/> its data survives a restart.</summary>
    public static async Task<RedisServer> StartAsync(bool appendOnly)
    {
        var server = new RedisServer(Ports.Free(), appendOnly);
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo(FindBinary())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _dir,
        };
        foreach (var arg in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--dir", _dir,
                     "--appendonly", _appendOnly ? "yes" : "no", "--appendfsync", "always", "--daemonize", "no" })
            start.ArgumentList.Add(arg);
        var output = new StringBuilder();
        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(1))
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"redis-server exited with {_process.ExitCode}: {output}");
            if (await SendAsync("PING") is { } reply && reply.StartsWith("+PONG", StringComparison.Ordinal)) return;
            await Task.Delay(20);
        }
        throw new InvalidOperationException($"redis-server on port {Port} did not answer PING within a minute: {output}");
    }

    /// <summary>Stops the server as an operator would (SHUTDOWN: the append-only file is flushed).</summary>
    public async Task StopAsync()
    {
        if (_process is null || _process.HasExited) return;
        await SendAsync("SHUTDOWN");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }
        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }
        _process?.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private async Task<string?> SendAsync(string command)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"));
            var buffer = new byte[64];
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var n = await stream.ReadAsync(buffer, cts.Token);
            return Encoding.ASCII.GetString(buffer, 0, n);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return null;
        }
    }

    private static string FindBinary()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/sbin"))
        {
            var candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException(
            "redis-server was not found on PATH. Install it (apt-get install redis-server; ./test.sh does) " +
            "or set DOCFLOW_TEST_REDIS=host:port to use a running Redis. Redis tests fail rather than skip without it.");
    }

}
