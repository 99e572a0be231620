using DocFlow.Queueing;
using DocFlow.Storage;

namespace DocFlow.Processing;

/// <summary>
/// Puts a batch's report job on the <see cref="JobRoute.Report"/> route once its last document has ended: called by the
/// worker after each final status move, and by the ingest after a batch whose documents all ended at the door.
/// </summary>
/// <remarks>Two callers may both see the batch complete (the last worker and the ingest): the report ticket then runs
/// twice, rendering the same report, which the report store records once. Never more work than that.</remarks>
public sealed class BatchCompletion(IJobMonitoringStore store, IJobQueue queue, TimeProvider? time = null)
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
        if (batch is not { Status: BatchStatus.Completed }) return false;
        await queue.EnqueueAsync(new JobTicket(ReportJobId(batchId), JobRoute.Report, JobPriority.Normal, batchId)
        {
            BatchId = batchId,
            EnqueuedAt = (time ?? TimeProvider.System).GetUtcNow(),
        }, cancellationToken).ConfigureAwait(false);
        return true;
    }
}

/// <summary>Sends each job to the handler of its route: documents (image, pdf) or the batch report.</summary>
/// <remarks>Without a report handler a report ticket is acknowledged and dropped: a host that does not make reports
/// never blocks the queue with them.</remarks>
public sealed class JobRouter(IJobHandler documents, IJobHandler? reports) : IJobHandler
{
    public Task HandleAsync(JobTicket ticket, CancellationToken cancellationToken) =>
        ticket.Route != JobRoute.Report ? documents.HandleAsync(ticket, cancellationToken)
        : reports?.HandleAsync(ticket, cancellationToken) ?? Task.CompletedTask;

    public Task OnDeadLetteredAsync(JobTicket ticket, string reason, CancellationToken cancellationToken) =>
        ticket.Route != JobRoute.Report ? documents.OnDeadLetteredAsync(ticket, reason, cancellationToken)
        : reports?.OnDeadLetteredAsync(ticket, reason, cancellationToken) ?? Task.CompletedTask;
}
