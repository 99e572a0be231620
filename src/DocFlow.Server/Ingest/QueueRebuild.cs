using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Redis;
using DocFlow.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DocFlow.Server.Ingest;

/// <summary>
/// Rebuilds the Redis queue from the store when Redis comes up empty: the standby region's Redis after a failover
/// (docs/multi-region.md), a Redis restarted without persistence, a flushed one. At start and then every
/// <see cref="CheckEvery"/> it asks <see cref="RedisQueueGeneration"/> whether this Redis lacks the generation marker
/// and holds no entries; the one API that claims the rebuild then offers every <c>queued</c> job of the store again
/// (through <see cref="QueueHandoff"/>, so a Redis that drops again holds nothing up) and takes back every
/// <c>processing</c> job (counting one delivery, failing it as poison past <see cref="MaxDeliveries"/>, as the in-flight
/// recovery of <see cref="QueueHandoff"/> does), whatever their age, then sets the marker. Jobs accepted after the
/// rebuild began are left alone: they went to this Redis already.
/// </summary>
/// <remarks>A job still running on a live worker when its Redis lost its data is taken back too and may run twice; its
/// result is stored once (results are idempotent and the last status move is compare-and-set).</remarks>
public sealed partial class QueueRebuild(RedisQueueGeneration generation, QueueHandoff handoff, IJobIntakeStore store,
    IJobMonitoringStore database, TimeProvider time, ILogger<QueueRebuild> logger) : BackgroundService
{
    private readonly string _owner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private int _rebuilds;
    private string? _lastFailure;

    /// <summary>How often the marker is checked after the start-up check. <value>Default 30 s.</value></summary>
    public TimeSpan CheckEvery { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the marker is checked while the database is a read-only standby (a warm standby region's API
    /// waiting for promotion): the rebuild then starts within this long of the promotion. <value>Default 2 s.</value></summary>
    public TimeSpan CheckEveryOnStandby { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a claimed rebuild may take before another API may claim it. <value>Default 5 minutes.</value></summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Most deliveries of one job (<see cref="RetryOptions.MaxDeliveries"/>). <value>Default 5.</value></summary>
    public int MaxDeliveries { get; init; } = 5;

    /// <summary>Where a taken-back job's delivery is recorded; without it none is counted.</summary>
    public IJobProcessingStore? Attempts { get; init; }

    /// <summary>Told when a poison job is failed, so its batch can complete.</summary>
    public BatchCompletion? Completion { get; init; }

    /// <summary>Rebuilds this process has done.</summary>
    public int Rebuilds => Volatile.Read(ref _rebuilds);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Every tenant's jobs: unscoped, whatever flow started the host.
        using var tenants = DocFlow.Security.AmbientTenantScope.Enter(null);
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = CheckEvery;
            try
            {
                await CheckAsync(stoppingToken).ConfigureAwait(false);
                _lastFailure = null;
            }
            catch (StoreUnavailableException ex)
            {
                // A standby not yet promoted (read-only) or a database away: look again soon, so a promotion is followed at once.
                Failed(ex.Message);
                wait = CheckEveryOnStandby;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Redis unreachable: QueueHandoff and /readyz report it; the next check tries again.
                Failed(ex.Message);
                wait = CheckEveryOnStandby;
            }
            await Task.Delay(wait, time, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>One check: rebuilds when this Redis is fresh and this API won the claim. Returns the jobs offered again,
    /// or null when there was nothing to rebuild.</summary>
    /// <exception cref="StoreUnavailableException">The database is away or a read-only standby: nothing was claimed.</exception>
    public async Task<int?> CheckAsync(CancellationToken cancellationToken)
    {
        // Only a writable store can take jobs back: a standby region's API claims nothing before its database is promoted.
        await database.PingAsync(cancellationToken).ConfigureAwait(false);
        if (!await generation.TryClaimAsync(_owner, Lease, cancellationToken).ConfigureAwait(false)) return null;
        try
        {
            return await RebuildAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await generation.ReleaseAsync(_owner, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<int> RebuildAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow();
        Log.Fresh(logger, generation.Key);
        var offered = 0;
        string? cursor = null;
        do
        {
            var page = await store.ListJobsAsync(new JobQuery(Status: JobStatus.Queued, Limit: 500, Cursor: cursor), cancellationToken).ConfigureAwait(false);
            foreach (var job in page.Items.Where(j => j.CreatedAt <= cutoff))
            {
                await handoff.EnqueueAsync(Ticket(job), cancellationToken).ConfigureAwait(false);
                offered++;
            }
            cursor = page.NextCursor;
        } while (cursor is not null);

        var takenBack = 0;
        cursor = null;
        do
        {
            var page = await store.ListJobsAsync(new JobQuery(Status: JobStatus.Processing, Limit: 500, Cursor: cursor), cancellationToken).ConfigureAwait(false);
            foreach (var job in page.Items.Where(j => (j.StartedAt ?? j.CreatedAt) <= cutoff))
            {
                // Its Redis entry is gone with the Redis; the worker that held it is gone too (the failed region) or will
                // find its entry missing. One more delivery, as for a process that died holding it.
                var deliveries = job.Attempts + 1;
                if (Attempts is not null && deliveries > MaxDeliveries)
                {
                    var reason = $"poison: delivered {deliveries} times without finishing (limit {MaxDeliveries}); its queue was lost each time";
                    if (await store.TryTransitionAsync(job.Id, JobStatus.Processing, JobStatus.Failed,
                            new StatusDetails(DocumentErrorCode.Internal.ToWireName(), reason), cancellationToken).ConfigureAwait(false)
                        && Completion is not null)
                        await Completion.JobEndedAsync(job.BatchId, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                if (Attempts is not null) await Attempts.RecordAttemptAsync(job.Id, deliveries, cancellationToken).ConfigureAwait(false);
                if (!await store.TryTransitionAsync(job.Id, JobStatus.Processing, JobStatus.Queued, null, cancellationToken).ConfigureAwait(false)) continue;
                await handoff.EnqueueAsync(Ticket(job), cancellationToken).ConfigureAwait(false);
                takenBack++;
            }
            cursor = page.NextCursor;
        } while (cursor is not null);

        await generation.CompleteAsync(_owner, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _rebuilds);
        Log.Rebuilt(logger, offered, takenBack);
        return offered + takenBack;
    }

    // Said once per cause, not every few seconds while a standby waits for its promotion.
    private void Failed(string reason)
    {
        if (reason == _lastFailure) return;
        _lastFailure = reason;
        Log.CheckFailed(logger, reason);
    }

    private static JobTicket Ticket(JobRecord job) =>
        new(job.Id, job.Route, job.Priority, job.BlobKey) { BatchId = job.BatchId, FileName = job.FileName, EnqueuedAt = job.CreatedAt };

    private static partial class Log
    {
        [LoggerMessage(EventId = 410, Level = LogLevel.Warning, Message = "Redis has no queue generation marker ({Key}) and no entries: rebuilding the queue from the store")]
        public static partial void Fresh(ILogger logger, string key);

        [LoggerMessage(EventId = 411, Level = LogLevel.Information, Message = "Queue rebuilt from the store: {Queued} queued jobs offered again, {InFlight} jobs left processing taken back")]
        public static partial void Rebuilt(ILogger logger, int queued, int inFlight);

        [LoggerMessage(EventId = 412, Level = LogLevel.Warning, Message = "Queue generation check failed (checked again every few seconds, said again when the reason changes): {Reason}")]
        public static partial void CheckFailed(ILogger logger, string reason);
    }
}
