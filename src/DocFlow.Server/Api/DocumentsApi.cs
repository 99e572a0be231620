using DocFlow.Blobs;
using DocFlow.Documents;
using DocFlow.Queueing;
using DocFlow.Server.Ingest;
using DocFlow.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using DocFlow.Server.Security;
using DocFlow.Server.Idempotency;

namespace DocFlow.Server.Api;

/// <summary>Upload one document; read its job record, result, text and original.</summary>
public static class DocumentsApi
{
    public static RouteGroupBuilder MapDocumentsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/documents").WithTags("Documents");
        group.MapPost("/", UploadAsync).DisableAntiforgery().RequireRateLimiting(UploadRateLimit.PolicyName).RequireAuthorization(Policies.Upload)
            .WithSummary("Upload one document (multipart field `file`, optional `priority` express|normal, optional `pages` like 1-3,7,-1; `callbackUrl` and `callbackSecret` for webhooks; header `Idempotency-Key`).")
            .WithUploadLimit(UploadLimits.SingleUploadBytes(app.ServiceProvider))
            .WithIdempotency();
        group.MapGet("/{id}", GetAsync).RequireAuthorization(Policies.ReadMetadata).WithSummary("The document's job record: status, attempts, timings, error.");
        group.MapGet("/{id}/result", GetResultAsync).RequireAuthorization(Policies.ReadContent).WithSummary("The Document JSON (Google Document AI v1 format).");
        group.MapGet("/{id}/text", GetTextAsync).RequireAuthorization(Policies.ReadContent).WithSummary("The document's text.");
        group.MapGet("/{id}/original", GetOriginalAsync).RequireAuthorization(Policies.ReadContent).WithSummary("The uploaded file, as uploaded.");
        return group;
    }

    internal static async Task<IResult> UploadAsync(HttpRequest request, IngestService ingest, UploadQuota quota, Tenancy.TenantQuotas quotas,
        Webhooks.WebhookTargets webhookTargets, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct)
    {
        var (upload, problem) = await UploadForms.ReadAsync(request, "file", quota, quotas, webhookTargets, user, ct);
        if (upload is null) return problem!;
        var file = upload.Files[0];
        await using var content = file.OpenReadStream();
        var batch = await ingest.AcceptAsync([new Upload(file.FileName, content)], upload.Priority, upload.Tenant, upload.Pages, upload.Webhook, ct);
        var doc = batch.Documents[0];
        return doc.ErrorCode switch
        {
            "unsupported_type" => Problems.Status(StatusCodes.Status415UnsupportedMediaType, "Unsupported type", doc.ErrorMessage!, doc.ErrorCode),
            "too_large" => Problems.Status(StatusCodes.Status413PayloadTooLarge, "Too large", doc.ErrorMessage!, doc.ErrorCode),
            _ => TypedResults.Accepted($"/api/v1/documents/{doc.Id}",
                new AcceptedDocumentDto(doc.Id, doc.FileName, doc.Status.ToWireName(), doc.MimeType, null)),
        };
    }

    internal static async Task<Results<Ok<DocumentDto>, ProblemHttpResult>> GetAsync(string id, IJobMonitoringStore store, CancellationToken ct) =>
        await store.GetJobAsync(id, ct) is { } job ? TypedResults.Ok(DocumentDto.From(job)) : Problems.NotFound($"No document with id '{id}'.");

    internal static async Task<IResult> GetResultAsync(string id, IJobMonitoringStore store, HttpRequest request, CancellationToken ct)
    {
        // ?chunks=true adds chunkedDocument (docs/outputs.md), with chunkSize/overlap as GET .../chunks takes them.
        if (request.Query.ContainsKey("chunks"))
            return await OutputsApi.GetResultWithChunksAsync(id, store, request, ct);
        var job = await store.GetJobAsync(id, ct);
        if (job is null) return Problems.NotFound($"No document with id '{id}'.");
        if (job.Status != JobStatus.Succeeded)
            return NotReady(job);
        var document = await store.GetResultAsync(id, ct);
        // Serialized straight into the response (the bytes DocumentJson.Serialize makes), not into a string first: a result
        // of more than ~42 KB would be a string on the large-object heap on every read (docs/benchmarks.md,
        // "Authentication and audit cost", session 10).
        return document is null
            ? Problems.NotFound($"Document '{id}' has no stored result.")
            : Results.Json(document, DocumentJson.TypeInfo, "application/json");
    }

    internal static async Task<IResult> GetTextAsync(string id, IJobMonitoringStore store, CancellationToken ct)
    {
        var job = await store.GetJobAsync(id, ct);
        if (job is null) return Problems.NotFound($"No document with id '{id}'.");
        if (job.Status != JobStatus.Succeeded) return NotReady(job);
        var document = await store.GetResultAsync(id, ct);
        return Results.Text(document?.Text ?? "", "text/plain; charset=utf-8");
    }

    internal static async Task<IResult> GetOriginalAsync(string id, IJobMonitoringStore store, IBlobStore blobs, CancellationToken ct)
    {
        var job = await store.GetJobAsync(id, ct);
        if (job is null) return Problems.NotFound($"No document with id '{id}'.");
        if (!await blobs.ExistsAsync(job.BlobKey, ct)) return Problems.NotFound($"The original of '{id}' is not stored (it was rejected at upload).");
        var stream = await blobs.OpenReadAsync(job.BlobKey, ct);
        return Results.Stream(stream, job.MimeType ?? "application/octet-stream", job.FileName);
    }

    internal static IResult NotReady(JobRecord job) => job.Status == JobStatus.Failed
        ? Problems.Status(StatusCodes.Status422UnprocessableEntity, "Document failed", $"{job.ErrorCode}: {job.ErrorMessage}", job.ErrorCode)
        : Problems.Status(StatusCodes.Status409Conflict, "Not ready", $"The document is {job.Status.ToWireName()}; ask again when it has succeeded (GET /api/v1/documents/{job.Id}).");
}

internal static class Priorities
{
    /// <summary>The form field <c>priority</c>: absent or empty is normal.</summary>
    public static bool TryParse(string? value, out JobPriority priority)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            priority = JobPriority.Normal;
            return true;
        }
        return WireName.TryParse(value.Trim(), out priority);
    }
}

internal static class PageSelections
{
    /// <summary>The form field <c>pages</c>: absent or empty reads every page; anything else must parse
    /// (<see cref="Processing.PageSelection.Parse"/>), else a 400 problem naming what is wrong.</summary>
    public static bool TryParseField(string? value, out Processing.PageSelection? pages, out ProblemHttpResult? problem)
    {
        pages = null;
        problem = null;
        if (string.IsNullOrWhiteSpace(value)) return true;
        if (Processing.PageSelection.TryParse(value, out pages, out var error)) return true;
        problem = Problems.Status(StatusCodes.Status400BadRequest, "Bad request", $"`pages`: {error}", "invalid_pages");
        return false;
    }
}
