using System.Threading.Channels;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DocFlow.Server.Ingest;

/// <summary>
/// Hands accepted jobs to the queue, and keeps them when the queue (Redis) cannot be reached: uploads go on
/// being accepted (each job is already recorded as queued in the store, its original in blob storage), the
/// tickets wait here and are handed over, in order, as soon as the queue answers again. On start it also
/// re-offers queued jobs older than <see cref="RecoverAfter"/>, in case a previous process died holding some
/// (a duplicate ticket is harmless: the job handler skips jobs that are already done). With the in-process queue,
/// which starts empty, every queued job and every job left processing is offered again at start.
/// </summary>
public sealed partial class QueueHandoff(IJobQueue queue, IJobIntakeStore store, TimeProvider time, ILogger<QueueHandoff> logger) : BackgroundService
{
    private readonly Channel<JobTicket> _held = Channel.CreateUnbounded<JobTicket>();
    private long _downUntilTicks;
    private int _heldCount;

    /// <summary>Queued jobs older than this are offered to the queue again at start-up. <value>Default 10 minutes.</value></summary>
    public TimeSpan RecoverAfter { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Also take back jobs left in <c>processing</c>: right for the in-process queue, which died with the
    /// process that held them (Redis redelivers its own). <value>Default false.</value></summary>
    public bool RecoverInFlight { get; init; }

    /// <summary>Most deliveries of one job (<see cref="RetryOptions.MaxDeliveries"/>). A job taken back from
    /// <c>processing</c> at start-up counts one more delivery (the process that held it died); past this limit it is
    /// failed as poison instead of offered again, so a file that kills its process cannot crash-loop the server.
    /// <value>Default 5.</value></summary>
    public int MaxDeliveries { get; init; } = 5;

    /// <summary>Where recovery records the delivery it counts (attempts only grow); without it recovery does not count.</summary>
    public IJobProcessingStore? Attempts { get; init; }

    /// <summary>Told when recovery fails a poison job, so its batch can complete.</summary>
    public BatchCompletion? Completion { get; init; }

    /// <summary>When set, start-up recovery first checks that the store takes writes and skips when it does not: a warm
    /// standby region's API (read-only replica) must not fill its Redis before promotion; <see cref="QueueRebuild"/> does
    /// that after it (docs/multi-region.md).</summary>
    public IJobMonitoringStore? Database { get; init; }

    /// <summary>Tickets accepted but not yet handed to the queue.</summary>
    public int Held => Volatile.Read(ref _heldCount);

    /// <summary>Whether the queue was found unreachable in the last few seconds.</summary>
    public bool QueueDown => time.GetUtcNow().UtcTicks < Interlocked.Read(ref _downUntilTicks);

    /// <summary>Counts arrivals (<c>docflow.jobs.enqueued</c>); none when null.</summary>
    public DocFlow.Diagnostics.DocFlowTelemetry? Telemetry { get; init; }

    public async Task EnqueueAsync(JobTicket ticket, CancellationToken cancellationToken)
    {
        // An arrival whether it goes to the queue now or is held for it: the queue will see it either way.
        Telemetry?.JobEnqueued(ticket.Route.ToWireName(), ticket.Priority.ToWireName());
        if (Held == 0 && !QueueDown)
        {
            try
            {
                await queue.EnqueueAsync(ticket, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                MarkDown(ex);
            }
        }
        Hold(ticket);
    }

    private void Hold(JobTicket ticket)
    {
        Interlocked.Increment(ref _heldCount);
        _held.Writer.TryWrite(ticket);
    }

    private void MarkDown(Exception ex)
    {
        Interlocked.Exchange(ref _downUntilTicks, (time.GetUtcNow() + TimeSpan.FromSeconds(5)).UtcTicks);
        Log.QueueUnreachable(logger, ex.Message);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Recovery re-offers every tenant's jobs: unscoped, whatever flow started the host.
        using var tenants = DocFlow.Security.AmbientTenantScope.Enter(null);
        await RecoverAsync(stoppingToken).ConfigureAwait(false);
        var delay = TimeSpan.FromMilliseconds(200);
        await foreach (var ticket in _held.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    await queue.EnqueueAsync(ticket, stoppingToken).ConfigureAwait(false);
                    Interlocked.Decrement(ref _heldCount);
                    delay = TimeSpan.FromMilliseconds(200);
                    if (Held == 0) Log.HandedOver(logger);
                    break;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    MarkDown(ex);
                    await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
                }
            }
        }
    }

    private async Task RecoverAsync(CancellationToken ct)
    {
        try
        {
            if (Database is not null) await Database.PingAsync(ct).ConfigureAwait(false);
            var cutoff = time.GetUtcNow() - RecoverAfter;
            string? cursor = null;
            var recovered = 0;
            do
            {
                var page = await store.ListJobsAsync(new JobQuery(Status: JobStatus.Queued, Limit: 500, Cursor: cursor), ct).ConfigureAwait(false);
                foreach (var job in page.Items.Where(j => j.CreatedAt < cutoff))
                {
                    Hold(new JobTicket(job.Id, job.Route, job.Priority, job.BlobKey) { BatchId = job.BatchId, FileName = job.FileName, EnqueuedAt = job.CreatedAt });
                    recovered++;
                }
                cursor = page.NextCursor;
            } while (cursor is not null);
            if (RecoverInFlight)
            {
                cursor = null;
                do
                {
                    var page = await store.ListJobsAsync(new JobQuery(Status: JobStatus.Processing, Limit: 500, Cursor: cursor), ct).ConfigureAwait(false);
                    foreach (var job in page.Items.Where(j => j.CreatedAt < cutoff))
                    {
                        // Found in processing: the process that held it died, perhaps because of it. That counts as a delivery
                        // (attempts only grow, and survive the restart in the store), so a file that kills its process reaches
                        // the poison limit instead of a crash loop.
                        var deliveries = job.Attempts + 1;
                        if (Attempts is not null && deliveries > MaxDeliveries)
                        {
                            var reason = $"poison: delivered {deliveries} times without finishing (limit {MaxDeliveries}); the process handling it stopped each time";
                            if (await store.TryTransitionAsync(job.Id, JobStatus.Processing, JobStatus.Failed,
                                    new StatusDetails(DocumentErrorCode.Internal.ToWireName(), reason), ct).ConfigureAwait(false))
                            {
                                Log.Poisoned(logger, job.Id, deliveries, MaxDeliveries);
                                if (Completion is not null) await Completion.JobEndedAsync(job.BatchId, ct).ConfigureAwait(false);
                            }
                            continue;
                        }
                        if (Attempts is not null) await Attempts.RecordAttemptAsync(job.Id, deliveries, ct).ConfigureAwait(false);
                        if (!await store.TryTransitionAsync(job.Id, JobStatus.Processing, JobStatus.Queued, null, ct).ConfigureAwait(false)) continue;
                        Hold(new JobTicket(job.Id, job.Route, job.Priority, job.BlobKey) { BatchId = job.BatchId, FileName = job.FileName, EnqueuedAt = job.CreatedAt });
                        recovered++;
                    }
                    cursor = page.NextCursor;
                } while (cursor is not null);
            }
            if (recovered > 0) Log.Recovered(logger, recovered);
        }
        catch (StoreUnavailableException ex)
        {
            Log.RecoveryFailed(logger, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "Queue unreachable ({Reason}); accepted uploads are held and handed over when it returns")]
        public static partial void QueueUnreachable(ILogger logger, string reason);

        [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Queue reachable again; every held upload was handed over")]
        public static partial void HandedOver(ILogger logger);

        [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "Offered {Count} old queued jobs to the queue again")]
        public static partial void Recovered(ILogger logger, int count);

        [LoggerMessage(EventId = 404, Level = LogLevel.Warning, Message = "Job {JobId} was in flight when a process stopped, {Deliveries} deliveries in all (limit {Limit}): failed as poison, not offered again")]
        public static partial void Poisoned(ILogger logger, string jobId, int deliveries, int limit);

        [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "Could not look for old queued jobs: {Reason}")]
        public static partial void RecoveryFailed(ILogger logger, string reason);
    }
}
