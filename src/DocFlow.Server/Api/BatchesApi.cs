using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using DocFlow.Server.Ingest;
using DocFlow.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using DocFlow.Server.Security;
using DocFlow.Server.Idempotency;

namespace DocFlow.Server.Api;

/// <summary>Upload many documents at once; follow the batch (status, documents, live events).</summary>
public static class BatchesApi
{
    public static RouteGroupBuilder MapBatchesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/batches").WithTags("Batches");
        group.MapPost("/", UploadAsync).DisableAntiforgery().RequireRateLimiting(UploadRateLimit.PolicyName).RequireAuthorization(Policies.Upload)
            .WithSummary("Upload a batch (multipart, repeated field `files`, optional `priority`, optional `pages` like 1-3,7,-1 for every file; `callbackUrl` and `callbackSecret` for webhooks; header `Idempotency-Key`).")
            .WithUploadLimit(UploadLimits.BatchUploadBytes(app.ServiceProvider))
            .WithIdempotency();
        group.MapGet("/{id}", GetAsync).RequireAuthorization(Policies.ReadMetadata).WithSummary("The batch: status running|completed and counts per document status.");
        group.MapGet("/{id}/documents", ListDocumentsAsync).RequireAuthorization(Policies.ReadMetadata).WithSummary("The batch's documents in upload order.");
        group.MapGet("/{id}/events", EventsAsync).RequireAuthorization(Policies.ReadMetadata).WithSummary("Server-Sent Events: the batch after every change, until it completes.");
        return group;
    }

    internal static async Task<IResult> UploadAsync(HttpRequest request, IngestService ingest, UploadQuota quota, Tenancy.TenantQuotas quotas,
        Webhooks.WebhookTargets webhookTargets, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct)
    {
        var (upload, problem) = await UploadForms.ReadAsync(request, "files", quota, quotas, webhookTargets, user, ct);
        if (upload is null) return problem!;
        var streams = upload.Files.Select(f => new Upload(f.FileName, f.OpenReadStream())).ToList();
        try
        {
            var batch = await ingest.AcceptAsync(streams, upload.Priority, upload.Tenant, upload.Pages, upload.Webhook, ct);
            return TypedResults.Accepted($"/api/v1/batches/{batch.BatchId}", new AcceptedBatchDto(batch.BatchId,
                [.. batch.Documents.Select(d => new AcceptedDocumentDto(d.Id, d.FileName, d.Status.ToWireName(), d.MimeType,
                    d.ErrorCode is null ? null : new ErrorDto(d.ErrorCode, d.ErrorMessage ?? "")))]));
        }
        finally
        {
            foreach (var s in streams) await s.Content.DisposeAsync();
        }
    }

    /// <summary>The batch; once completed, with its aggregate (counts by type, OCR share, latency, totals per supplier
    /// and currency, errors), computed once and kept, since a completed batch no longer changes.</summary>
    internal static async Task<Results<Ok<BatchDto>, ProblemHttpResult>> GetAsync(string id, IJobMonitoringStore store, [FromServices] Reports.EnginePrices prices, CancellationToken ct)
    {
        var batch = await store.GetBatchAsync(id, ct);
        if (batch is null) return Problems.NotFound($"No batch with id '{id}'.");
        var dto = BatchDto.From(batch);
        if (batch.Status == BatchStatus.Completed)
        {
            if (!Aggregates.TryGetValue(id, out var aggregate))
            {
                var report = await BatchReportsApi.LoadAsync(id, store, ct, withDocuments: false, prices);
                aggregate = report?.Aggregate;
                if (aggregate is not null)
                {
                    // A small cache of recent batches, not a copy of the store: recomputing is always correct.
                    if (Aggregates.Count >= MaxCachedAggregates) Aggregates.Clear();
                    Aggregates[id] = aggregate;
                }
            }
            dto = dto with { Aggregate = aggregate };
        }
        return TypedResults.Ok(dto);
    }

    /// <summary>Drops the batch's cached aggregate (erasure: it shows the erased documents' key fields).</summary>
    internal static void Forget(string batchId) => Aggregates.TryRemove(batchId, out _);

    private const int MaxCachedAggregates = 1_000;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Reports.BatchAggregate> Aggregates = new();

    internal static async Task<Results<Ok<List<BatchDocumentDto>>, ProblemHttpResult>> ListDocumentsAsync(string id, IJobMonitoringStore store, CancellationToken ct)
    {
        if (await store.GetBatchAsync(id, ct) is null) return Problems.NotFound($"No batch with id '{id}'.");
        var result = new List<BatchDocumentDto>();
        string? cursor = null;
        do
        {
            var page = await store.ListJobsAsync(new JobQuery(BatchId: id, Limit: 1000, Cursor: cursor), ct);
            result.AddRange(page.Items.Select(BatchDocumentDto.From));
            cursor = page.NextCursor;
        } while (cursor is not null);
        return TypedResults.Ok(result);
    }

    /// <summary>Sends the batch as an SSE `batch` event whenever its counts change, and ends after it completes.</summary>
    internal static async Task<Results<ServerSentEventsResult<BatchDto>, ProblemHttpResult>> EventsAsync(
        string id, IJobMonitoringStore store, TimeProvider time, CancellationToken ct)
    {
        var first = await store.GetBatchAsync(id, ct);
        if (first is null) return Problems.NotFound($"No batch with id '{id}'.");
        return TypedResults.ServerSentEvents(Changes(first, store, time, ct));

        static async IAsyncEnumerable<SseItem<BatchDto>> Changes(
            BatchRecord batch, IJobMonitoringStore store, TimeProvider time, [EnumeratorCancellation] CancellationToken ct)
        {
            BatchDto? last = null;
            while (true)
            {
                var dto = BatchDto.From(batch);
                if (dto != last) yield return new SseItem<BatchDto>(dto, "batch");
                last = dto;
                if (batch.Status == BatchStatus.Completed) yield break;
                await Task.Delay(TimeSpan.FromMilliseconds(500), time, ct);
                batch = await store.GetBatchAsync(batch.Id, ct) ?? batch;
            }
        }
    }
}
