using DocFlow.Blobs;
using DocFlow.Documents;
using DocFlow.Reports;
using DocFlow.Reports.Pdf;
using DocFlow.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using DocFlow.Server.Security;

namespace DocFlow.Server.Api;

/// <summary>A batch's report and exports. report.pdf is made by the batch's report job (route <c>report</c>, put on the
/// queue when the batch's last document ends) and served from blob storage; results.csv and results.json are cheap and
/// made from the store when asked (the same renderers as `docflow process`).</summary>
public static class BatchReportsApi
{
    public static RouteGroupBuilder MapBatchReportsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/batches/{id}").WithTags("Batches").RequireAuthorization(Policies.ReadContent);
        group.MapGet("/report.pdf", ReportAsync).RequireRateLimiting(UploadRateLimit.ExpensiveReadsPolicyName).WithSummary("The batch report: summary, charts, a page per document, error appendix.");
        group.MapGet("/results.csv", CsvAsync).WithSummary("One row per document with its key fields (RFC 4180).");
        group.MapGet("/results.json", JsonAsync).WithSummary("The same rows as JSON.");
        return group;
    }

    /// <summary>How long a client should wait before asking again for a report that is not made yet.</summary>
    internal static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);

    internal static async Task<IResult> ReportAsync(string id, IJobMonitoringStore store, IBatchReportStore reports, IBlobStore blobs, HttpContext http, CancellationToken ct)
    {
        var batch = await store.GetBatchAsync(id, ct);
        if (batch is null) return Problems.NotFound($"No batch with id '{id}'.");
        if (batch.Status != BatchStatus.Completed)
            return NotYet(http, StatusCodes.Status409Conflict, "Batch running",
                $"Batch '{id}' is still running ({batch.Succeeded + batch.Failed} of {batch.Total} documents ended); its report is made when the last one ends.");
        var report = await reports.GetReportAsync(id, ct);
        if (report is null)
            return NotYet(http, StatusCodes.Status202Accepted, "Report pending", $"The report of batch '{id}' is being made; ask again shortly.");
        if (!report.Succeeded || !report.Files.TryGetValue(ReportJobHandler.PdfFileName, out var key))
            return Problems.Status(StatusCodes.Status500InternalServerError, "Report failed", $"The report job of batch '{id}' failed: {report.Error}", "report_failed");
        return Results.Stream(await blobs.OpenReadAsync(key, ct), "application/pdf", $"{id}-report.pdf");
    }

    private static ProblemHttpResult NotYet(HttpContext http, int status, string title, string detail)
    {
        http.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problems.Status(status, title, detail);
    }

    internal static async Task<IResult> CsvAsync(string id, IJobMonitoringStore store, [FromServices] EnginePrices prices, CancellationToken ct)
    {
        var report = await LoadAsync(id, store, ct, withDocuments: false, prices);
        return report is null ? Problems.NotFound($"No batch with id '{id}'.") : Results.Text(ResultsExport.ToCsv(report.Rows), "text/csv; charset=utf-8");
    }

    internal static async Task<IResult> JsonAsync(string id, IJobMonitoringStore store, [FromServices] EnginePrices prices, CancellationToken ct)
    {
        var report = await LoadAsync(id, store, ct, withDocuments: false, prices);
        if (report is null) return Problems.NotFound($"No batch with id '{id}'.");
        var buffer = new MemoryStream();
        await ResultsExport.WriteJsonAsync(report.Rows, buffer, ct);
        buffer.Position = 0;
        return Results.Stream(buffer, "application/json");
    }

    /// <summary>The batch as report rows: every job with its outcome and the key fields of its stored result.</summary>
    /// <param name="prices">The price table of the rows' cost (Engines:PricePerPage); none when null.</param>
    internal static Task<BatchReport?> LoadAsync(string id, IJobMonitoringStore store, CancellationToken ct, bool withDocuments = true, EnginePrices? prices = null) =>
        new StoreReportSource(store, prices: prices).LoadAsync(id, "", withDocuments, ct);
}
