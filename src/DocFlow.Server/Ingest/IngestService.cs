using System.Diagnostics;
using DocFlow.Blobs;
using DocFlow.Diagnostics;
using DocFlow.Engine.Sniffing;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Security;
using DocFlow.Server.Hosting;
using DocFlow.Storage;
using Microsoft.Extensions.Options;

namespace DocFlow.Server.Ingest;

/// <summary>One uploaded file: the name it came with and its content stream.</summary>
public sealed record Upload(string FileName, Stream Content);

/// <summary>A document as accepted: queued, answered from an identical earlier result, or failed at once (bad input).</summary>
public sealed record AcceptedDocument(string Id, string FileName, JobStatus Status, string? MimeType, string? ErrorCode, string? ErrorMessage);

public sealed record AcceptedBatch(string BatchId, IReadOnlyList<AcceptedDocument> Documents);

/// <summary>The queue is too deep: clients should come back after <see cref="RetryAfter"/>.</summary>
public sealed class BackpressureException(long depth, TimeSpan retryAfter)
    : Exception($"{depth} jobs are waiting; try again in {retryAfter.TotalSeconds:F0} s.")
{
    public long Depth { get; } = depth;
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>
/// Ingest: every file streamed into blob storage (content-addressed), sniffed from its first bytes, recorded with
/// its batch, and put on the queue of its route — or failed at once with a clear error when it is not a document
/// or breaks a limit, without harming the rest of the batch.
/// </summary>
public sealed class IngestService(
    IBlobStore blobs, IJobIntakeStore store, IJobQueue queue, QueueHandoff handoff, EngineOptions engineOptions,
    IOptions<PlatformOptions> platform, TimeProvider time, DocFlowTelemetry? telemetry = null, BatchCompletion? completion = null,
    DocFlow.Webhooks.IWebhookStore? webhooks = null)
{
    public string OptionsKey { get; } = Engine.LocalDocumentEngine.OptionsKey(engineOptions);

    /// <summary>Accepts uploads for the tenant <c>default</c> (<c>docflow process</c>, a server without tenants).</summary>
    public Task<AcceptedBatch> AcceptAsync(IReadOnlyList<Upload> uploads, JobPriority priority, CancellationToken cancellationToken) =>
        AcceptAsync(uploads, priority, Tenants.Default, cancellationToken);

    /// <summary>Accepts uploads for <paramref name="tenant"/>: its blobs under <c>{tenant}/</c>, its batch and jobs stamped
    /// with it, duplicates answered only from its own earlier results.</summary>
    public Task<AcceptedBatch> AcceptAsync(IReadOnlyList<Upload> uploads, JobPriority priority, string tenant, CancellationToken cancellationToken) =>
        AcceptAsync(uploads, priority, tenant, pages: null, webhook: null, cancellationToken);

    /// <summary>Accepts uploads for <paramref name="tenant"/>, reading only the pages of <paramref name="pages"/> (null: all).
    /// The selection is stored with each job (workers honour it) and is part of the dedup key: the same bytes with other
    /// pages are another job.</summary>
    public Task<AcceptedBatch> AcceptAsync(IReadOnlyList<Upload> uploads, JobPriority priority, string tenant, PageSelection? pages,
        CancellationToken cancellationToken) => AcceptAsync(uploads, priority, tenant, pages, webhook: null, cancellationToken);

    /// <summary>Accepts uploads for <paramref name="tenant"/>, with the batch's webhook (<paramref name="webhook"/>, its
    /// batch id filled in here), recorded with the batch before any of its jobs is queued, so no event is missed.</summary>
    public Task<AcceptedBatch> AcceptAsync(IReadOnlyList<Upload> uploads, JobPriority priority, string tenant,
        DocFlow.Webhooks.WebhookSubscription? webhook, CancellationToken cancellationToken) => AcceptAsync(uploads, priority, tenant, pages: null, webhook, cancellationToken);

    /// <summary>Accepts uploads for <paramref name="tenant"/>: only the pages of <paramref name="pages"/> (null: all), with
    /// the batch's webhook (null: none).</summary>
    public async Task<AcceptedBatch> AcceptAsync(IReadOnlyList<Upload> uploads, JobPriority priority, string tenant, PageSelection? pages,
        DocFlow.Webhooks.WebhookSubscription? webhook, CancellationToken cancellationToken)
    {
        var optionsKey = OptionsKeyFor(pages);
        Tenants.Validate(tenant, nameof(tenant));
        await CheckBackpressureAsync(uploads.Count, cancellationToken).ConfigureAwait(false);

        var batchId = NewId("b");
        var staged = new List<(NewJob Job, string? Error, string? Message, long Bytes)>();
        var spans = new Dictionary<string, ActivityContext>();
        foreach (var upload in uploads)
        {
            var id = NewId("d");
            // One span per file (store + sniff); its enqueue span below is its child, whatever happens in between.
            using var span = DocFlowTelemetry.ActivitySource.StartActivity("docflow.ingest");
            span?.SetTag(DocFlowTelemetry.Tags.JobId, id).SetTag(DocFlowTelemetry.Tags.BatchId, batchId).SetTag(DocFlowTelemetry.Tags.FileName, upload.FileName);
            if (span is not null) spans[id] = span.Context;
            var limited = new LimitedStream(upload.Content, engineOptions.MaxFileBytes);
            BlobInfo blob;
            try
            {
                blob = await blobs.PutAsync(limited, tenant, cancellationToken).ConfigureAwait(false);
            }
            catch (FileTooLargeException)
            {
                span?.SetStatus(ActivityStatusCode.Error, DocumentErrorCode.TooLarge.ToWireName());
                staged.Add((new NewJob(id, upload.FileName, new string('0', 64), JobRoute.Image, priority),
                    DocumentErrorCode.TooLarge.ToWireName(),
                    $"The file is larger than the limit of {engineOptions.MaxFileBytes / (1024 * 1024)} MB; split it or compress it.", 0));
                continue;
            }
            // The first bytes were kept while the upload streamed into blob storage: no second read of the blob.
            var sniff = FileSniffer.Sniff(limited.Head);
            var route = sniff.Kind == InputKind.Pdf ? JobRoute.Pdf : JobRoute.Image;
            var job = new NewJob(id, upload.FileName, blob.Key, route, priority)
            {
                Sha256 = BlobKeys.Split(blob.Key).Sha256, OptionsKey = optionsKey, MimeType = sniff.MimeType, Bytes = blob.Length,
                PageSelection = pages?.ToString(),
            };
            span?.SetTag(DocFlowTelemetry.Tags.MimeType, sniff.MimeType).SetTag(DocFlowTelemetry.Tags.JobRoute, route.ToWireName());
            if (sniff.Kind == InputKind.Unsupported)
            {
                span?.SetStatus(ActivityStatusCode.Error, DocumentErrorCode.UnsupportedType.ToWireName());
                // Refused: its bytes are not kept. The key is content-addressed, so another job with this key has the same
                // bytes and was refused the same way; nothing else needs the blob. The record keeps the key (the SHA-256).
                await blobs.DeleteAsync(blob.Key, cancellationToken).ConfigureAwait(false);
            }
            staged.Add(sniff.Kind == InputKind.Unsupported
                ? (job, DocumentErrorCode.UnsupportedType.ToWireName(), InputInspector.UnsupportedMessage(sniff), blob.Length)
                : (job, null, null, blob.Length));
        }

        await store.CreateBatchAsync(batchId, tenant, [.. staged.Select(s => s.Job)], cancellationToken).ConfigureAwait(false);
        if (webhook is not null)
        {
            if (webhooks is null) throw new InvalidOperationException("A webhook was given but no webhook store is registered.");
            await webhooks.SaveSubscriptionAsync(webhook with { BatchId = batchId, Tenant = tenant }, cancellationToken).ConfigureAwait(false);
        }
        // Largest files first (stable, so equal sizes keep the upload order): a batch is done when its last document is,
        // so its long documents should start first and the short ones fill the gaps (longest-processing-time-first
        // scheduling, with the file size as the cheap estimate of the work). The answer keeps the upload order.
        var accepted = new AcceptedDocument[staged.Count];
        foreach (var i in Enumerable.Range(0, staged.Count).OrderByDescending(i => staged[i].Bytes))
        {
            var (job, error, message, _) = staged[i];
            if (error is not null)
            {
                if (await store.TryTransitionAsync(job.Id, JobStatus.Queued, JobStatus.Failed, new StatusDetails(error, message), cancellationToken).ConfigureAwait(false))
                    telemetry?.DocumentFinished(job.Route.ToWireName(), DocFlowTelemetry.Statuses.Failed, tenant);
                accepted[i] = new AcceptedDocument(job.Id, job.FileName, JobStatus.Failed, job.MimeType, error, message);
                continue;
            }
            telemetry?.DocumentAccepted(tenant, job.Route.ToWireName());
            if (platform.Value.Deduplicate && await TryAnswerFromEarlierResultAsync(tenant, job, cancellationToken).ConfigureAwait(false))
            {
                telemetry?.DocumentFinished(job.Route.ToWireName(), DocFlowTelemetry.Statuses.Deduplicated, tenant);
                accepted[i] = new AcceptedDocument(job.Id, job.FileName, JobStatus.Succeeded, job.MimeType, null, null);
                continue;
            }
            // The enqueue span's context rides on the ticket (Redis field traceparent), so the worker continues this trace.
            using (var enqueue = spans.TryGetValue(job.Id, out var parent)
                ? DocFlowTelemetry.ActivitySource.StartActivity("docflow.enqueue", ActivityKind.Producer, parent)
                : DocFlowTelemetry.ActivitySource.StartActivity("docflow.enqueue", ActivityKind.Producer))
            {
                enqueue?.SetTag(DocFlowTelemetry.Tags.JobId, job.Id).SetTag(DocFlowTelemetry.Tags.JobRoute, job.Route.ToWireName())
                    .SetTag(DocFlowTelemetry.Tags.Priority, priority.ToWireName());
                await handoff.EnqueueAsync(new JobTicket(job.Id, job.Route, priority, job.BlobKey)
                {
                    BatchId = batchId,
                    FileName = job.FileName,
                    EnqueuedAt = time.GetUtcNow(),
                    TraceParent = Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null,
                }, cancellationToken).ConfigureAwait(false);
            }
            accepted[i] = new AcceptedDocument(job.Id, job.FileName, JobStatus.Queued, job.MimeType, null, null);
        }
        // A batch whose documents all ended at the door (refused, or answered from earlier results), or whose last queued
        // document a worker finished before the ones answered here were marked, has no worker left to end it: its report
        // job is put on the queue here. (If the last worker saw it complete too, the report is made twice, no worse.)
        if (completion is not null)
            await completion.JobEndedAsync(batchId, cancellationToken).ConfigureAwait(false);
        return new AcceptedBatch(batchId, accepted);
    }

    /// <summary>Backpressure, the one path for every queue: refuses work above <see cref="PlatformOptions.MaxQueueDepth"/>,
    /// telling clients to come back after <see cref="PlatformOptions.QueueFullRetryAfter"/>. With the queue unreachable
    /// the depth is unknown: uploads are accepted and held (up to the same limit), since every job is safe in the store.</summary>
    private async Task CheckBackpressureAsync(int adding, CancellationToken ct)
    {
        long depth = handoff.Held;
        if (!handoff.QueueDown)
        {
            try
            {
                depth += (await queue.GetStatisticsAsync(ct).ConfigureAwait(false)).TotalDepth;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // unreachable: counted by what is held here
            }
        }
        if (depth + adding > platform.Value.MaxQueueDepth)
            throw new BackpressureException(depth, platform.Value.QueueFullRetryAfter);
    }

    /// <summary>Identical content with identical options was processed before: copy its result, cost nothing.</summary>
    /// <remarks>The batch is recorded by then, so a store outage here must not fail the upload (its client would be told
    /// 503 and send the files again as a new batch while recovery processes the recorded one: every file twice, as the
    /// long chaos run saw). The check is only a saving: an outage sends the document to the queue instead.</remarks>
    private async Task<bool> TryAnswerFromEarlierResultAsync(string tenant, NewJob job, CancellationToken ct)
    {
        try
        {
            // Only the tenant's own earlier results: answering from another tenant's would tell this one what the other uploaded.
            var earlier = await store.FindSucceededAsync(tenant, job.Sha256!, job.OptionsKey ?? OptionsKey, ct).ConfigureAwait(false);
            if (earlier is null) return false;
            var document = await store.GetResultAsync(earlier.Id, ct).ConfigureAwait(false);
            if (document is null) return false;
            if (!await store.TryTransitionAsync(job.Id, JobStatus.Queued, JobStatus.Processing, null, ct).ConfigureAwait(false)) return false;
            var stats = new ProcessingStats(earlier.MimeType ?? job.MimeType ?? "application/octet-stream", earlier.Pages ?? 0,
                earlier.OcrPages, [], new Dictionary<int, int>(), TimeSpan.Zero) { DocumentType = earlier.DocumentType };
            await store.TrySucceedAsync(job.Id, document, stats, ct).ConfigureAwait(false);
            return true;
        }
        catch (StoreUnavailableException)
        {
            return false;
        }
    }

    /// <summary>The dedup key of a job: the engine's options and, when pages are selected, the selection.</summary>
    public string OptionsKeyFor(PageSelection? pages) => pages is null ? OptionsKey : $"{OptionsKey};pages={pages.Key()}";

    private static string NewId(string prefix) => $"{prefix}_{Guid.CreateVersion7():N}";
}

public sealed class FileTooLargeException() : IOException("The file is larger than the configured limit.");

/// <summary>Passes reads through until more than <c>limit</c> bytes were read, then throws; keeps the first
/// <see cref="HeadSize"/> bytes for sniffing.</summary>
internal sealed class LimitedStream(Stream inner, long limit) : Stream
{
    public const int HeadSize = 4096;
    private readonly byte[] _head = new byte[HeadSize];
    private long _read;

    /// <summary>The first bytes read (up to <see cref="HeadSize"/>).</summary>
    public ReadOnlySpan<byte> Head => _head.AsSpan(0, (int)Math.Min(_read, HeadSize));

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => Count(buffer.AsSpan(offset, count), inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Count(buffer.Span, n);
    }

    private int Count(ReadOnlySpan<byte> buffer, int n)
    {
        if (_read < HeadSize)
        {
            var keep = (int)Math.Min(n, HeadSize - _read);
            buffer[..keep].CopyTo(_head.AsSpan((int)_read));
        }
        _read += n;
        if (_read > limit) throw new FileTooLargeException();
        return n;
    }
}
