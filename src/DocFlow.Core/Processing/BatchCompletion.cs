using DocFlow.Queueing;
using DocFlow.Storage;

namespace DocFlow.Processing;

/// <summary>
/// Puts a batch's report job on the <see cref="JobRoute.Report"/> route once its last document has ended: called by the
/// worker after each final status move, and by the ingest after a batch whose documents all ended at the door.
/// </summary>
/// <remarks>Two callers may both see the batch complete (the last worker and the ingest): the report ticket then runs
/// twice, rendering the same report, which the report store records once. Never more work than that.</remarks>
/// <para>An <see cref="IJobEndObserver"/> (webhooks) hears of every call, completed or not, before the report check.</para>
public sealed class BatchCompletion(IJobMonitoringStore store, IJobQueue queue, TimeProvider? time = null, IJobEndObserver? observer = null)
{
    /// <summary>The id of a batch's report ticket.</summary>
    public static string ReportJobId(string batchId) => batchId + "-report";

    /// <summary>Enqueues the batch's report job if every document of <paramref name="batchId"/> has ended.</summary>
    /// <returns>Whether it did.</returns>
    public async Task<bool> JobEndedAsync(string? batchId, CancellationToken cancellationToken)
    {
        if (batchId is null) return false;
        // Most calls come while the batch still runs: an index seek answers them, not a count of the whole batch (which,
        // asked after every job, made a batch of N documents cost N² rows read).
        if (await store.HasOpenJobsAsync(batchId, cancellationToken).ConfigureAwait(false)) return false;
        var batch = await store.GetBatchAsync(batchId, cancellationToken).ConfigureAwait(false);
        if (batch is not null && observer is not null)
            await observer.JobEndedAsync(batch, cancellationToken).ConfigureAwait(false);
        if (batch is not { Status: BatchStatus.Completed }) return false;
        await queue.EnqueueAsync(new JobTicket(ReportJobId(batchId), JobRoute.Report, JobPriority.Normal, batchId)
        {
            BatchId = batchId,
            EnqueuedAt = (time ?? TimeProvider.System).GetUtcNow(),
        }, cancellationToken).ConfigureAwait(false);
        return true;
    }
}

/// <summary>Told after jobs of a batch ended (one call may stand for several): webhooks emit their events from it.</summary>
/// <remarks>Implementations must not throw: a failure here would retry a document job that already ended.</remarks>
public interface IJobEndObserver
{
    Task JobEndedAsync(BatchRecord batch, CancellationToken cancellationToken);
}

/// <summary>Sends each job to the handler of its route: documents (image, pdf), the batch report or a webhook delivery.</summary>
/// <remarks>Without a report handler a report ticket is acknowledged and dropped: a host that does not make reports
/// never blocks the queue with them.</remarks>
public sealed class JobRouter(IJobHandler documents, IJobHandler? reports, IJobHandler? webhooks = null) : IJobHandler
{
    public Task HandleAsync(JobTicket ticket, CancellationToken cancellationToken) =>
        HandlerOf(ticket)?.HandleAsync(ticket, cancellationToken) ?? Task.CompletedTask;

    public Task OnDeadLetteredAsync(JobTicket ticket, string reason, CancellationToken cancellationToken) =>
        HandlerOf(ticket)?.OnDeadLetteredAsync(ticket, reason, cancellationToken) ?? Task.CompletedTask;

    public Task OnRetryingAsync(JobTicket ticket, TimeSpan delay, string reason, CancellationToken cancellationToken) =>
        HandlerOf(ticket)?.OnRetryingAsync(ticket, delay, reason, cancellationToken) ?? Task.CompletedTask;

    private IJobHandler? HandlerOf(JobTicket ticket) => ticket.Route switch
    {
        JobRoute.Report => reports,
        JobRoute.Webhook => webhooks,
        _ => documents,
    };
}
