using DocFlow.Documents;
using DocFlow.Reports;
using DocFlow.Reports.Pdf;
using DocFlow.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DocFlow.Server.Api;

/// <summary>A batch's report and exports, made from the store when asked (the same renderers as `docflow process`).</summary>
public static class BatchReportsApi
{
    public static RouteGroupBuilder MapBatchReportsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/batches/{id}").WithTags("Batches");
        group.MapGet("/report.pdf", ReportAsync).WithSummary("The batch report: summary, charts, a page per document, error appendix.");
        group.MapGet("/results.csv", CsvAsync).WithSummary("One row per document with its key fields (RFC 4180).");
        group.MapGet("/results.json", JsonAsync).WithSummary("The same rows as JSON.");
        return group;
    }

    internal static async Task<IResult> ReportAsync(string id, IJobStore store, CancellationToken ct)
    {
        var report = await LoadAsync(id, store, ct);
        if (report is null) return Problems.NotFound($"No batch with id '{id}'.");
        var buffer = new MemoryStream();
        await Task.Run(() => ReportPdf.Render(report, buffer, ct), ct);
        buffer.Position = 0;
        return Results.Stream(buffer, "application/pdf", $"{id}-report.pdf");
    }

    internal static async Task<IResult> CsvAsync(string id, IJobStore store, CancellationToken ct)
    {
        var report = await LoadAsync(id, store, ct, withDocuments: false);
        return report is null ? Problems.NotFound($"No batch with id '{id}'.") : Results.Text(ResultsExport.ToCsv(report.Rows), "text/csv; charset=utf-8");
    }

    internal static async Task<IResult> JsonAsync(string id, IJobStore store, CancellationToken ct)
    {
        var report = await LoadAsync(id, store, ct, withDocuments: false);
        if (report is null) return Problems.NotFound($"No batch with id '{id}'.");
        var buffer = new MemoryStream();
        await ResultsExport.WriteJsonAsync(report.Rows, buffer, ct);
        buffer.Position = 0;
        return Results.Stream(buffer, "application/json");
    }

    /// <summary>The batch as report rows: every job with its outcome and the key fields of its stored result.</summary>
    internal static async Task<BatchReport?> LoadAsync(string id, IJobStore store, CancellationToken ct, bool withDocuments = true)
    {
        var batch = await store.GetBatchAsync(id, ct);
        if (batch is null) return null;
        var jobs = new List<JobRecord>();
        string? cursor = null;
        do
        {
            var page = await store.ListJobsAsync(new JobQuery(BatchId: id, Limit: 1000, Cursor: cursor), ct);
            jobs.AddRange(page.Items);
            cursor = page.NextCursor;
        } while (cursor is not null);

        var rows = new List<ResultRow>();
        var ids = new Dictionary<ResultRow, string>();
        foreach (var job in jobs)
        {
            var document = job.Status == JobStatus.Succeeded ? await store.GetResultAsync(job.Id, ct) : null;
            var row = new ResultRow
            {
                File = job.FileName,
                Status = job.Status.ToWireName(),
                DocumentType = job.DocumentType ?? (document is null ? null : KeyFields.DocumentTypeOf(document)),
                MimeType = job.MimeType,
                Pages = job.Pages ?? 0,
                OcrPages = job.OcrPages.Count,
                Milliseconds = job.DurationMs ?? 0,
                FinishedAtMs = job.FinishedAt is { } f ? (long)(f - batch.CreatedAt).TotalMilliseconds : 0,
                Fields = document is null ? null : KeyFields.From(document),
                ErrorCode = job.ErrorCode,
                ErrorMessage = job.ErrorMessage,
            };
            rows.Add(row);
            ids[row] = job.Id;
        }
        var finished = batch.FinishedAt ?? DateTimeOffset.UtcNow;
        return new BatchReport
        {
            Title = $"DocFlow batch {id}",
            OutputDirectory = "",
            StartedAt = batch.CreatedAt,
            FinishedAt = finished,
            ElapsedMs = (long)(finished - batch.CreatedAt).TotalMilliseconds,
            Rows = rows,
            DocumentOf = withDocuments ? row => ids.TryGetValue(row, out var jobId) ? store.GetResultAsync(jobId, ct).GetAwaiter().GetResult() : null : static _ => null,
        };
    }
}
