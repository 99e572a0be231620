using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Prometheus;

namespace DocFlow.Server.Observability;

/// <summary>A stand-alone Kestrel listener serving /metrics on <see cref="ObservabilityOptions.MetricsPort"/>,
/// on all interfaces so Prometheus can reach a worker pod.</summary>
/// <remarks>A port already taken is logged, not fatal: a worker that cannot be scraped still processes documents.</remarks>
internal sealed partial class MetricsServerService(
    DocFlowMetrics metrics, IOptions<ObservabilityOptions> options, ILogger<MetricsServerService> logger) : IHostedService
{
    private IMetricServer? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var port = options.Value.MetricsPort;
        if (port == 0) return Task.CompletedTask;
        try
        {
            _server = new KestrelMetricServer(hostname: "+", port: port, url: "/metrics", registry: metrics.Registry).Start();
            Log.Serving(logger, port);
        }
        catch (IOException ex)
        {
            Log.PortUnavailable(logger, port, ex.Message);
        }
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null) await _server.StopAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 901, Level = LogLevel.Information, Message = "Serving /metrics on port {Port}")]
        public static partial void Serving(ILogger logger, int port);

        [LoggerMessage(EventId = 902, Level = LogLevel.Warning, Message = "Cannot serve /metrics on port {Port} ({Reason}); the worker runs on without it. Choose another with --metrics-port, or 0 to turn it off")]
        public static partial void PortUnavailable(ILogger logger, int port, string reason);
    }
}
