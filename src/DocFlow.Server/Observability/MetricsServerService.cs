using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace DocFlow.Server.Observability;

/// <summary>A stand-alone Kestrel listener serving this host's /metrics (its OpenTelemetry Prometheus exporter) on
/// <see cref="ObservabilityOptions.MetricsPort"/>, on all interfaces so Prometheus can reach a worker pod. HTTPS when the
/// host has the server's certificate (<c>Kestrel:Certificates:Default:Path</c>, <c>KeyPath</c>, <c>Password</c>: the keys
/// <c>docflow serve --cert/--cert-key</c> sets and Kestrel reads), else plain HTTP.</summary>
/// <remarks>A port already taken is logged, not fatal: a worker that cannot be scraped still processes documents. A
/// certificate that is configured but cannot be read is fatal: the listener never falls back to plain HTTP.</remarks>
internal sealed partial class MetricsServerService(
    MeterProvider meterProvider, DocFlowMetrics metrics, IOptions<ObservabilityOptions> options, IConfiguration configuration,
    ILogger<MetricsServerService> logger) : IHostedService, IAsyncDisposable
{
    /// <summary>The configuration section of the certificate, as Kestrel reads it.</summary>
    internal const string CertificateSection = "Kestrel:Certificates:Default";

    private WebApplication? _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var port = options.Value.MetricsPort;
        if (port == 0) return;
        var certificate = LoadCertificate(configuration.GetSection(CertificateSection));
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = Hosting.DocFlowServer.HostArgs });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenAnyIP(port, listen =>
        {
            if (certificate is not null)
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = certificate.Value.Leaf;
                    https.ServerCertificateChain = certificate.Value.Chain;
                });
        }));
        var server = builder.Build();
        server.MapPrometheusScrapingEndpoint("/metrics", meterProvider, ObservabilityExtensions.RefreshingQueueGauges(metrics), optionsName: null);
        try
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
            _server = server;
            Log.Serving(logger, port, certificate is null ? "http" : "https");
        }
        catch (IOException ex)
        {
            await server.DisposeAsync().ConfigureAwait(false);
            Log.PortUnavailable(logger, port, ex.Message);
        }
    }

    /// <summary>The certificate (with its private key) and the chain after it, from <paramref name="section"/>: a PEM
    /// file (<c>Path</c>, its key in <c>KeyPath</c> or in the same file, encrypted with <c>Password</c> if it is) or a
    /// PKCS#12 file (<c>Path</c> and <c>Password</c>); null when no <c>Path</c> is configured.</summary>
    internal static (X509Certificate2 Leaf, X509Certificate2Collection Chain)? LoadCertificate(IConfigurationSection section)
    {
        var path = section["Path"];
        if (string.IsNullOrWhiteSpace(path)) return null;
        var keyPath = section["KeyPath"];
        var password = section["Password"];
        try
        {
            var pem = File.ReadAllText(path).Contains("-----BEGIN", StringComparison.Ordinal);
            if (!pem)
                return (X509CertificateLoader.LoadPkcs12FromFile(path, password), []);
            var leaf = string.IsNullOrEmpty(password)
                ? X509Certificate2.CreateFromPemFile(path, keyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath);
            var all = new X509Certificate2Collection();
            all.ImportFromPemFile(path);
            var chain = new X509Certificate2Collection();
            foreach (var c in all)
                if (!string.Equals(c.Thumbprint, leaf.Thumbprint, StringComparison.Ordinal)) chain.Add(c);
            return (leaf, chain);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"The metrics listener cannot read the TLS certificate {CertificateSection}:Path '{path}'" + (keyPath is null ? "" : $" (key '{keyPath}')") + $": {e.Message}", e);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null) await _server.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync().ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 901, Level = LogLevel.Information, Message = "Serving /metrics on port {Port} ({Scheme})")]
        public static partial void Serving(ILogger logger, int port, string scheme);

        [LoggerMessage(EventId = 902, Level = LogLevel.Warning, Message = "Cannot serve /metrics on port {Port} ({Reason}); the worker runs on without it. Choose another with --metrics-port, or 0 to turn it off")]
        public static partial void PortUnavailable(ILogger logger, int port, string reason);
    }
}
