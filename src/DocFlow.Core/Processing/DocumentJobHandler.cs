using System.Diagnostics;
using DocFlow.Blobs;
using DocFlow.Diagnostics;
using DocFlow.Queueing;
using DocFlow.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DocFlow.Processing;

/// <summary>
/// The worker side of a document job, the same in embedded and distributed mode: mark it processing, load the
/// original from blob storage, run the engine, store the result (idempotent), mark it succeeded — or failed when
/// the input itself is at fault. Anything else is thrown, so the worker loop retries it.
/// </summary>
/// <remarks>
/// A document with more pages than <see cref="SplitOptions.PageThreshold"/> is not processed in one piece: its job is
/// split into page-range tickets that any worker may take (<see cref="JobTicket.Pages"/>). Each range stores its
/// page layouts; the range that completes the set finishes the job — the same assembly and enrichment as one piece.
/// Splitting needs an <see cref="IPageRangeEngine"/> and an <see cref="IJobPartStore"/>; without them documents are
/// processed whole.
/// </remarks>
public sealed partial class DocumentJobHandler(
    IJobProcessingStore store,
    IBlobStore blobs,
    IDocumentEngine engine,
    ILogger<DocumentJobHandler> logger,
    IJobQueue? queue = null,
    IJobPartStore? parts = null,
    IOptions<SplitOptions>? splitOptions = null,
    TimeProvider? timeProvider = null,
    DocFlowTelemetry? telemetry = null,
    BatchCompletion? completion = null,
    IDocumentEngineSelector? engines = null) : IJobHandler
{
    private static readonly string WorkerName = $"{Environment.MachineName}:{Environment.ProcessId}";
    private readonly SplitOptions _split = splitOptions?.Value ?? new SplitOptions();
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public async Task HandleAsync(JobTicket ticket, CancellationToken cancellationToken)
    {
        telemetry?.SlotTaken();
        try
        {
            await HandleCoreAsync(ticket, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            telemetry?.SlotFreed();
        }
    }

    private async Task HandleCoreAsync(JobTicket ticket, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var route = ticket.Route.ToWireName();
        var jobId = ticket.ParentJobId ?? ticket.JobId;
        var job = await store.GetJobAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            Log.UnknownJob(logger, jobId);
            return;
        }
        if (job.Status is JobStatus.Succeeded or JobStatus.Failed)
        {
            // A redelivery of a finished job (or a range of a job already failed): its single outcome is stored. The
            // delivery that finished it may have died (SIGKILL, the store or the queue gone) between the final move and
            // the batch's report ticket, and no other delivery would ever queue that report: check again (a report made
            // twice is stored once; see BatchCompletion). Found by the chaos run (tools/chaos).
            await EndedAsync(job, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Attempts count every start: retries after failures and redeliveries after a worker died.
        await store.RecordAttemptAsync(job.Id, Math.Max(ticket.Attempt + 1, ticket.Deliveries), cancellationToken).ConfigureAwait(false);
        if (job.Status == JobStatus.Queued)
            await store.TryTransitionAsync(job.Id, JobStatus.Queued, JobStatus.Processing, null, cancellationToken).ConfigureAwait(false);

        try
        {
            if (ticket is { Pages: { } pages, Part: { } part } && engine is IPageRangeEngine ranges && parts is not null)
            {
                await HandleRangeAsync(job, part, pages, ranges, parts, route, started, cancellationToken).ConfigureAwait(false);
                return;
            }

            // Whole documents go to the engine configured for their route; page ranges (above) stay on the engine that split them.
            var chosen = engines?.Select(ticket.Route) ?? engine;
            var content = await LoadAsync(job, cancellationToken).ConfigureAwait(false);
            var selection = job.PageSelection is { } stored ? PageSelection.Parse(stored) : null;
            var input = new DocumentInput(job.FileName, content) { Pages = selection };
            if (_split.PageThreshold > 0 && chosen is IPageRangeEngine splitter && parts is not null && queue is not null)
            {
                var outline = splitter.Inspect(input);
                // A page selection splits by what is read: runs of the selected pages, none longer than a range.
                var selected = selection?.Resolve(outline.Pages);
                if (_split.ShouldSplit(selected?.Count ?? outline.Pages))
                {
                    var plan = selected is null ? SplitPlanner.Plan(outline.Pages, _split.RangeSize) : PageSelection.Runs(selected, _split.RangeSize);
                    await SplitAsync(ticket, job, outline, plan, parts, queue, cancellationToken).ConfigureAwait(false);
                    return;
                }
            }

            DocumentResult result;
            using (var span = DocFlowTelemetry.ActivitySource.StartActivity("docflow.engine"))
            {
                span?.SetTag(DocFlowTelemetry.Tags.FileName, job.FileName).SetTag(DocFlowTelemetry.Tags.JobId, job.Id);
                try
                {
                    result = await chosen.ProcessAsync(input, cancellationToken).ConfigureAwait(false);
                }
                catch (DocumentException ex)
                {
                    span?.SetStatus(ActivityStatusCode.Error, ex.Code.ToWireName());
                    throw;
                }
                Describe(span, result);
            }
            if (await store.TrySucceedAsync(job.Id, result.Document, result.Stats, cancellationToken).ConfigureAwait(false))
            {
                Finished(route, DocFlowTelemetry.Statuses.Succeeded, started, result.Stats, job.Tenant);
                await EndedAsync(job, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (DocumentException ex) when (!ex.IsTransient)
        {
            if (await store.TryTransitionAsync(job.Id, JobStatus.Processing, JobStatus.Failed,
                new StatusDetails(ex.Code.ToWireName(), ex.Message), cancellationToken).ConfigureAwait(false))
            {
                Finished(route, DocFlowTelemetry.Statuses.Failed, started, null, job.Tenant);
                await EndedAsync(job, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Counted once, by the worker whose transition won: a redelivered job does not count twice.</summary>
    private void Finished(string route, string status, long started, ProcessingStats? stats, string tenant)
    {
        if (stats is not null) telemetry?.PagesRead(stats.Pages, stats.OcrPages.Count);
        telemetry?.DocumentFinished(route, status, tenant);
        telemetry?.DocumentDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
            new KeyValuePair<string, object?>(DocFlowTelemetry.Tags.Route, route));
    }

    /// <summary>Tags the engine span, with one event per page stamped with how it was read.</summary>
    private static void Describe(Activity? span, DocumentResult result)
    {
        span?.SetTag(DocFlowTelemetry.Tags.MimeType, result.Stats.MimeType)
            .SetTag(DocFlowTelemetry.Tags.Pages, result.Stats.Pages)
            .SetTag(DocFlowTelemetry.Tags.OcrPages, result.Stats.OcrPages.Count)
            .SetTag(DocFlowTelemetry.Tags.EnginePath, result.Stats.EnginePath)
            .SetTag(DocFlowTelemetry.Tags.Engine, result.Stats.Engine);
        if (span is not { IsAllDataRequested: true }) return;
        var ocr = result.Stats.OcrPages.ToHashSet();
        for (var page = 1; page <= result.Stats.Pages; page++)
            span.AddEvent(new ActivityEvent("page", tags: new ActivityTagsCollection
            {
                ["docflow.page.number"] = page,
                [DocFlowTelemetry.Tags.Path] = ocr.Contains(page) ? DocFlowTelemetry.PathOcr : DocFlowTelemetry.PathTextLayer,
            }));
    }

    /// <summary>Records the plan (once) and enqueues a ticket for every range not yet stored; the parent ticket is then done.</summary>
    private async Task SplitAsync(JobTicket ticket, JobRecord job, DocumentOutline outline, IReadOnlyList<PageRange> plan, IJobPartStore partStore,
        IJobQueue jobQueue, CancellationToken ct)
    {
        var planned = await partStore.PlanPartsAsync(job.Id, plan, ct).ConfigureAwait(false);
        Log.Split(logger, job.Id, outline.Pages, planned.Count);
        var now = _time.GetUtcNow();
        foreach (var p in planned.Where(p => !p.Done))
        {
            // A redelivered parent enqueues its ranges again; a range stored meanwhile is skipped, a duplicate is harmless.
            await jobQueue.EnqueueAsync(new JobTicket($"{job.Id}#{p.Index}", ticket.Route, ticket.Priority, ticket.Source)
            {
                BatchId = ticket.BatchId,
                FileName = ticket.FileName,
                EnqueuedAt = now,
                ParentJobId = job.Id,
                Part = p.Index,
                Pages = p.Pages,
                TraceParent = Activity.Current?.Id ?? ticket.TraceParent,
            }, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Reads one range and stores its layouts; when it completes the set and wins the claim, finishes the job.</summary>
    private async Task HandleRangeAsync(JobRecord job, int part, PageRange pages, IPageRangeEngine ranges, IJobPartStore partStore,
        string route, long started, CancellationToken ct)
    {
        var plan = await partStore.GetPartsAsync(job.Id, ct).ConfigureAwait(false);
        var mine = plan.FirstOrDefault(p => p.Index == part);
        if (mine is null || mine.Pages != pages)
            throw new InvalidOperationException($"Job {job.Id} has no part {part} for pages {pages}; its plan has {plan.Count} parts.");

        if (!mine.Done) // a redelivered range that was stored before goes straight to the finishing check
        {
            var content = await LoadAsync(job, ct).ConfigureAwait(false);
            var read = await ranges.ProcessPagesAsync(new DocumentInput(job.FileName, content), pages, ct).ConfigureAwait(false);
            await partStore.SavePartAsync(job.Id, part, new PartResult(read.MimeType, PageLayoutJson.Serialize(read.Layouts), read.RasterizedPages, WorkerName), ct)
                .ConfigureAwait(false);
        }

        if (!await partStore.TryClaimFinishAsync(job.Id, part, ct).ConfigureAwait(false))
            return;

        var stored = await partStore.GetPartResultsAsync(job.Id, ct).ConfigureAwait(false);
        if (stored.Count != plan.Count)
            throw new InvalidOperationException($"Job {job.Id} was claimed for finishing with {stored.Count} of {plan.Count} parts stored.");
        var layouts = stored.SelectMany(r => PageLayoutJson.Deserialize(r.LayoutsJson)).ToList();
        var rasterized = stored.SelectMany(r => r.RasterizedPages).ToList();
        var mime = stored[0].MimeType;
        var elapsed = job.StartedAt is { } jobStarted ? _time.GetUtcNow() - jobStarted : TimeSpan.Zero;
        var result = ranges.Finish(mime, layouts, rasterized, elapsed, ct);
        if (await store.TrySucceedAsync(job.Id, result.Document, result.Stats, ct).ConfigureAwait(false))
        {
            Log.Merged(logger, job.Id, stored.Count, layouts.Count);
            Finished(route, DocFlowTelemetry.Statuses.Succeeded, started, result.Stats, job.Tenant);
            await EndedAsync(job, ct).ConfigureAwait(false);
        }
    }

    private async Task<byte[]> LoadAsync(JobRecord job, CancellationToken ct)
    {
        await using var stream = await blobs.OpenReadAsync(job.BlobKey, ct).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, ct).ConfigureAwait(false);
        return buffer.ToArray();
    }

    public async Task OnDeadLetteredAsync(JobTicket ticket, string reason, CancellationToken cancellationToken)
    {
        // A range given up fails its whole job: the Document cannot be complete without its pages.
        var jobId = ticket.ParentJobId ?? ticket.JobId;
        var details = new StatusDetails(DocumentErrorCode.Internal.ToWireName(),
            ticket.Pages is { } pages ? $"pages {pages}: {reason}" : reason);
        if (await store.TryTransitionAsync(jobId, JobStatus.Processing, JobStatus.Failed, details, cancellationToken).ConfigureAwait(false)
            || await store.TryTransitionAsync(jobId, JobStatus.Queued, JobStatus.Failed, details, cancellationToken).ConfigureAwait(false))
        {
            telemetry?.DocumentFinished(ticket.Route.ToWireName(), DocFlowTelemetry.Statuses.Failed);
            if (completion is not null) await completion.JobEndedAsync(ticket.BatchId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>After the status move that ended the job: the batch's report job when it was the batch's last document.</summary>
    private Task EndedAsync(JobRecord job, CancellationToken ct) =>
        completion?.JobEndedAsync(job.BatchId, ct) ?? Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "Job {JobId} is not in the store; its ticket is dropped")]
        public static partial void UnknownJob(ILogger logger, string jobId);

        [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Job {JobId}: {Pages} pages split into {Parts} page-range jobs")]
        public static partial void Split(ILogger logger, string jobId, int pages, int parts);

        [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Job {JobId}: {Parts} parts merged into one Document of {Pages} pages")]
        public static partial void Merged(ILogger logger, string jobId, int parts, int pages);
    }
}
