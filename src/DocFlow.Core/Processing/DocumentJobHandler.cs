using System.Diagnostics;
using DocFlow.Blobs;
using DocFlow.Diagnostics;
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
    IJobStore store, IBlobStore blobs, IDocumentEngine engine, ILogger<DocumentJobHandler> logger,
    DocFlowTelemetry? telemetry = null) : IJobHandler
{
    public async Task HandleAsync(JobTicket ticket, CancellationToken cancellationToken)
    {
        telemetry?.BusySlots.Add(1);
        try
        {
            await HandleCoreAsync(ticket, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            telemetry?.BusySlots.Add(-1);
        }
    }

    private async Task HandleCoreAsync(JobTicket ticket, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var route = ticket.Route.ToWireName();
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
            DocumentResult result;
            using (var span = DocFlowTelemetry.ActivitySource.StartActivity("docflow.engine"))
            {
                span?.SetTag(DocFlowTelemetry.Tags.FileName, job.FileName).SetTag(DocFlowTelemetry.Tags.JobId, job.Id);
                try
                {
                    result = await engine.ProcessAsync(new DocumentInput(job.FileName, content), cancellationToken).ConfigureAwait(false);
                }
                catch (DocumentException ex)
                {
                    span?.SetStatus(ActivityStatusCode.Error, ex.Code.ToWireName());
                    throw;
                }
                span?.SetTag(DocFlowTelemetry.Tags.MimeType, result.Stats.MimeType)
                    .SetTag(DocFlowTelemetry.Tags.Pages, result.Stats.Pages)
                    .SetTag(DocFlowTelemetry.Tags.OcrPages, result.Stats.OcrPages.Count)
                    .SetTag(DocFlowTelemetry.Tags.EnginePath, result.Stats.EnginePath);
                // One event per page, stamped with how it was read (the engine's page work is inside this span).
                if (span is { IsAllDataRequested: true })
                {
                    var ocr = result.Stats.OcrPages.ToHashSet();
                    for (var page = 1; page <= result.Stats.Pages; page++)
                        span.AddEvent(new ActivityEvent("page", tags: new ActivityTagsCollection
                        {
                            ["docflow.page.number"] = page,
                            [DocFlowTelemetry.Tags.Path] = ocr.Contains(page) ? DocFlowTelemetry.PathOcr : DocFlowTelemetry.PathTextLayer,
                        }));
                }
            }
            await store.SaveResultAsync(job.Id, result.Document, result.Stats, cancellationToken).ConfigureAwait(false);
            if (await store.TryTransitionAsync(job.Id, JobStatus.Processing, JobStatus.Succeeded, null, cancellationToken).ConfigureAwait(false))
            {
                telemetry?.PagesRead(result.Stats.Pages, result.Stats.OcrPages.Count);
                Finished(DocFlowTelemetry.Statuses.Succeeded);
            }
        }
        catch (DocumentException ex) when (!ex.Code.IsTransient())
        {
            if (await store.TryTransitionAsync(job.Id, JobStatus.Processing, JobStatus.Failed,
                new StatusDetails(ex.Code.ToWireName(), ex.Message), cancellationToken).ConfigureAwait(false))
                Finished(DocFlowTelemetry.Statuses.Failed);
        }

        // Counted once, by the worker whose transition won: a redelivered job does not count twice.
        void Finished(string status)
        {
            telemetry?.DocumentFinished(route, status);
            telemetry?.DocumentDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>(DocFlowTelemetry.Tags.Route, route));
        }
    }

    public async Task OnDeadLetteredAsync(JobTicket ticket, string reason, CancellationToken cancellationToken)
    {
        var details = new StatusDetails(DocumentErrorCode.Internal.ToWireName(), reason);
        if (await store.TryTransitionAsync(ticket.JobId, JobStatus.Processing, JobStatus.Failed, details, cancellationToken).ConfigureAwait(false)
            || await store.TryTransitionAsync(ticket.JobId, JobStatus.Queued, JobStatus.Failed, details, cancellationToken).ConfigureAwait(false))
            telemetry?.DocumentFinished(ticket.Route.ToWireName(), DocFlowTelemetry.Statuses.Failed);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "Job {JobId} is not in the store; its ticket is dropped")]
        public static partial void UnknownJob(ILogger logger, string jobId);
    }
}
