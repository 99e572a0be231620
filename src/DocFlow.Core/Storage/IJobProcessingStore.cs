using DocFlow.Documents;
using DocFlow.Processing;

namespace DocFlow.Storage;

/// <summary>The worker's side of the job store: what processing one job reads and writes
/// (<see cref="DocumentJobHandler"/>; split jobs add <see cref="IJobPartStore"/>).</summary>
/// <remarks>
/// One of three ports on the durable record of batches, jobs and results, split by consumer as Hangfire splits its
/// storage from its monitoring API: <see cref="IJobProcessingStore"/> (workers), <see cref="IJobIntakeStore"/>
/// (ingest, recovery, requeue) and <see cref="IJobMonitoringStore"/> (API reads, dashboard, readiness). One adapter
/// (EF Core: SQLite embedded, PostgreSQL distributed) implements all three on one instance.
/// Every method is safe under at-least-once delivery: status moves are guarded compare-and-set
/// (<see cref="TryTransitionAsync"/>), results are upserted by job id, attempts only grow.
/// A database that cannot be reached surfaces as <see cref="StoreUnavailableException"/>.
/// </remarks>
public interface IJobProcessingStore
{
    /// <summary>The job with its status history, or null.</summary>
    Task<JobRecord?> GetJobAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Raises the job's attempt count to <paramref name="attempts"/> (never lowers it; a redelivery of the same try changes nothing).</summary>
    Task RecordAttemptAsync(string jobId, int attempts, CancellationToken cancellationToken);

    /// <summary>Moves the job from <paramref name="from"/> to <paramref name="to"/> if it is still in <paramref name="from"/>.</summary>
    /// <returns>False when the job is not in <paramref name="from"/> (someone else moved it, or it does not exist).</returns>
    /// <exception cref="ArgumentException">The move is never allowed (<see cref="JobStatuses.CanMove"/>).</exception>
    Task<bool> TryTransitionAsync(string jobId, JobStatus from, JobStatus to, StatusDetails? details, CancellationToken cancellationToken);

    /// <summary>Stores the Document and its processing stats; one result per job however often it is called.</summary>
    Task SaveResultAsync(string jobId, Document document, ProcessingStats stats, CancellationToken cancellationToken);

    /// <summary>
    /// Stores the Document and moves the job from processing to succeeded as one change: both or neither. A worker
    /// that dies, or a store that goes away, between the two can then not leave a stored result on a job still
    /// processing, which its next delivery would process and write again (the chaos run, tools/chaos, counts result
    /// writes and found exactly that after a PostgreSQL crash).
    /// </summary>
    /// <returns>False, with nothing written, when the job is not processing (another delivery ended it).</returns>
    /// <remarks>The default is the two calls one after the other, for stores where nothing can fail in between (in memory).</remarks>
    async Task<bool> TrySucceedAsync(string jobId, Document document, ProcessingStats stats, CancellationToken cancellationToken)
    {
        await SaveResultAsync(jobId, document, stats, cancellationToken).ConfigureAwait(false);
        return await TryTransitionAsync(jobId, JobStatus.Processing, JobStatus.Succeeded, null, cancellationToken).ConfigureAwait(false);
    }
}
