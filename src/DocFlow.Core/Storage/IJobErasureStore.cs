namespace DocFlow.Storage;

/// <summary>The erasure side of the job store (GDPR Art. 17, HIPAA disposal, retention): removes a document or a batch
/// with everything the database keeps about it, places and lifts legal holds, and finds what retention should sweep.</summary>
/// <remarks>
/// Used by the API role only (<c>DELETE /api/v1/documents/{id}</c>, <c>/batches/{id}</c>, the hold routes, the retention
/// sweeper). It removes rows; the caller removes what lives outside the database (blobs, queue entries, caches) with
/// what <see cref="Erasure"/> returns. Guarded like every move of the store: a job is removed only if it is not
/// processing and neither it nor its batch is held, checked in the statement that deletes it.
/// </remarks>
public interface IJobErasureStore
{
    /// <summary>Removes the job, its status history, result and split parts. When it was the batch's last document the
    /// batch and its report row go too; otherwise the batch shrinks by one and its report row (which shows the job) is
    /// removed so that the report is made again.</summary>
    /// <param name="jobId">The job.</param>
    /// <param name="beforeCommit">Called with what is being removed while the transaction is still open (the caller removes
    /// queue entries and blobs there); if it throws, the transaction rolls back and nothing is removed, so a retried
    /// erasure finds everything again. Not called when the erasure is refused.</param>
    /// <param name="cancellationToken">Cancels the erasure.</param>
    Task<Erasure> EraseJobAsync(string jobId, Func<Erasure, CancellationToken, Task>? beforeCommit, CancellationToken cancellationToken);

    /// <summary>Removes the batch, every job of it (as <see cref="EraseJobAsync"/>) and its report row, or nothing.</summary>
    Task<Erasure> EraseBatchAsync(string batchId, Func<Erasure, CancellationToken, Task>? beforeCommit, CancellationToken cancellationToken);

    /// <summary>Whether any remaining job's original or any remaining batch report file is stored under <paramref name="blobKey"/>
    /// (blobs are content-addressed, so two uploads of the same bytes share one).</summary>
    Task<bool> IsBlobReferencedAsync(string blobKey, CancellationToken cancellationToken);

    /// <summary>Places (<paramref name="held"/> true) or lifts a legal hold on a job; false when there is no such job.</summary>
    Task<bool> SetJobHoldAsync(string jobId, bool held, CancellationToken cancellationToken);

    /// <summary>Places or lifts a legal hold on a batch (which covers all of its jobs); false when there is no such batch.</summary>
    Task<bool> SetBatchHoldAsync(string batchId, bool held, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> ids of jobs that ended (succeeded or failed) before <paramref name="finishedBefore"/>
    /// and are not held (neither the job nor its batch), oldest first: what the retention sweeper erases.</summary>
    /// <param name="finishedBefore">The cut-off.</param>
    /// <param name="tenant">Only this tenant's jobs; null for every tenant but <paramref name="exceptTenants"/>.</param>
    /// <param name="exceptTenants">Tenants left out when <paramref name="tenant"/> is null (those with a period of their own).</param>
    /// <param name="limit">At most this many ids.</param>
    /// <param name="cancellationToken">Stops the query.</param>
    Task<IReadOnlyList<string>> ListExpiredJobsAsync(DateTimeOffset finishedBefore, string? tenant, IReadOnlyCollection<string> exceptTenants, int limit, CancellationToken cancellationToken);
}

/// <summary>Why an erasure did or did not happen.</summary>
public enum ErasureOutcome
{
    /// <summary>Removed.</summary>
    Erased,
    /// <summary>No such document or batch.</summary>
    NotFound,
    /// <summary>The document or its batch is under legal hold; nothing was removed.</summary>
    Held,
    /// <summary>A worker has the document (or one of the batch's); nothing was removed. Ask again when it has ended.</summary>
    Processing,
}

/// <summary>A job as erasure removed it: its ids and hashes, never its name or content.</summary>
/// <param name="Id">The job id.</param>
/// <param name="BatchId">Its batch.</param>
/// <param name="BlobKey">Where its original was stored.</param>
/// <param name="Sha256">The content's SHA-256 (lower-case hex), when it was stored.</param>
public sealed record ErasedJob(string Id, string BatchId, string BlobKey, string? Sha256)
{
    /// <summary>The tenant the job belonged to.</summary>
    public string Tenant { get; init; } = Security.Tenants.Default;
}

/// <summary>What an erasure removed from the database, for the caller to remove the rest (blobs, queue entries, caches).</summary>
/// <param name="Outcome">Whether it happened.</param>
/// <param name="Jobs">The jobs removed.</param>
/// <param name="BatchRemoved">Whether the batch row went too (its last document, or a batch erasure).</param>
/// <param name="BatchId">The batch concerned (null when not found).</param>
/// <param name="ReportBlobKeys">Blob keys of the batch report's files whose record was removed.</param>
public sealed record Erasure(ErasureOutcome Outcome, IReadOnlyList<ErasedJob> Jobs, bool BatchRemoved, string? BatchId, IReadOnlyList<string> ReportBlobKeys)
{
    /// <summary>Of the originals' and report files' blob keys, those no remaining job or report refers to any more (seen
    /// inside the erasing transaction): the blobs to delete. Blobs are content-addressed, so a key shared with another
    /// document is not among them.</summary>
    public IReadOnlyList<string> FreedBlobKeys { get; init; } = [];

    public static Erasure Refused(ErasureOutcome outcome, string? batchId = null) => new(outcome, [], false, batchId, []);
}
