using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using DocFlow.Redis;
using StackExchange.Redis;

namespace DocFlow.IntegrationTests.Support;

/// <summary>A redis-server that speaks TLS only (<c>--port 0 --tls-port P</c>) with a password, on a free loopback port.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TlsRedisServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private TlsRedisServer(Process process, int port, string password)
    {
        _process = process;
        Port = port;
        Password = password;
        _process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Port { get; }
    public string Password { get; }

    /// <summary>The URL clients use (the password percent-encoded in it).</summary>
    public string Url => $"rediss://:{Uri.EscapeDataString(Password)}@127.0.0.1:{Port}";

    public static async Task<TlsRedisServer> StartAsync(TestCertificates certificates, string password)
    {
        var port = Ports.Free();
        var start = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--port", "0", "--tls-port", port.ToString(), "--bind", "127.0.0.1",
                     "--tls-cert-file", certificates.CertPath, "--tls-key-file", certificates.KeyPath, "--tls-ca-cert-file", certificates.CaPath,
                     "--tls-auth-clients", "no", "--requirepass", password, "--save", "", "--appendonly", "no", "--daemonize", "no" })
            start.ArgumentList.Add(arg);
        var server = new TlsRedisServer(Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start."), port, password);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(1))
        {
            if (server._process.HasExited) throw new InvalidOperationException($"redis-server (TLS) exited: {server._output}");
            try
            {
                var options = RedisConnection.Parse(server.Url, caCertificate: certificates.CaPath);
                options.AbortOnConnectFail = true;
                options.ConnectTimeout = 10_000;
                await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
                await connection.GetDatabase().PingAsync();
                return server;
            }
            catch (RedisConnectionException)
            {
                await Task.Delay(100);
            }
        }
        await server.DisposeAsync();
        throw new InvalidOperationException($"redis-server (TLS) on port {port} did not answer within a minute: {server._output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

}
