using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace DocFlow.Server.Observability;

/// <summary>A stand-alone Kestrel listener serving this host's /metrics (its OpenTelemetry Prometheus exporter) on
/// <see cref="ObservabilityOptions.MetricsPort"/>, on all interfaces so Prometheus can reach a worker pod.</summary>
/// <remarks>A port already taken is logged, not fatal: a worker that cannot be scraped still processes documents.</remarks>
internal sealed partial class MetricsServerService(
    MeterProvider meterProvider, DocFlowMetrics metrics, IOptions<ObservabilityOptions> options, ILogger<MetricsServerService> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var port = options.Value.MetricsPort;
        if (port == 0) return;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenAnyIP(port));
        var server = builder.Build();
        server.MapPrometheusScrapingEndpoint("/metrics", meterProvider, ObservabilityExtensions.RefreshingQueueGauges(metrics), optionsName: null);
        try
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
            _server = server;
            Log.Serving(logger, port);
        }
        catch (IOException ex)
        {
            await server.DisposeAsync().ConfigureAwait(false);
            Log.PortUnavailable(logger, port, ex.Message);
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
        [LoggerMessage(EventId = 901, Level = LogLevel.Information, Message = "Serving /metrics on port {Port}")]
        public static partial void Serving(ILogger logger, int port);

        [LoggerMessage(EventId = 902, Level = LogLevel.Warning, Message = "Cannot serve /metrics on port {Port} ({Reason}); the worker runs on without it. Choose another with --metrics-port, or 0 to turn it off")]
        public static partial void PortUnavailable(ILogger logger, int port, string reason);
    }
}
