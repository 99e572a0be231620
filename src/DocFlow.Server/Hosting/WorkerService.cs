using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Workers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DocFlow.Server.Hosting;

public sealed class WorkerOptions
{
    /// <summary>Documents handled at once.</summary>
    public int Slots { get; set; } = Environment.ProcessorCount;

    /// <summary>Routes this worker takes. <value>Default: image, pdf and report.</value></summary>
    public List<JobRoute> Routes { get; set; } = [.. JobRoutes.All];

    /// <summary>On shutdown, how long jobs in flight may take to finish before they are released. <value>Default 30 s.</value></summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>This worker's id in the registry. <value>Default "{host}-{pid}".</value></summary>
    public string Id { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";
}

/// <summary>
/// Worker slots as a hosted service. Stopping stops fetching at once; jobs in flight get the grace period to
/// finish, then are aborted and left for redelivery (never lost: unacknowledged jobs are delivered again).
/// Every <see cref="WorkerRegistryOptions.HeartbeatInterval"/> it reports itself to the <see cref="IWorkerRegistry"/>
/// (<see cref="WorkerHeartbeat"/>).
/// </summary>
public sealed partial class WorkerService(
    IJobQueue queue, JobRouter handler, RetryOptions retry, IOptions<WorkerOptions> options,
    IWorkerRegistry registry, IOptions<WorkerRegistryOptions> registryOptions, TimeProvider time,
    ILogger<WorkerService> logger, ILogger<WorkerLoop> loopLogger, DocFlow.Diagnostics.DocFlowTelemetry? telemetry = null) : BackgroundService
{
    private readonly CancellationTokenSource _abort = new();
    private readonly CountingJobQueue _counted = new(queue);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        Log.Started(logger, o.Slots, string.Join(',', o.Routes.Select(r => r.ToWireName())));
        var started = time.GetUtcNow();
        var routes = o.Routes.Select(r => r.ToWireName()).ToArray();
        using var heartbeats = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var heartbeat = new WorkerHeartbeat(registry, registryOptions.Value, time, logger).RunAsync(now => new WorkerInfo(
            o.Id, Environment.MachineName, o.Slots, _counted.Busy, _counted.Processed, _counted.Failed, routes, started, now), heartbeats.Token);
        try
        {
            var loop = new WorkerLoop(_counted, handler, retry, loopLogger, _abort.Token) { Telemetry = telemetry, Time = time };
            await using var grace = stoppingToken.Register(() => _abort.CancelAfter(o.GracePeriod));
            await loop.RunAsync(o.Routes, o.Slots, stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            await heartbeats.CancelAsync().ConfigureAwait(false);
            await heartbeat.ConfigureAwait(false);
        }
        Log.Stopped(logger);
    }

    public override void Dispose()
    {
        _abort.Dispose();
        base.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Worker started: {Slots} slots on routes {Routes}")]
        public static partial void Started(ILogger logger, int slots, string routes);

        [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Worker stopped: no job in flight")]
        public static partial void Stopped(ILogger logger);
    }
}
