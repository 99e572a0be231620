using System.Globalization;
using DocFlow.Server.Erasure;
using DocFlow.Server.Security;
using DocFlow.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DocFlow.Server.Api;

/// <summary>Erasure (<c>DELETE</c> a document or a batch) and legal holds (<c>PUT</c>/<c>DELETE .../hold</c>). See
/// docs/security.md, "Erasure and retention".</summary>
public static class ErasureApi
{
    /// <summary>How long a client should wait before asking again to erase a document a worker has.</summary>
    internal static readonly TimeSpan ProcessingRetryAfter = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapErasureApi(this IEndpointRouteBuilder app)
    {
        app.MapDelete("/api/v1/documents/{id}", EraseDocumentAsync).WithTags("Documents").RequireAuthorization(Policies.Erase)
            .WithSummary("Erase the document everywhere (original, result, history, page images, queue and dead-letter entries); 204, 404, 409 when held or processing.");
        app.MapDelete("/api/v1/batches/{id}", EraseBatchAsync).WithTags("Batches").RequireAuthorization(Policies.Erase)
            .WithSummary("Erase the batch with all its documents and its report; 204, 404, 409 when held or a document is processing.");
        foreach (var (path, tag) in new[] { ("/api/v1/documents/{id}/hold", "Documents"), ("/api/v1/batches/{id}/hold", "Batches") })
        {
            var batch = tag == "Batches";
            app.MapPut(path, (string id, IJobErasureStore store, CancellationToken ct) => SetHoldAsync(id, batch, true, store, ct))
                .WithTags(tag).RequireAuthorization(Policies.LegalHold).WithSummary("Place a legal hold: no erasure, no retention sweep until it is lifted; 204, 404.");
            app.MapDelete(path, (string id, IJobErasureStore store, CancellationToken ct) => SetHoldAsync(id, batch, false, store, ct))
                .WithTags(tag).RequireAuthorization(Policies.LegalHold).WithSummary("Lift the legal hold; 204, 404.");
        }
        return app;
    }

    internal static async Task<IResult> EraseDocumentAsync(string id, ErasureService erasure, HttpContext http, CancellationToken ct) =>
        Answer(await erasure.EraseDocumentAsync(id, ct), http, $"document '{id}'");

    internal static async Task<IResult> EraseBatchAsync(string id, ErasureService erasure, HttpContext http, CancellationToken ct) =>
        Answer(await erasure.EraseBatchAsync(id, ct), http, $"batch '{id}'");

    private static IResult Answer(Storage.Erasure erasure, HttpContext http, string what)
    {
        switch (erasure.Outcome)
        {
            case ErasureOutcome.Erased:
                Audit(http, erasure);
                return TypedResults.NoContent();
            case ErasureOutcome.NotFound:
                return Problems.NotFound($"No {what}.");
            case ErasureOutcome.Held:
                return Problems.Status(StatusCodes.Status409Conflict, "Legal hold",
                    $"The {what} is under legal hold (or its batch is); lift the hold first (DELETE .../hold, admin).", "legal_hold");
            default:
                http.Response.Headers.RetryAfter = ((int)ProcessingRetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                return Problems.Status(StatusCodes.Status409Conflict, "Processing",
                    $"A worker is processing the {what}; ask again after Retry-After seconds, when it has ended.", "processing");
        }
    }

    /// <summary>The erasure's audit target: what was removed, by id and content hash only.</summary>
    internal static string Describe(Storage.Erasure erasure)
    {
        var parts = new List<string>();
        if (erasure.BatchId is { } b) parts.Add("batch=" + b);
        parts.Add("documents=" + string.Join(',', erasure.Jobs.Select(j => j.Id)));
        parts.Add("sha256=" + string.Join(',', erasure.Jobs.Select(j => j.Sha256 ?? "-")));
        return string.Join(' ', parts);
    }

    private static void Audit(HttpContext http, Storage.Erasure erasure)
    {
        if (erasure.BatchId is { } b) AuditDetails.Add(http, "batch", b);
        AuditDetails.Add(http, "documents", string.Join(',', erasure.Jobs.Select(j => j.Id)));
        AuditDetails.Add(http, "sha256", string.Join(',', erasure.Jobs.Select(j => j.Sha256 ?? "-")));
    }

    internal static async Task<IResult> SetHoldAsync(string id, bool batch, bool held, IJobErasureStore store, CancellationToken ct)
    {
        var found = batch ? await store.SetBatchHoldAsync(id, held, ct) : await store.SetJobHoldAsync(id, held, ct);
        return found ? TypedResults.NoContent() : Problems.NotFound($"No {(batch ? "batch" : "document")} '{id}'.");
    }
}
