using DocFlow.Blobs;
using DocFlow.Queueing;
using DocFlow.Storage;
using Microsoft.Extensions.Logging;

namespace DocFlow.Processing;

/// <summary>
/// The worker side of a document job, the same in embedded and distributed mode: mark it processing, load the
/// original from blob storage, run the engine, store the result (idempotent), mark it succeeded — or failed when
/// the input itself is at fault. Anything else is thrown, so the worker loop retries it.
/// </summary>
public sealed partial class DocumentJobHandler(
    IJobStore store, IBlobStore blobs, IDocumentEngine engine, ILogger<DocumentJobHandler> logger) : IJobHandler
{
    public async Task HandleAsync(JobTicket ticket, CancellationToken cancellationToken)
    {
        var job = await store.GetJobAsync(ticket.JobId, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            Log.UnknownJob(logger, ticket.JobId);
            return;
        }
        if (job.Status is JobStatus.Succeeded or JobStatus.Failed)
            return; // a redelivery of a finished job: its single result is already stored

        // Attempts count every start: retries after failures and redeliveries after a worker died.
        await store.RecordAttemptAsync(job.Id, Math.Max(ticket.Attempt + 1, ticket.Deliveries), cancellationToken).ConfigureAwait(false);
        if (job.Status == JobStatus.Queued)
            await store.TryTransitionAsync(job.Id, JobStatus.Queued, JobStatus.Processing, null, cancellationToken).ConfigureAwait(false);

        byte[] content;
        await using (var stream = await blobs.OpenReadAsync(job.BlobKey, cancellationToken).ConfigureAwait(false))
        using (var buffer = new MemoryStream())
        {
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            content = buffer.ToArray();
        }

        try
        {
            var result = await engine.ProcessAsync(new DocumentInput(job.FileName, content), cancellationToken).ConfigureAwait(false);
            await store.SaveResultAsync(job.Id, result.Document, result.Stats, cancellationToken).ConfigureAwait(false);
            await store.TryTransitionAsync(job.Id, JobStatus.Processing, JobStatus.Succeeded, null, cancellationToken).ConfigureAwait(false);
        }
        catch (DocumentException ex) when (!ex.Code.IsTransient())
        {
            await store.TryTransitionAsync(job.Id, JobStatus.Processing, JobStatus.Failed,
                new StatusDetails(ex.Code.ToWireName(), ex.Message), cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task OnDeadLetteredAsync(JobTicket ticket, string reason, CancellationToken cancellationToken)
    {
        var details = new StatusDetails(DocumentErrorCode.Internal.ToWireName(), reason);
        if (!await store.TryTransitionAsync(ticket.JobId, JobStatus.Processing, JobStatus.Failed, details, cancellationToken).ConfigureAwait(false))
            await store.TryTransitionAsync(ticket.JobId, JobStatus.Queued, JobStatus.Failed, details, cancellationToken).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "Job {JobId} is not in the store; its ticket is dropped")]
        public static partial void UnknownJob(ILogger logger, string jobId);
    }
}
