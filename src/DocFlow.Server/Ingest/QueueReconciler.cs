using DocFlow.Diagnostics;
using DocFlow.Queueing;
using DocFlow.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DocFlow.Server.Ingest;

/// <summary>
/// Re-drives jobs the store still expects to run but the queue has lost. A Redis failover promotes a replica that may
/// lack the last writes (replication is asynchronous); a flushed or rebuilt Redis has nothing. The start-up recovery of
/// <see cref="QueueHandoff"/> runs once, when the API starts; this runs every <see cref="Interval"/> for as long as the
/// API does: it lists the store's queued and processing jobs older than <see cref="MinAge"/>, reads the queue's
/// inventory (<see cref="IQueueInventory"/>, one atomic read), and hands every job missing from it to the queue again
/// (a processing one back to queued first; the store's transition guards against a worker that finished meanwhile).
/// </summary>
/// <remarks>
/// Order matters: the store is read before the queue, so a job the store lists is either still in the queue, or
/// acknowledged (its status already final, so the transition refuses), or truly lost. <see cref="MinAge"/> covers
/// uploads recorded in the store but not yet written to Redis. Several API replicas may re-drive the same queued job
/// twice; results are stored under the job id and the handler skips finished jobs, so a duplicate costs work, not
/// correctness. Queues without an inventory (the in-process one, recovered at start-up) are left alone.
/// </remarks>
public sealed partial class QueueReconciler(
    IJobQueue queue, IJobIntakeStore store, QueueHandoff handoff, TimeProvider time, ILogger<QueueReconciler> logger,
    DocFlowTelemetry? telemetry = null) : BackgroundService
{
    /// <summary>Time between two passes. <value>Default 2 min.</value></summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Jobs younger than this are not judged (they may be on their way to the queue). <value>Default 2 min.</value></summary>
    public TimeSpan MinAge { get; init; } = TimeSpan.FromMinutes(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (queue is not IQueueInventory inventory) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
                // The queue is down or uploads are held for it: the hand-off re-offers them; judge nothing now.
                if (handoff.QueueDown || handoff.Held > 0) continue;
                var redriven = await ReconcileAsync(inventory, stoppingToken).ConfigureAwait(false);
                if (redriven > 0) Log.Redriven(logger, redriven);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.Failed(logger, ex.Message);
            }
        }
    }

    /// <summary>One pass; returns how many jobs were handed to the queue again.</summary>
    public async Task<int> ReconcileAsync(IQueueInventory inventory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        // Every tenant's jobs: unscoped, whatever flow started the host.
        using var tenants = DocFlow.Security.AmbientTenantScope.Enter(null);
        var cutoff = time.GetUtcNow() - MinAge;
        var expected = new List<JobRecord>();
        foreach (var status in new[] { JobStatus.Queued, JobStatus.Processing })
        {
            string? cursor = null;
            do
            {
                var page = await store.ListJobsAsync(new JobQuery(Status: status, Limit: 500, Cursor: cursor), cancellationToken).ConfigureAwait(false);
                expected.AddRange(page.Items.Where(j => j.CreatedAt < cutoff));
                cursor = page.NextCursor;
            } while (cursor is not null);
        }
        if (expected.Count == 0) return 0;
        var held = await inventory.ListJobIdsAsync(cancellationToken).ConfigureAwait(false);
        var redriven = 0;
        foreach (var job in expected.Where(j => !held.Contains(j.Id)))
        {
            if (job.Status == JobStatus.Processing
                && !await store.TryTransitionAsync(job.Id, JobStatus.Processing, JobStatus.Queued, null, cancellationToken).ConfigureAwait(false))
                continue; // finished (or moved on) since the store was read
            await handoff.EnqueueAsync(new JobTicket(job.Id, job.Route, job.Priority, job.BlobKey)
            {
                BatchId = job.BatchId, FileName = job.FileName, EnqueuedAt = job.CreatedAt,
            }, cancellationToken).ConfigureAwait(false);
            telemetry?.JobsRedriven.Add(1, new KeyValuePair<string, object?>(DocFlowTelemetry.Tags.Route, job.Route.ToWireName()));
            redriven++;
        }
        return redriven;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 420, Level = LogLevel.Warning, Message = "Re-drove {Count} jobs the queue had lost (Redis failover or flush?)")]
        public static partial void Redriven(ILogger logger, int count);

        [LoggerMessage(EventId = 421, Level = LogLevel.Warning, Message = "Queue reconciliation failed ({Reason}); retrying at the next pass")]
        public static partial void Failed(ILogger logger, string reason);
    }
}
