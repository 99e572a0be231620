using DocFlow.Blobs;
using DocFlow.Documents;
using DocFlow.Outputs;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Server.Security;
using DocFlow.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DocFlow.Server.Api;

/// <summary>A succeeded document in other formats (docs/outputs.md): searchable PDF, hOCR, Markdown, chunks. Reads of content:
/// role reader and up, tenant-scoped through the store, audited as the result and text reads are.</summary>
public static class OutputsApi
{
    public static RouteGroupBuilder MapOutputsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/documents").WithTags("Documents");
        group.MapGet("/{id}/searchable.pdf", GetSearchablePdfAsync).RequireAuthorization(Policies.ReadContent)
            .WithSummary("The input as a searchable PDF: its pages untouched, an invisible text layer on the OCR words.");
        group.MapGet("/{id}/hocr", GetHocrAsync).RequireAuthorization(Policies.ReadContent).WithSummary("The layout as hOCR 1.2 (XHTML).");
        group.MapGet("/{id}/markdown", GetMarkdownAsync).RequireAuthorization(Policies.ReadContent)
            .WithSummary("The document as Markdown: headings, paragraphs, lists, tables, form fields, page marks.");
        group.MapGet("/{id}/chunks", GetChunksAsync).RequireAuthorization(Policies.ReadContent)
            .WithSummary("The Markdown in chunks for retrieval (Document AI chunkedDocument); query chunkSize and overlap in words.");
        return group;
    }

    /// <summary>The job's stored Document, or the problem that says why there is none.</summary>
    private static async Task<(JobRecord? Job, Document? Document, IResult? Problem)> LoadAsync(string id, IJobMonitoringStore store, CancellationToken ct)
    {
        var job = await store.GetJobAsync(id, ct);
        if (job is null) return (null, null, Problems.NotFound($"No document with id '{id}'."));
        if (job.Status != JobStatus.Succeeded) return (job, null, DocumentsApi.NotReady(job));
        var document = await store.GetResultAsync(id, ct);
        return document is null
            ? (job, null, Problems.NotFound($"Document '{id}' has no stored result."))
            : (job, document, null);
    }

    internal static async Task<IResult> GetSearchablePdfAsync(string id, IJobMonitoringStore store, IBlobStore blobs, CancellationToken ct)
    {
        var (job, document, problem) = await LoadAsync(id, store, ct);
        if (problem is not null) return problem;
        // The original is read through the blob store, which opens sealed (encrypted at rest) blobs.
        if (!await blobs.ExistsAsync(job!.BlobKey, ct))
            return Problems.Status(StatusCodes.Status410Gone, "Original gone", $"The original of '{id}' is no longer stored, so its pages cannot be copied.");
        byte[] original;
        await using (var stream = await blobs.OpenReadAsync(job.BlobKey, ct))
        using (var buffer = new MemoryStream())
        {
            await stream.CopyToAsync(buffer, ct);
            original = buffer.ToArray();
        }
        try
        {
            var pdf = SearchablePdf.Write(document!, original, ct);
            return Results.File(pdf, "application/pdf", SearchableName(job.FileName));
        }
        catch (Exception ex) when (ex is NotSupportedException or DocumentException)
        {
            return Problems.Status(StatusCodes.Status422UnprocessableEntity, "No searchable PDF", ex.Message, "searchable_pdf_unavailable");
        }
    }

    internal static async Task<IResult> GetHocrAsync(string id, IJobMonitoringStore store, CancellationToken ct)
    {
        var (job, document, problem) = await LoadAsync(id, store, ct);
        return problem ?? Results.Text(Hocr.Write(document!, job!.FileName), "application/xhtml+xml; charset=utf-8");
    }

    internal static async Task<IResult> GetMarkdownAsync(string id, IJobMonitoringStore store, CancellationToken ct)
    {
        var (_, document, problem) = await LoadAsync(id, store, ct);
        return problem ?? Results.Text(Markdown.Write(document!), "text/markdown; charset=utf-8");
    }

    internal static async Task<IResult> GetChunksAsync(string id, IJobMonitoringStore store, HttpRequest request, CancellationToken ct)
    {
        if (Chunking(request, out var options) is { } bad) return bad;
        var (_, document, problem) = await LoadAsync(id, store, ct);
        return problem ?? Results.Text(DocumentJson.Serialize(Chunker.Chunk(document!, options)), "application/json");
    }

    internal static async Task<IResult> GetResultWithChunksAsync(string id, IJobMonitoringStore store, HttpRequest request, CancellationToken ct)
    {
        if (Chunking(request, out var options) is { } bad) return bad;
        var (_, document, problem) = await LoadAsync(id, store, ct);
        if (problem is not null) return problem;
        document!.ChunkedDocument = Chunker.Chunk(document, options);
        return Results.Text(DocumentJson.Serialize(document), "application/json");
    }

    /// <summary>chunkSize and overlap from the query (words), or a 400 problem naming the bad value.</summary>
    private static IResult? Chunking(HttpRequest request, out ChunkingOptions options)
    {
        options = new ChunkingOptions();
        var size = request.Query["chunkSize"].ToString();
        var overlap = request.Query["overlap"].ToString();
        if (size.Length > 0)
        {
            if (!int.TryParse(size, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
                return Problems.BadRequest($"`chunkSize` must be a whole number of words, not '{size}'.");
            options = options with { ChunkSize = n };
        }
        if (overlap.Length > 0)
        {
            if (!int.TryParse(overlap, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
                return Problems.BadRequest($"`overlap` must be a whole number of words, not '{overlap}'.");
            options = options with { Overlap = n };
        }
        try
        {
            options.Validate();
            return null;
        }
        catch (ArgumentOutOfRangeException ex)
        {
            return Problems.BadRequest(ex.Message.Split(" (Parameter", 2)[0]);
        }
    }

    private static string SearchableName(string? fileName)
    {
        var stem = string.IsNullOrWhiteSpace(fileName) ? "document" : Path.GetFileNameWithoutExtension(fileName);
        return stem + ".searchable.pdf";
    }
}
