using DocFlow.Blobs;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Storage;
using Microsoft.Extensions.Logging;

namespace DocFlow.Server.Erasure;

/// <summary>
/// Erases a document or a batch everywhere DocFlow keeps it (GDPR Art. 17, HIPAA disposal): its queue tickets (waiting,
/// delayed, pending, dead-lettered), its rows (job, status history, result, split parts, the batch report's record; the
/// batch when nothing is left of it), its original and the batch report's files in blob storage (unless another remaining
/// job shares the same content-addressed blob) and the API's cached batch aggregate. Used by the DELETE routes and the
/// retention sweeper; the audit entry is theirs.
/// </summary>
/// <remarks>
/// Order: one guarded transaction removes the rows (not found, held, processing: nothing is touched); before it commits,
/// the queue tickets and the blobs no remaining row refers to are removed, so a failure there (Redis or S3 unreachable)
/// rolls the rows back and the DELETE can be sent again: an erasure is whole or, as far as the database knows, not
/// begun. A ticket a worker fetches meanwhile (or already held) finds no job and is dropped. When a document of a larger
/// batch is erased, the batch report (which showed it) is made again.
/// </remarks>
public sealed partial class ErasureService(
    IJobErasureStore store, IJobMonitoringStore monitoring, IBlobStore blobs, IQueueErasure queue, ILogger<ErasureService> logger,
    BatchCompletion? completion = null)
{
    /// <summary>Erases one document (job) and what belongs only to it.</summary>
    public async Task<Storage.Erasure> EraseDocumentAsync(string jobId, CancellationToken cancellationToken)
    {
        var job = await monitoring.GetJobAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (job is null) return Storage.Erasure.Refused(ErasureOutcome.NotFound);
        if (job.LegalHold) return Storage.Erasure.Refused(ErasureOutcome.Held, job.BatchId);
        if (job.Status == JobStatus.Processing) return Storage.Erasure.Refused(ErasureOutcome.Processing, job.BatchId);
        var erasure = await store.EraseJobAsync(jobId, CleanUpAsync, cancellationToken).ConfigureAwait(false);
        return await FinishAsync(erasure, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Erases a batch with all of its documents and its report.</summary>
    public async Task<Storage.Erasure> EraseBatchAsync(string batchId, CancellationToken cancellationToken)
    {
        var batch = await monitoring.GetBatchAsync(batchId, cancellationToken).ConfigureAwait(false);
        if (batch is null) return Storage.Erasure.Refused(ErasureOutcome.NotFound);
        if (batch.LegalHold) return Storage.Erasure.Refused(ErasureOutcome.Held, batchId);
        if (batch.Processing > 0) return Storage.Erasure.Refused(ErasureOutcome.Processing, batchId);
        var erasure = await store.EraseBatchAsync(batchId, CleanUpAsync, cancellationToken).ConfigureAwait(false);
        return await FinishAsync(erasure, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Inside the store's transaction: the queue entries, then the blobs no remaining row refers to. A failure
    /// rolls the rows back, so the DELETE can simply be sent again.</summary>
    private async Task CleanUpAsync(Storage.Erasure erasure, CancellationToken ct)
    {
        // Whatever is left on the queue (dead letters, retries, the batch's report ticket when the batch goes).
        await queue.EraseAsync([.. erasure.Jobs.Select(j => j.Id)], erasure.BatchRemoved ? erasure.BatchId : null, ct).ConfigureAwait(false);
        // A rejected upload's key (all zeros) names no blob: deleting it is a no-op.
        foreach (var key in erasure.FreedBlobKeys) await blobs.DeleteAsync(key, ct).ConfigureAwait(false);
    }

    /// <summary>After the commit: caches, and the report of a batch that lost one document is made again.</summary>
    private async Task<Storage.Erasure> FinishAsync(Storage.Erasure erasure, CancellationToken ct)
    {
        if (erasure.Outcome != ErasureOutcome.Erased) return erasure;
        var batchId = erasure.BatchId!;
        Api.BatchesApi.Forget(batchId);
        if (!erasure.BatchRemoved && completion is not null)
        {
            // The report showed the erased document: made again for the documents left (if the batch has ended).
            try
            {
                await completion.JobEndedAsync(batchId, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.ReportNotRequeued(logger, batchId, e.Message);
            }
        }
        Log.Erased(logger, erasure.Jobs.Count, batchId, erasure.BatchRemoved);
        return erasure;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Erased {Count} document(s) of batch {BatchId} (batch removed: {BatchRemoved})")]
        public static partial void Erased(ILogger logger, int count, string batchId, bool batchRemoved);

        [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Batch {BatchId}: its report was not queued again after an erasure ({Reason})")]
        public static partial void ReportNotRequeued(ILogger logger, string batchId, string reason);
    }
}
