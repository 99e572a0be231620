using System.Diagnostics.Metrics;
using DocFlow.Diagnostics;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Prometheus;

namespace DocFlow.Server.Observability;

/// <summary>
/// The Prometheus view of one DocFlow process: its own <see cref="CollectorRegistry"/> (so two hosts in one process
/// never share numbers), fed by a <see cref="MeterListener"/> on <see cref="DocFlowTelemetry.Meter"/> for what Core
/// counts, and refreshed from <see cref="IJobQueue.GetStatisticsAsync"/> at scrape time for the queue gauges.
/// </summary>
public sealed partial class DocFlowMetrics : IDisposable
{
    /// <summary>Document durations run from a fraction of a second (a digital PDF) to minutes (a long scan).</summary>
    public static readonly double[] DurationBuckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

    private readonly DocFlowTelemetry _telemetry;
    private readonly IServiceProvider _services;
    private readonly ObservabilityOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DocFlowMetrics> _logger;
    private readonly MeterListener _listener;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly int _localSlots;
    private long _lastRefresh; // 0: never
    private bool _queueFailing;

    private readonly Counter _documents;
    private readonly Counter _pages;
    private readonly Histogram _duration;
    private readonly Gauge _queueDepth;
    private readonly Gauge _queueInFlight;
    private readonly Gauge _queueLag;
    private readonly Gauge _queueDelayed;
    private readonly Gauge _deadLetters;
    private readonly Gauge _workers;

    public DocFlowMetrics(
        DocFlowTelemetry telemetry, IServiceProvider services, IOptions<ObservabilityOptions> options, TimeProvider time, ILogger<DocFlowMetrics> logger)
    {
        _telemetry = telemetry;
        _services = services;
        _options = options.Value;
        _time = time;
        _logger = logger;
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);

        _documents = factory.CreateCounter("docflow_documents_total",
            "Documents that reached a final status: succeeded, failed (bad input, or given up after retries), or deduplicated (answered from an identical earlier result).",
            "route", "status");
        _pages = factory.CreateCounter("docflow_pages_total", "Pages read, by path: text-layer (the PDF's own text) or ocr.", "path");
        _duration = factory.CreateHistogram("docflow_document_duration_seconds", "Seconds a worker spent on one document, from taking it to its stored result.",
            ["route"], new HistogramConfiguration { Buckets = DurationBuckets });
        _queueDepth = factory.CreateGauge("docflow_queue_depth", "Jobs waiting on the queue, by route and priority.", "route", "priority");
        _queueInFlight = factory.CreateGauge("docflow_queue_in_flight", "Jobs a worker holds now, by route and priority.", "route", "priority");
        _queueLag = factory.CreateGauge("docflow_queue_lag", "Age in seconds of the oldest waiting job, by route and priority (0 when none waits).", "route", "priority");
        _queueDelayed = factory.CreateGauge("docflow_queue_delayed", "Jobs waiting out a retry delay.");
        _deadLetters = factory.CreateGauge("docflow_dead_letters", "Jobs on the dead-letter list (given up after retries; see /api/v1/dead-letters).");
        _workers = factory.CreateGauge("docflow_workers", "Worker slots of this process: state=slots hosted, state=busy handling a job now.", "state");

        // Workers are hosted here when AddDocFlowWorkers registered the handler; their slot count is in WorkerOptions.
        // Hook: once a cluster-wide worker registry exists (IWorkerRegistry), its view belongs in RefreshAsync.
        _localSlots = services.GetService<IServiceProviderIsService>()?.IsService(typeof(DocumentJobHandler)) == true
            ? services.GetRequiredService<IOptions<WorkerOptions>>().Value.Slots
            : 0;
        _workers.WithLabels("slots").Set(_localSlots);
        _workers.WithLabels("busy").Set(0);

        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, _telemetry.Meter)) listener.EnableMeasurementEvents(instrument);
            },
        };
        _listener.SetMeasurementEventCallback<long>((i, m, tags, _) => OnMeasurement(i, m, tags));
        _listener.SetMeasurementEventCallback<int>((i, m, tags, _) => OnMeasurement(i, m, tags));
        _listener.SetMeasurementEventCallback<double>((i, m, tags, _) => OnMeasurement(i, m, tags));
        _listener.Start();

        if (_options.QueueGauges) Registry.AddBeforeCollectCallback(RefreshQueueAsync);
    }

    /// <summary>What /metrics serves.</summary>
    public CollectorRegistry Registry { get; }

    private void OnMeasurement(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        switch (instrument.Name)
        {
            case "docflow.documents":
                _documents.WithLabels(Tag(tags, DocFlowTelemetry.Tags.Route), Tag(tags, DocFlowTelemetry.Tags.Status)).Inc(value);
                break;
            case "docflow.pages":
                _pages.WithLabels(Tag(tags, DocFlowTelemetry.Tags.Path)).Inc(value);
                break;
            case "docflow.document.duration":
                _duration.WithLabels(Tag(tags, DocFlowTelemetry.Tags.Route)).Observe(value);
                break;
            case "docflow.workers.busy":
                _workers.WithLabels("busy").Inc(value);
                break;
        }
    }

    private static string Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var (key, value) in tags)
            if (key == name) return value?.ToString() ?? "";
        return "";
    }

    /// <summary>Reads the queue's statistics at most once per cache time; a slow or unreachable queue never fails
    /// the scrape: after the timeout the last values are served.</summary>
    private async Task RefreshQueueAsync(CancellationToken cancellationToken)
    {
        if (Fresh()) return;
        if (!await _refresh.WaitAsync(_options.QueueStatisticsTimeout, cancellationToken).ConfigureAwait(false)) return;
        try
        {
            if (Fresh()) return; // another scrape refreshed while this one waited
            var queue = _services.GetRequiredService<IJobQueue>();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.QueueStatisticsTimeout);
            QueueStatistics stats;
            try
            {
                stats = await queue.GetStatisticsAsync(timeout.Token).AsTask().WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                if (!_queueFailing) Log.QueueUnreadable(_logger, ex.Message);
                _queueFailing = true;
                return;
            }
            _queueFailing = false;
            foreach (var lane in stats.Lanes)
            {
                var (route, priority) = (lane.Route.ToWireName(), lane.Priority.ToWireName());
                _queueDepth.WithLabels(route, priority).Set(lane.Depth);
                _queueInFlight.WithLabels(route, priority).Set(lane.InFlight);
                _queueLag.WithLabels(route, priority).Set(lane.Depth > 0 ? lane.OldestAge.TotalSeconds : 0);
            }
            _queueDelayed.Set(stats.Delayed);
            _deadLetters.Set(stats.DeadLetters);
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

    public void Dispose()
    {
        _listener.Dispose();
        _refresh.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 900, Level = LogLevel.Warning, Message = "Queue statistics unreadable for /metrics ({Reason}); serving the last values")]
        public static partial void QueueUnreadable(ILogger logger, string reason);
    }
}
