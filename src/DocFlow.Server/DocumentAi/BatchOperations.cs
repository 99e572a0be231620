using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DocFlow.Documents;
using DocFlow.Processing;
using DocFlow.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DocFlow.Server.DocumentAi;

/// <summary>
/// Long-running operations of <c>:batchProcess</c>. An operation is a DocFlow batch (its id is the batch id), so its state,
/// per-document statuses and results come from the job store: they survive restarts and show on the dashboard and report.
/// What the batch does not hold (processor type, output prefix, the request's digest for dedup, a cancel) is an
/// <see cref="BatchOperationRecord"/> beside it.
/// </summary>
public sealed class BatchOperations(IServiceProvider services, GcsBuckets buckets, TimeProvider time)
{
    private const string MetadataType = "type.googleapis.com/google.cloud.documentai.v1.BatchProcessMetadata";
    private const string ResponseType = "type.googleapis.com/google.cloud.documentai.v1.BatchProcessResponse";

    // One creation at a time in this process, so two re-sends racing here make one operation. (Two API replicas could each
    // make one for the same request in the same instant: the clients re-send after an answer, not in parallel.)
    private readonly SemaphoreSlim _creating = new(1, 1);
    private readonly SemaphoreSlim _writing = new(1, 1);

    /// <summary>Creates the operation, unless the same caller sent the same body within <paramref name="window"/>: then the
    /// operation of that request is answered again (the official clients re-send a <c>:batchProcess</c> that got a 503).</summary>
    internal async Task<IResult> CreateOnceAsync(string caller, byte[] body, TimeSpan window, Func<string, Task<BatchOperationRecord>> create,
        Func<BatchOperationRecord, Task<IResult>> answer, CancellationToken ct)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData([.. System.Text.Encoding.UTF8.GetBytes(caller + "\n"), .. body]));
        var store = services.GetRequiredService<IBatchOperationStore>();
        await _creating.WaitAsync(ct).ConfigureAwait(false);
        BatchOperationRecord operation;
        try
        {
            operation = await store.FindRecentAsync(key, time.GetUtcNow() - window, ct).ConfigureAwait(false)
                ?? await create(key).ConfigureAwait(false);
        }
        finally
        {
            _creating.Release();
        }
        return await answer(operation).ConfigureAwait(false);
    }

    /// <summary>Cancels: the documents not started fail as cancelled (the queue drops their tickets); documents in flight finish.</summary>
    internal async Task CancelAsync(string project, string location, string batchId, CancellationToken ct)
    {
        var monitoring = services.GetRequiredService<IJobMonitoringStore>();
        var intake = services.GetRequiredService<IJobIntakeStore>();
        var batch = await monitoring.GetBatchAsync(batchId, ct).ConfigureAwait(false) ?? throw NotFound(project, location, batchId);
        await services.GetRequiredService<IBatchOperationStore>().MarkAsync(batchId, cancelled: true, outputsWritten: false, time.GetUtcNow(), ct).ConfigureAwait(false);
        foreach (var job in await JobsAsync(monitoring, batchId, ct).ConfigureAwait(false))
            if (job.Status == JobStatus.Queued)
                await intake.TryTransitionAsync(job.Id, JobStatus.Queued, JobStatus.Failed,
                    new StatusDetails(DocumentAiApi.CancelledCode, "The operation was cancelled before this document was processed."), ct).ConfigureAwait(false);
        // The batch may have ended here, with no worker left to queue its report.
        if (services.GetService<BatchCompletion>() is { } completion) await completion.JobEndedAsync(batchId, ct).ConfigureAwait(false);
    }

    /// <summary>The Operation of batch <paramref name="batchId"/> (google.longrunning.Operation with BatchProcessMetadata);
    /// once it is done, its outputs are written to the output prefix (once).</summary>
    internal async Task<JsonObject> ToJsonAsync(string project, string location, string batchId, CancellationToken ct)
    {
        var monitoring = services.GetRequiredService<IJobMonitoringStore>();
        var batch = await monitoring.GetBatchAsync(batchId, ct).ConfigureAwait(false) ?? throw NotFound(project, location, batchId);
        var jobs = await JobsAsync(monitoring, batchId, ct).ConfigureAwait(false);
        var operation = await services.GetRequiredService<IBatchOperationStore>().GetAsync(batchId, ct).ConfigureAwait(false);
        var cancelled = operation?.CancelledAt is not null || jobs.Any(j => j.ErrorCode == DocumentAiApi.CancelledCode);
        var done = batch.Status == BatchStatus.Completed;
        var state = (done, cancelled) switch
        {
            (true, true) => "CANCELLED",
            (false, true) => "CANCELLING",
            (true, false) => batch.Total > 0 && batch.Failed == batch.Total ? "FAILED" : "SUCCEEDED",
            _ => batch.Processing == 0 && batch.Succeeded + batch.Failed == 0 ? "WAITING" : "RUNNING",
        };
        var name = $"projects/{project}/locations/{location}/operations/{batchId}";
        if (done && operation is { OutputPrefix: not null, OutputsWrittenAt: null })
            await WriteOutputsAsync(operation, jobs, monitoring, ct).ConfigureAwait(false);

        var statuses = new JsonArray();
        foreach (var job in jobs)
        {
            var status = new JsonObject();
            if (job.Status == JobStatus.Failed)
            {
                var code = job.ErrorCode switch
                {
                    DocumentAiApi.CancelledCode => "CANCELLED",
                    "internal" => "INTERNAL",
                    "timeout" => "DEADLINE_EXCEEDED",
                    _ => "INVALID_ARGUMENT",
                };
                status["code"] = GoogleWire.CodeOf(code);
                status["message"] = job.ErrorMessage ?? job.ErrorCode ?? "failed";
            }
            var item = new JsonObject
            {
                ["inputGcsSource"] = job.FileName.StartsWith("gs://", StringComparison.Ordinal) ? job.FileName : $"docflow://documents/{job.Id}",
                ["status"] = status,
                ["humanReviewStatus"] = new JsonObject { ["state"] = "SKIPPED" },
            };
            if (job.Status == JobStatus.Succeeded && operation?.OutputPrefix is { } prefix)
                item["outputGcsDestination"] = $"{prefix}/{batchId}/{job.Ordinal.ToString(CultureInfo.InvariantCulture)}";
            statuses.Add(item);
        }
        var updated = batch.FinishedAt ?? jobs.Select(j => j.FinishedAt ?? j.StartedAt ?? j.CreatedAt).DefaultIfEmpty(batch.CreatedAt).Max();
        var metadata = new JsonObject
        {
            ["@type"] = MetadataType,
            ["state"] = state,
            ["stateMessage"] = $"{batch.Succeeded} succeeded, {batch.Failed} failed, {batch.Queued + batch.Processing} to go of {batch.Total}.",
            ["createTime"] = Timestamp(batch.CreatedAt),
            ["updateTime"] = Timestamp(updated),
            ["individualProcessStatuses"] = statuses,
        };
        var result = new JsonObject { ["name"] = name, ["metadata"] = metadata, ["done"] = done };
        if (!done) return result;
        if (state == "CANCELLED")
            result["error"] = new JsonObject { ["code"] = GoogleWire.CodeOf("CANCELLED"), ["message"] = "Operation was cancelled." };
        else if (state == "FAILED")
            result["error"] = new JsonObject { ["code"] = GoogleWire.CodeOf("INVALID_ARGUMENT"), ["message"] = "Every document of the batch failed; see metadata.individualProcessStatuses." };
        else
            result["response"] = new JsonObject { ["@type"] = ResponseType };
        return result;
    }

    /// <summary>Each succeeded document as <c>{prefix}/{operation}/{index}/{name}-0.json</c>, Google's layout of batch outputs.</summary>
    private async Task WriteOutputsAsync(BatchOperationRecord operation, IReadOnlyList<JobRecord> jobs, IJobMonitoringStore monitoring, CancellationToken ct)
    {
        var store = services.GetRequiredService<IBatchOperationStore>();
        await _writing.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // Written at most once per process at a time; a second writer (another replica) writes the same files atomically.
            if ((await store.GetAsync(operation.BatchId, ct).ConfigureAwait(false))?.OutputsWrittenAt is not null) return;
            var chunks = services.GetService<IChunkedDocumentBuilder>();
            foreach (var job in jobs.Where(j => j.Status == JobStatus.Succeeded))
            {
                var document = await monitoring.GetResultAsync(job.Id, ct).ConfigureAwait(false);
                if (document is null) continue;
                ProcessorOutput.Shape(document, operation.ProcessorType);
                var json = ProcessorOutput.ToJson(document, operation.ProcessorType, operation.FieldMask, chunks, null);
                var stem = Path.GetFileNameWithoutExtension(job.FileName.Split('/').Last());
                var uri = $"{operation.OutputPrefix}/{operation.BatchId}/{job.Ordinal.ToString(CultureInfo.InvariantCulture)}/{(stem.Length > 0 ? stem : "document")}-0.json";
                var path = buckets.PathOf(uri, operation.Tenant);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                var text = json.ToJsonString();
                await IO.AtomicFile.WriteAsync(path, async stream =>
                {
                    await using var writer = new StreamWriter(stream, leaveOpen: true);
                    await writer.WriteAsync(text.AsMemory(), ct).ConfigureAwait(false);
                }, ct).ConfigureAwait(false);
            }
            await store.MarkAsync(operation.BatchId, cancelled: false, outputsWritten: true, time.GetUtcNow(), ct).ConfigureAwait(false);
        }
        finally
        {
            _writing.Release();
        }
    }

    private static async Task<IReadOnlyList<JobRecord>> JobsAsync(IJobMonitoringStore store, string batchId, CancellationToken ct)
    {
        var jobs = new List<JobRecord>();
        string? cursor = null;
        do
        {
            var page = await store.ListJobsAsync(new JobQuery(BatchId: batchId, Limit: 1000, Cursor: cursor), ct).ConfigureAwait(false);
            jobs.AddRange(page.Items);
            cursor = page.NextCursor;
        } while (cursor is not null);
        return jobs;
    }

    private static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static GoogleStatusException NotFound(string project, string location, string id) =>
        GoogleStatusException.NotFound($"Operation projects/{project}/locations/{location}/operations/{id} not found.");
}
