using DocFlow.Server.Hosting;
using DocFlow.Engine;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Scaling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using DocFlow.Workers;

namespace DocFlow.Server.Scaling;

/// <summary>What <c>docflow worker --autoscale MIN:MAX</c> runs.</summary>
public sealed class AutoscaleSupervisorOptions
{
    /// <summary>Bounds, policy, damping and forecast; <see cref="AutoscalerOptions.SlotsPerWorker"/> is the slots of one worker.</summary>
    public AutoscalerOptions Autoscaler { get; set; } = new();

    /// <summary>Routes this process's own slots take.</summary>
    public IReadOnlyCollection<JobRoute> Routes { get; set; } = JobRoutes.All;

    /// <summary>Whether children can share the queue (Redis). Without it only this process's slots scale.</summary>
    public bool Distributed { get; set; }

    /// <summary>On shutdown or scale-down, how long jobs in flight may take. <value>Default 30 s.</value></summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>This process's own slots' id in the worker registry (children report themselves).
    /// <value>Default "{host}-{pid}".</value></summary>
    public string WorkerId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";
}

/// <summary>
/// The built-in autoscaler: every <see cref="AutoscalerOptions.Interval"/> it reads the queue's depth and jobs in
/// flight, estimates arrivals, asks the <see cref="Autoscaler"/> for a number of slots and applies it — whole workers
/// beyond the first as child <c>docflow worker</c> processes, the remainder as this process's own slots.
/// Its own slots heartbeat in the <see cref="IWorkerRegistry"/> like any worker (with their current number), so the
/// dashboard lists them beside the children, which report themselves.
/// </summary>
public sealed partial class AutoscaleSupervisor : BackgroundService
{
    private readonly IJobQueue _queue;
    private readonly AutoscaleSupervisorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AutoscaleSupervisor> _logger;
    private readonly Autoscaler _scaler;
    private readonly ArrivalEstimator _estimator = new();
    private readonly ThroughputMeter _meter;
    private readonly ElasticWorkerSlots _slots;
    private readonly WorkerProcessPool _pool;
    private readonly CancellationTokenSource _abort = new();
    private readonly CountingJobQueue _counted;
    private readonly WorkerHeartbeat _heartbeat;

    public AutoscaleSupervisor(
        IJobQueue queue, IJobHandler handler, RetryOptions retry, AutoscaleSupervisorOptions options, IWorkerProcessLauncher launcher,
        IWorkerRegistry registry, WorkerRegistryOptions registryOptions, TimeProvider timeProvider, ILoggerFactory loggers,
        DocFlow.Diagnostics.DocFlowTelemetry? telemetry = null)
    {
        _queue = queue;
        _options = options;
        _time = timeProvider;
        _logger = loggers.CreateLogger<AutoscaleSupervisor>();
        _scaler = new Autoscaler(options.Autoscaler, timeProvider);
        _meter = new ThroughputMeter(timeProvider);
        _counted = new CountingJobQueue(queue);
        _heartbeat = new WorkerHeartbeat(registry, registryOptions, timeProvider, _logger);
        _slots = new ElasticWorkerSlots(_counted, new MeteredJobHandler(handler, _meter), retry, options.Routes,
            loggers.CreateLogger<WorkerLoop>(), _abort.Token) { Telemetry = telemetry };
        _pool = new WorkerProcessPool(launcher, options.GracePeriod, timeProvider, loggers.CreateLogger<WorkerProcessPool>());
    }

    /// <summary>This process's own slots now.</summary>
    public int LocalSlots => _slots.Count;

    /// <summary>The child workers.</summary>
    public WorkerProcessPool Pool => _pool;

    /// <summary>Applies a decision of <paramref name="slots"/> in all: children for whole workers beyond the first
    /// (when distributed), this process's slots for the rest.</summary>
    public void Apply(int slots)
    {
        var perWorker = _options.Autoscaler.SlotsPerWorker;
        var children = _options.Distributed ? Math.Max(0, (slots + perWorker - 1) / perWorker - 1) : 0;
        _slots.SetSlots(Math.Max(1, slots - children * perWorker));
        _pool.ScaleTo(children);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = _options.Autoscaler;
        Log.Started(_logger, o.MinWorkers, o.MaxWorkers, o.SlotsPerWorker, o.Predictive ? "predictive" : "reactive");
        if (!_options.Distributed) Log.LocalOnly(_logger);
        await using var grace = stoppingToken.Register(() => _abort.CancelAfter(_options.GracePeriod));
        Apply(_scaler.Slots);
        var started = _time.GetUtcNow();
        var routes = _options.Routes.Select(r => r.ToWireName()).ToArray();
        using var heartbeats = new CancellationTokenSource();
        var heartbeat = _heartbeat.RunAsync(now => new WorkerInfo(_options.WorkerId, Environment.MachineName, _slots.Count,
            _counted.Busy, _counted.Processed, _counted.Failed, routes, started, now), heartbeats.Token);
        using var timer = new PeriodicTimer(o.Interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
                await EvaluateAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await Task.WhenAll(_pool.StopAllAsync(CancellationToken.None), _slots.StopAsync()).ConfigureAwait(false);
            await heartbeats.CancelAsync().ConfigureAwait(false);
            await heartbeat.ConfigureAwait(false);
            Log.Stopped(_logger);
        }
    }

    private async Task EvaluateAsync(CancellationToken cancellationToken)
    {
        QueueStatistics stats;
        try
        {
            stats = await _queue.GetStatisticsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Queue unreachable: keep the fleet as it is (and keep children alive) until it answers again.
            Log.StatisticsFailed(_logger, ex);
            _pool.ScaleTo(_pool.Active.Count);
            return;
        }
        var o = _options.Autoscaler;
        var service = _meter.MeanServiceTime ?? TimeSpan.FromHours(o.SlotsPerWorker / o.DefaultPerWorkerThroughput);
        var perWorker = _meter.MeanServiceTime is { } t ? o.SlotsPerWorker * TimeSpan.FromHours(1) / t : (double?)null;
        var arrivals = _estimator.Observe(_time.GetUtcNow(), stats.TotalDepth, stats.TotalInFlight, service);
        var decision = _scaler.Evaluate(new ScalingSignal(arrivals, stats.TotalDepth, perWorker, stats.TotalInFlight));
        Apply(decision.Slots);
        if (decision.Changed)
            Log.Scaled(_logger, decision.Slots, decision.Workers, decision.Recommended, decision.ObservedRate, decision.ForecastRate ?? double.NaN,
                stats.TotalDepth, _slots.Count, _pool.Active.Count);
    }

    public override void Dispose()
    {
        _abort.Dispose();
        base.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 710, Level = LogLevel.Information, Message = "Autoscaling {Min}-{Max} workers of {Slots} slots ({Mode})")]
        public static partial void Started(ILogger logger, int min, int max, int slots, string mode);

        [LoggerMessage(EventId = 711, Level = LogLevel.Warning, Message = "Autoscaling without a shared queue (--redis): only this process's slots scale, no child workers")]
        public static partial void LocalOnly(ILogger logger);

        [LoggerMessage(EventId = 712, Level = LogLevel.Information, Message = "Scaled to {Slots} slots ({Workers} workers; recommended {Recommended:F1}; observed {Observed:F0} docs/h, forecast {Forecast:F0} docs/h, backlog {Backlog}): {Local} local slots, {Children} children")]
        public static partial void Scaled(ILogger logger, int slots, int workers, double recommended, double observed, double forecast, long backlog, int local, int children);

        [LoggerMessage(EventId = 713, Level = LogLevel.Warning, Message = "Queue statistics unavailable; keeping the current workers")]
        public static partial void StatisticsFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 714, Level = LogLevel.Information, Message = "Autoscaler stopped: children exited, no job in flight")]
        public static partial void Stopped(ILogger logger);
    }
}

public static class AutoscaleServiceCollectionExtensions
{
    /// <summary>Hosts the autoscaling supervisor (instead of fixed worker slots), starting children with
    /// <paramref name="launcher"/>.</summary>
    public static IHostApplicationBuilder AddDocFlowAutoscaler(
        this IHostApplicationBuilder builder, AutoscaleSupervisorOptions options, IWorkerProcessLauncher launcher)
    {
        options.Autoscaler.Validate();
        var services = builder.Services;
        Hosting.PlatformServiceCollectionExtensions.AddDocFlowJobHandler(builder);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(launcher);
        services.AddSingleton(sp => new AutoscaleSupervisor(
            sp.GetRequiredService<IJobQueue>(), sp.GetRequiredService<JobRouter>(), sp.GetRequiredService<RetryOptions>(),
            options, launcher, sp.GetRequiredService<IWorkerRegistry>(), sp.GetRequiredService<IOptions<WorkerRegistryOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>(), sp.GetService<DocFlow.Diagnostics.DocFlowTelemetry>()));
        services.AddHostedService(sp => sp.GetRequiredService<AutoscaleSupervisor>());
        return builder;
    }
}
