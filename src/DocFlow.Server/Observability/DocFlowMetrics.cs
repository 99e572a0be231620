using System.Diagnostics.Metrics;
using DocFlow.Diagnostics;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DocFlow.Server.Observability;

/// <summary>
/// The queue gauges, declared on <see cref="DocFlowTelemetry.Meter"/> beside Core's instruments: observable gauges that
/// report the last <see cref="IJobQueue.GetStatisticsAsync"/>, which <see cref="RefreshAsync"/> reads before a scrape
/// (at most once per <see cref="ObservabilityOptions.QueueStatisticsCacheTime"/>). Also tells the telemetry how many
/// worker slots this process hosts. The OpenTelemetry Prometheus exporter turns every instrument into its /metrics name.
/// </summary>
public sealed partial class DocFlowMetrics : IDisposable
{
    private readonly IServiceProvider _services;
    private readonly ObservabilityOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DocFlowMetrics> _logger;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private long _lastRefresh; // 0: never
    private bool _queueFailing;
    private volatile QueueStatistics? _statistics;

    public DocFlowMetrics(
        DocFlowTelemetry telemetry, IServiceProvider services, IOptions<ObservabilityOptions> options, TimeProvider time, ILogger<DocFlowMetrics> logger)
    {
        _services = services;
        _options = options.Value;
        _time = time;
        _logger = logger;

        // Workers are hosted here when AddDocFlowWorkers registered the handler; their slot count is in WorkerOptions.
        telemetry.HostedSlots = services.GetService<IServiceProviderIsService>()?.IsService(typeof(DocumentJobHandler)) == true
            ? services.GetRequiredService<IOptions<WorkerOptions>>().Value.Slots
            : 0;

        if (!_options.QueueGauges) return;
        var meter = telemetry.Meter;
        meter.CreateObservableGauge("docflow.queue.depth", () => Lanes(l => l.Depth), "{job}", "Jobs waiting on the queue, by route and priority.");
        meter.CreateObservableGauge("docflow.queue.in_flight", () => Lanes(l => l.InFlight), "{job}", "Jobs a worker holds now, by route and priority.");
        // Unit s: Prometheus docflow_queue_oldest_age_seconds ("lag" is a count of entries in Redis and KEDA, not an age).
        meter.CreateObservableGauge("docflow.queue.oldest_age", () => Lanes(l => l.Depth > 0 ? l.OldestAge.TotalSeconds : 0), "s",
            "Age of the oldest waiting job, by route and priority (0 when none waits).");
        meter.CreateObservableGauge("docflow.queue.delayed", () => Total(s => s.Delayed), "{job}", "Jobs waiting out a retry delay.");
        meter.CreateObservableGauge("docflow.dead_letters", () => Total(s => s.DeadLetters), "{job}",
            "Jobs on the dead-letter list (given up after retries; see /api/v1/dead-letters).");
    }

    private IEnumerable<Measurement<double>> Lanes(Func<LaneStatistics, double> value) =>
        _statistics is { } s
            ? s.Lanes.Select(l => new Measurement<double>(value(l),
                new KeyValuePair<string, object?>(DocFlowTelemetry.Tags.Route, l.Route.ToWireName()),
                new KeyValuePair<string, object?>(DocFlowTelemetry.Tags.LanePriority, l.Priority.ToWireName())))
            : [];

    private IEnumerable<Measurement<long>> Total(Func<QueueStatistics, long> value) =>
        _statistics is { } s ? [new Measurement<long>(value(s))] : [];

    /// <summary>Reads the queue's statistics for the gauges, at most once per cache time; a slow or unreachable queue
    /// never fails the scrape: after the timeout the last values are served. Does nothing without queue gauges.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (!_options.QueueGauges || Fresh()) return;
        if (!await _refresh.WaitAsync(_options.QueueStatisticsTimeout, cancellationToken).ConfigureAwait(false)) return;
        try
        {
            if (Fresh()) return; // another scrape refreshed while this one waited
            var queue = _services.GetRequiredService<IJobQueue>();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.QueueStatisticsTimeout);
            try
            {
                _statistics = await queue.GetStatisticsAsync(timeout.Token).AsTask().WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                if (!_queueFailing) Log.QueueUnreadable(_logger, ex.Message);
                _queueFailing = true;
                return;
            }
            _queueFailing = false;
            Interlocked.Exchange(ref _lastRefresh, _time.GetTimestamp());
        }
        finally
        {
            _refresh.Release();
        }
    }

    private bool Fresh()
    {
        var last = Interlocked.Read(ref _lastRefresh);
        return last != 0 && _time.GetElapsedTime(last) < _options.QueueStatisticsCacheTime;
    }

    public void Dispose() => _refresh.Dispose();

    private static partial class Log
    {
        [LoggerMessage(EventId = 900, Level = LogLevel.Warning, Message = "Queue statistics unreadable for /metrics ({Reason}); serving the last values")]
        public static partial void QueueUnreadable(ILogger logger, string reason);
    }
}
