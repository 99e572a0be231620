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

    internal static async Task<IResult> ReportAsync(string id, IJobMonitoringStore store, CancellationToken ct)
    {
        var report = await LoadAsync(id, store, ct);
        if (report is null) return Problems.NotFound($"No batch with id '{id}'.");
        var buffer = new MemoryStream();
        await Task.Run(() => ReportPdf.Render(report, buffer, ct), ct);
        buffer.Position = 0;
        return Results.Stream(buffer, "application/pdf", $"{id}-report.pdf");
    }

    internal static async Task<IResult> CsvAsync(string id, IJobMonitoringStore store, CancellationToken ct)
    {
        var report = await LoadAsync(id, store, ct, withDocuments: false);
        return report is null ? Problems.NotFound($"No batch with id '{id}'.") : Results.Text(ResultsExport.ToCsv(report.Rows), "text/csv; charset=utf-8");
    }

    internal static async Task<IResult> JsonAsync(string id, IJobMonitoringStore store, CancellationToken ct)
    {
        var report = await LoadAsync(id, store, ct, withDocuments: false);
        if (report is null) return Problems.NotFound($"No batch with id '{id}'.");
        var buffer = new MemoryStream();
        await ResultsExport.WriteJsonAsync(report.Rows, buffer, ct);
        buffer.Position = 0;
        return Results.Stream(buffer, "application/json");
    }

    /// <summary>The batch as report rows: every job with its outcome and the key fields of its stored result.</summary>
    internal static Task<BatchReport?> LoadAsync(string id, IJobMonitoringStore store, CancellationToken ct, bool withDocuments = true) =>
        new StoreReportSource(store).LoadAsync(id, "", withDocuments, ct);
}
