using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace DocFlow.Tools.Bench;

/// <summary>A redis-server of the bench's own on a free loopback port, without persistence; stopped and its folder
/// removed on dispose.</summary>
internal sealed class LoopbackRedis : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly string _dir;

    private LoopbackRedis(ChildProcess process, string dir, int port, ConnectionMultiplexer connection)
    {
        _process = process;
        _dir = dir;
        Port = port;
        Connection = connection;
    }

    public int Port { get; }
    public string Endpoint => $"127.0.0.1:{Port}";
    public ConnectionMultiplexer Connection { get; }

    /// <summary>A new connection of its own (separate producers and consumers do not share a socket).</summary>
    public Task<ConnectionMultiplexer> ConnectAsync() => ConnectionMultiplexer.ConnectAsync(ConnectionString(Endpoint));

    public static string ConnectionString(string endpoint) => $"{endpoint},abortConnect=false,connectTimeout=5000,syncTimeout=10000,asyncTimeout=10000";

    public static async Task<LoopbackRedis> StartAsync(string work, CancellationToken ct)
    {
        var binary = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
            ?? throw new ToolException("redis-server is not installed: apt-get install redis-server");
        var port = FreePort();
        var dir = Path.Combine(work, $"redis-{port}");
        Directory.CreateDirectory(dir);
        var process = ChildProcess.Start(binary, ["--port", $"{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", dir, "--daemonize", "no", "--loglevel", "warning"]);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (process.HasExited) throw new InvalidOperationException($"redis-server exited: {process.Tail()}");
            try
            {
                var connection = await ConnectionMultiplexer.ConnectAsync(ConnectionString($"127.0.0.1:{port}") + ",abortConnect=true");
                await connection.GetDatabase().PingAsync();
                return new LoopbackRedis(process, dir, port, connection);
            }
            catch (RedisConnectionException) when (clock.Elapsed < TimeSpan.FromSeconds(15))
            {
                await Task.Delay(50, ct);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        await _process.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
