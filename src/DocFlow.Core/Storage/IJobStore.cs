using DocFlow.Documents;
using DocFlow.Processing;

namespace DocFlow.Storage;

/// <summary>The durable record of batches, jobs and results (SQLite embedded, PostgreSQL distributed).</summary>
/// <remarks>
/// Every method is safe under at-least-once delivery: status moves are guarded compare-and-set
/// (<see cref="TryTransitionAsync"/>), results are upserted by job id, attempts only grow.
/// A database that cannot be reached surfaces as <see cref="StoreUnavailableException"/>.
/// </remarks>
public interface IJobStore
{
    /// <summary>Records a batch and its jobs (all queued) in one transaction. A single upload is a batch of one.</summary>
    Task<BatchRecord> CreateBatchAsync(string batchId, IReadOnlyList<NewJob> jobs, CancellationToken cancellationToken);

    /// <summary>The batch with its counts per status, or null.</summary>
    Task<BatchRecord?> GetBatchAsync(string batchId, CancellationToken cancellationToken);

    /// <summary>The job with its status history, or null.</summary>
    Task<JobRecord?> GetJobAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Pages through jobs: a batch's documents, jobs in a status (recovery), or recent jobs (dashboard).</summary>
    Task<JobPage> ListJobsAsync(JobQuery query, CancellationToken cancellationToken);

    /// <summary>Moves the job from <paramref name="from"/> to <paramref name="to"/> if it is still in <paramref name="from"/>.</summary>
    /// <returns>False when the job is not in <paramref name="from"/> (someone else moved it, or it does not exist).</returns>
    /// <exception cref="ArgumentException">The move is never allowed (<see cref="JobStatuses.CanMove"/>).</exception>
    Task<bool> TryTransitionAsync(string jobId, JobStatus from, JobStatus to, StatusDetails? details, CancellationToken cancellationToken);

    /// <summary>An operator's requeue (of a dead letter): a failed job goes back to queued, its error cleared.
    /// The one move out of <c>failed</c>, never made by workers.</summary>
    /// <returns>False when the job is not failed.</returns>
    Task<bool> RequeueFailedAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Raises the job's attempt count to <paramref name="attempts"/> (never lowers it; a redelivery of the same try changes nothing).</summary>
    Task RecordAttemptAsync(string jobId, int attempts, CancellationToken cancellationToken);

    /// <summary>Stores the Document and its processing stats; one result per job however often it is called.</summary>
    Task SaveResultAsync(string jobId, Document document, ProcessingStats stats, CancellationToken cancellationToken);

    /// <summary>The stored Document of the job, or null.</summary>
    Task<Document?> GetResultAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>A succeeded job with the same content and options (dedup), or null.</summary>
    Task<JobRecord?> FindSucceededAsync(string sha256, string optionsKey, CancellationToken cancellationToken);

    /// <summary>Recent batches, newest first, with their counts per status (the dashboard's batch list).</summary>
    Task<BatchPage> ListBatchesAsync(BatchQuery query, CancellationToken cancellationToken);

    /// <summary>Every job that finished (succeeded or failed) at or after <paramref name="since"/>, oldest first:
    /// the few columns throughput and latency are computed from (the dashboard's last hour).</summary>
    /// <remarks>Served by the index on finished_at, so its cost follows the jobs of the window, not the size of the store.</remarks>
    Task<IReadOnlyList<FinishedJob>> ListFinishedSinceAsync(DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>A cheap round trip to the database; throws <see cref="StoreUnavailableException"/> when it is down.</summary>
    Task PingAsync(CancellationToken cancellationToken);
}
