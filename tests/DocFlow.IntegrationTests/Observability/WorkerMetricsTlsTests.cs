using System.Diagnostics;
using System.Globalization;
using System.Net;
using DocFlow.IntegrationTests.Support;

namespace DocFlow.IntegrationTests.Observability;

/// <summary>
/// A `docflow worker` given the server's TLS settings (<c>Kestrel:Certificates:Default:Path</c>/<c>KeyPath</c>, the keys
/// `serve --cert/--cert-key` sets) serves its /metrics port over HTTPS with that certificate: a client that trusts only
/// the test CA scrapes it on loopback; plain HTTP on the same port gets no metrics.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class WorkerMetricsTlsTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IDisposable
{
    private readonly TestCertificates _certificates = new();
    private readonly string _data = Repo.NewTempDirectory("metrics-tls");

    [Theory]
    [InlineData("configuration")]
    [InlineData("flags")]
    public async Task MetricsPort_ServesHttps_WithTheServersCertificate(string how)
    {
        var port = Ports.Free();
        var environment = new Dictionary<string, string> { ["DOCFLOW__Queue__Redis__KeyPrefix"] = RedisServerFixture.NewPrefix("metrics-tls") };
        List<string> args = ["--redis", redis.Endpoint, "--database", Path.Combine(_data, "docflow.db"), "--storage", Path.Combine(_data, "blobs"),
            "--slots", "1", "--metrics-port", port.ToString(CultureInfo.InvariantCulture)];
        if (how == "flags")
            args.AddRange(["--cert", _certificates.CertPath, "--cert-key", _certificates.KeyPath]);
        else
        {
            environment["DOCFLOW__Kestrel__Certificates__Default__Path"] = _certificates.CertPath;
            environment["DOCFLOW__Kestrel__Certificates__Default__KeyPath"] = _certificates.KeyPath;
        }
        await using var worker = WorkerProcess.Start(args, environment);
        using var https = new HttpClient(_certificates.CreateHandler()) { BaseAddress = new Uri($"https://localhost:{port}/"), Timeout = TimeSpan.FromSeconds(30) };

        var text = await ScrapeAsync(https, worker);

        Assert.Contains("# TYPE", text);
        Assert.Contains("docflow_", text);
        // The same port does not answer plain HTTP with metrics (Kestrel closes a non-TLS connection on an HTTPS port).
        using var plain = new HttpClient { BaseAddress = new Uri($"http://localhost:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        var refused = await Record.ExceptionAsync(async () => await plain.GetStringAsync("metrics"));
        Assert.IsType<HttpRequestException>(refused);
        Assert.Contains("Serving /metrics on port " + port + " (https)", worker.Output);
    }

    [Fact]
    public async Task MetricsPort_WithAnUnreadableCertificate_StopsTheWorker_NamingTheFile()
    {
        var missing = Path.Combine(_data, "no-such.pem");
        await using var worker = WorkerProcess.Start(
            ["--redis", redis.Endpoint, "--database", Path.Combine(_data, "docflow.db"), "--storage", Path.Combine(_data, "blobs"),
             "--slots", "1", "--metrics-port", Ports.Free().ToString(CultureInfo.InvariantCulture), "--cert", missing],
            new Dictionary<string, string> { ["DOCFLOW__Queue__Redis__KeyPrefix"] = RedisServerFixture.NewPrefix("metrics-tls") });

        var clock = Stopwatch.StartNew();
        while (!worker.HasExited && clock.Elapsed < TimeSpan.FromMinutes(1)) await Task.Delay(100);

        Assert.True(worker.HasExited, "the worker kept running without its certificate:\n" + worker.Output);
        Assert.NotEqual(0, worker.ExitCode);
        Assert.Contains(missing, worker.Output);
    }

    /// <summary>GET /metrics over HTTPS once the listener is up (the worker starts in a few seconds).</summary>
    private static async Task<string> ScrapeAsync(HttpClient https, WorkerProcess worker)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (worker.HasExited) throw new InvalidOperationException($"docflow worker exited with {worker.ExitCode}:\n{worker.Output}");
            try
            {
                using var response = await https.GetAsync("metrics");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return await response.Content.ReadAsStringAsync();
            }
            catch (HttpRequestException e) when (e.InnerException is not System.Security.Authentication.AuthenticationException && clock.Elapsed < TimeSpan.FromMinutes(1))
            {
                // not listening yet
            }
            await Task.Delay(200);
        }
    }

    public void Dispose()
    {
        _certificates.Dispose();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
