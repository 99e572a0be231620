using DocFlow.Documents;
using DocFlow.Processing;

namespace DocFlow.Storage;

/// <summary>The ingest side of the job store: recording what was accepted, answering duplicates from an earlier
/// result, re-offering jobs to the queue after a restart and an operator's requeue of a dead letter.</summary>
/// <remarks>
/// Used by the API role only (ingest, queue hand-off and recovery, the dead-letter requeue); a worker never takes it.
/// Same guarantees as <see cref="IJobProcessingStore"/> (compare-and-set moves, idempotent results), which describes
/// the three store ports. The members shared with the other ports have the same meaning there.
/// </remarks>
public interface IJobIntakeStore
{
    /// <summary>Records a batch and its jobs (all queued) in one transaction, in the tenant <c>default</c>. A single upload is a batch of one.</summary>
    Task<BatchRecord> CreateBatchAsync(string batchId, IReadOnlyList<NewJob> jobs, CancellationToken cancellationToken);

    /// <summary>Records a batch of <paramref name="tenant"/> and its jobs (all queued) in one transaction.</summary>
    Task<BatchRecord> CreateBatchAsync(string batchId, string tenant, IReadOnlyList<NewJob> jobs, CancellationToken cancellationToken);

    /// <summary>A succeeded job of the tenant <c>default</c> with the same content and options (dedup), or null.</summary>
    Task<JobRecord?> FindSucceededAsync(string sha256, string optionsKey, CancellationToken cancellationToken);

    /// <summary>A succeeded job of <paramref name="tenant"/> with the same content and options (dedup), or null. Never
    /// another tenant's: a duplicate answered across tenants would tell one tenant what another uploaded.</summary>
    Task<JobRecord?> FindSucceededAsync(string tenant, string sha256, string optionsKey, CancellationToken cancellationToken);

    /// <summary>What <paramref name="tenant"/> uses now (documents recorded since <paramref name="since"/>, bytes
    /// stored, jobs queued or processing), for its quotas.</summary>
    Task<TenantUsage> GetTenantUsageAsync(string tenant, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>The stored Document of the job (the earlier result a duplicate is answered with), or null.</summary>
    Task<Document?> GetResultAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Stores the Document and its stats (a duplicate's copy); one result per job however often it is called.</summary>
    Task SaveResultAsync(string jobId, Document document, ProcessingStats stats, CancellationToken cancellationToken);

    /// <summary>The result and the move from processing to succeeded as one change (see <see cref="IJobProcessingStore.TrySucceedAsync"/>).</summary>
    async Task<bool> TrySucceedAsync(string jobId, Document document, ProcessingStats stats, CancellationToken cancellationToken)
    {
        await SaveResultAsync(jobId, document, stats, cancellationToken).ConfigureAwait(false);
        return await TryTransitionAsync(jobId, JobStatus.Processing, JobStatus.Succeeded, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Moves the job from <paramref name="from"/> to <paramref name="to"/> if it is still in <paramref name="from"/>
    /// (bad input failed at once, a duplicate answered, a job in flight of a dead process re-queued).</summary>
    /// <returns>False when the job is not in <paramref name="from"/>.</returns>
    /// <exception cref="ArgumentException">The move is never allowed (<see cref="JobStatuses.CanMove"/>).</exception>
    Task<bool> TryTransitionAsync(string jobId, JobStatus from, JobStatus to, StatusDetails? details, CancellationToken cancellationToken);

    /// <summary>Pages through jobs; recovery asks for the jobs in one status (queued, processing).</summary>
    Task<JobPage> ListJobsAsync(JobQuery query, CancellationToken cancellationToken);

    /// <summary>An operator's requeue (of a dead letter): a failed job goes back to queued, its error cleared.
    /// The one move out of <c>failed</c>, never made by workers.</summary>
    /// <returns>False when the job is not failed.</returns>
    Task<bool> RequeueFailedAsync(string jobId, CancellationToken cancellationToken);
}
