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
/// Every <see cref="WorkerRegistryOptions.HeartbeatInterval"/> it reports itself to the <see cref="IWorkerRegistry"/>.
/// </summary>
public sealed partial class WorkerService(
    IJobQueue queue, JobRouter handler, RetryOptions retry, IOptions<WorkerOptions> options,
    IWorkerRegistry registry, IOptions<WorkerRegistryOptions> registryOptions, TimeProvider time,
    ILogger<WorkerService> logger, ILogger<WorkerLoop> loopLogger) : BackgroundService
{
    private readonly CancellationTokenSource _abort = new();
    private readonly CountingQueue _counted = new(queue);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        Log.Started(logger, o.Slots, string.Join(',', o.Routes.Select(r => r.ToWireName())));
        var started = time.GetUtcNow();
        using var heartbeats = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var heartbeat = HeartbeatAsync(o, started, heartbeats.Token);
        try
        {
            var loop = new WorkerLoop(_counted, handler, retry, loopLogger, _abort.Token);
            await using var grace = stoppingToken.Register(() => _abort.CancelAfter(o.GracePeriod));
            await loop.RunAsync(o.Routes, o.Slots, stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            await heartbeats.CancelAsync().ConfigureAwait(false);
            await heartbeat.ConfigureAwait(false);
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await registry.RemoveAsync(o.Id, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.HeartbeatFailed(logger, ex); // it will expire and show as stale meanwhile
            }
        }
        Log.Stopped(logger);
    }

    private async Task HeartbeatAsync(WorkerOptions o, DateTimeOffset started, CancellationToken ct)
    {
        var routes = o.Routes.Select(r => r.ToWireName()).ToArray();
        var host = Environment.MachineName;
        using var timer = new PeriodicTimer(registryOptions.Value.HeartbeatInterval, time);
        do
        {
            try
            {
                await registry.HeartbeatAsync(new WorkerInfo(o.Id, host, o.Slots, _counted.Busy, _counted.Processed, _counted.Failed,
                    routes, started, time.GetUtcNow()), ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.HeartbeatFailed(logger, ex); // the registry being down must never stop the work
            }
            try
            {
                if (!await timer.WaitForNextTickAsync(ct).ConfigureAwait(false)) return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        } while (true);
    }

    public override void Dispose()
    {
        _abort.Dispose();
        base.Dispose();
    }

    /// <summary>The queue as the worker loop sees it, counting what the heartbeat reports: slots busy (fetched, not yet
    /// released), jobs acknowledged, jobs retried or dead-lettered.</summary>
    private sealed class CountingQueue(IJobQueue inner) : IJobQueue
    {
        private int _busy;
        private long _processed;
        private long _failed;

        public int Busy => Volatile.Read(ref _busy);
        public long Processed => Interlocked.Read(ref _processed);
        public long Failed => Interlocked.Read(ref _failed);

        public ValueTask EnqueueAsync(JobTicket ticket, CancellationToken cancellationToken) => inner.EnqueueAsync(ticket, cancellationToken);

        public ValueTask<QueueStatistics> GetStatisticsAsync(CancellationToken cancellationToken) => inner.GetStatisticsAsync(cancellationToken);

        public async ValueTask<IFetchedJob> FetchAsync(IReadOnlyCollection<JobRoute> routes, CancellationToken cancellationToken)
        {
            var job = await inner.FetchAsync(routes, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _busy);
            return new Counted(job, this);
        }

        private sealed class Counted(IFetchedJob job, CountingQueue owner) : IFetchedJob
        {
            private int _released;

            public JobTicket Ticket => job.Ticket;
            public int DeliveryCount => job.DeliveryCount;

            public async ValueTask AcknowledgeAsync(CancellationToken cancellationToken)
            {
                await job.AcknowledgeAsync(cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref owner._processed);
            }

            public async ValueTask RetryAsync(TimeSpan delay, string reason, CancellationToken cancellationToken)
            {
                await job.RetryAsync(delay, reason, cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref owner._failed);
            }

            public async ValueTask DeadLetterAsync(string reason, CancellationToken cancellationToken)
            {
                await job.DeadLetterAsync(reason, cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref owner._failed);
            }

            public async ValueTask DisposeAsync()
            {
                if (Interlocked.Exchange(ref _released, 1) == 0) Interlocked.Decrement(ref owner._busy);
                await job.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Worker started: {Slots} slots on routes {Routes}")]
        public static partial void Started(ILogger logger, int slots, string routes);

        [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Worker stopped: no job in flight")]
        public static partial void Stopped(ILogger logger);

        [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Worker heartbeat could not be recorded")]
        public static partial void HeartbeatFailed(ILogger logger, Exception exception);
    }
}
