using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DocFlow.IntegrationTests.Support;

/// <summary>
/// A real S3-compatible server on loopback: s3rver (npm, installed into tools/s3rver by ./test.sh), started on a
/// free port with a bucket configured. DOCFLOW_TEST_S3 (a service URL) uses a running server instead.
/// </summary>
public sealed class S3ServerFixture : IAsyncLifetime
{
    public const string Bucket = "docflow-test";
    private Process? _process;
    private string? _directory;

    public string ServiceUrl { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("DOCFLOW_TEST_S3") is { Length: > 0 } url)
        {
            ServiceUrl = url;
            return;
        }
        var bin = Path.Combine(Repo.Root, "tools", "s3rver", "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(bin))
            throw new InvalidOperationException($"s3rver is not installed at {bin}: run ./test.sh (npm ci --prefix tools/s3rver).");
        var port = Ports.Free();
        _directory = Repo.NewTempDirectory("s3rver");
        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { bin, "--directory", _directory, "--address", "127.0.0.1", "--port", port.ToString(), "--configure-bucket", Bucket, "--silent" })
            psi.ArgumentList.Add(a);
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start node");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        ServiceUrl = $"http://127.0.0.1:{port}";
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(100);
            }
        }
        if (_process.HasExited) throw new InvalidOperationException($"s3rver exited with {_process.ExitCode}");
    }


    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process?.Dispose();
        if (_directory is not null && Directory.Exists(_directory)) Directory.Delete(_directory, true);
        return Task.CompletedTask;
    }
}
