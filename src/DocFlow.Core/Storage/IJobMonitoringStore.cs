using DocFlow.Documents;

namespace DocFlow.Storage;

/// <summary>The read side of the job store (Hangfire's monitoring API): batches, jobs, results and recent throughput
/// for the API, the CLI's status, the dashboard and readiness. It changes nothing.</summary>
/// <remarks>See <see cref="IJobProcessingStore"/> for the three store ports and their guarantees.</remarks>
public interface IJobMonitoringStore
{
    /// <summary>The batch with its counts per status, or null.</summary>
    Task<BatchRecord?> GetBatchAsync(string batchId, CancellationToken cancellationToken);

    /// <summary>Whether any job of the batch is still queued or processing: one index seek (batch_id, status), where
    /// <see cref="GetBatchAsync"/> counts every job of the batch. Asked after every job that ends, so it must stay cheap
    /// on a batch of 100,000 documents.</summary>
    Task<bool> HasOpenJobsAsync(string batchId, CancellationToken cancellationToken);

    /// <summary>Recent batches, newest first, with their counts per status (the dashboard's batch list).</summary>
    Task<BatchPage> ListBatchesAsync(BatchQuery query, CancellationToken cancellationToken);

    /// <summary>The job with its status history, or null.</summary>
    Task<JobRecord?> GetJobAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Pages through jobs: a batch's documents, jobs in a status, or recent jobs (dashboard).</summary>
    Task<JobPage> ListJobsAsync(JobQuery query, CancellationToken cancellationToken);

    /// <summary>The stored Document of the job, or null.</summary>
    Task<Document?> GetResultAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Every job that finished (succeeded or failed) at or after <paramref name="since"/>, oldest first:
    /// the few columns throughput and latency are computed from (the dashboard's last hour).</summary>
    /// <remarks>Served by the index on finished_at, so its cost follows the jobs of the window, not the size of the store.</remarks>
    Task<IReadOnlyList<FinishedJob>> ListFinishedSinceAsync(DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>A cheap round trip to the database; throws <see cref="StoreUnavailableException"/> when it is down.</summary>
    Task PingAsync(CancellationToken cancellationToken);
}
