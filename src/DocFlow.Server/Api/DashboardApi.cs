using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using DocFlow.Blobs;
using DocFlow.Server.Dashboard;
using DocFlow.Storage;
using DocFlow.Workers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using DocFlow.Server.Security;

namespace DocFlow.Server.Api;

/// <summary>What the dashboard reads: the overview (and its live stream), recent jobs and batches, workers, page images.</summary>
public static class DashboardApi
{
    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder app)
    {
        var dashboard = app.MapGroup("/api/v1/dashboard").WithTags("Dashboard").RequireAuthorization(Policies.Operate);
        dashboard.MapGet("/overview", OverviewAsync)
            .WithSummary("Queues, workers, throughput and latency per minute over the last hour, error rate, uptime, cost per document.");
        dashboard.MapGet("/events", EventsAsync).WithSummary("Server-Sent Events: the overview as an `overview` event every 2 s.");
        app.MapGet("/api/v1/workers", WorkersAsync).WithTags("Dashboard").RequireAuthorization(Policies.Operate).WithSummary("Workers from their heartbeats; stale after 3 missed beats.");
        app.MapGet("/api/v1/jobs", JobsAsync).WithTags("Dashboard").RequireAuthorization(Policies.ReadMetadata)
            .WithSummary("Recent jobs, newest first (`status`, `limit` 1..1000, `cursor` from `nextCursor`).");
        app.MapGet("/api/v1/batches", BatchesAsync).WithTags("Batches").RequireAuthorization(Policies.ReadMetadata)
            .WithSummary("Recent batches with progress, newest first (`limit` 1..1000, `cursor` from `nextCursor`).");
        app.MapGet("/api/v1/documents/{id}/pages/{n:int}/image", PageImageAsync).WithTags("Documents").RequireAuthorization(Policies.ReadContent)
            .RequireRateLimiting(UploadRateLimit.ExpensiveReadsPolicyName)
            .WithSummary("Page n (1-based) of the original as PNG at screen resolution; boxes go on top from normalizedVertices.");
        return app;
    }

    internal static async Task<Ok<OverviewDto>> OverviewAsync(DashboardService dashboard, CancellationToken ct) =>
        TypedResults.Ok(await dashboard.GetOverviewAsync(ct));

    /// <summary>The overview as an SSE `overview` event now and then every <see cref="DashboardOptions.RefreshInterval"/>,
    /// until the browser goes away.</summary>
    internal static ServerSentEventsResult<OverviewDto> EventsAsync(
        HttpContext context, DashboardService dashboard, IOptions<DashboardOptions> options, TimeProvider time, CancellationToken ct)
    {
        // Behind nginx: do not buffer the stream.
        context.Response.Headers["X-Accel-Buffering"] = "no";
        return TypedResults.ServerSentEvents(Overviews(dashboard, options.Value.RefreshInterval, time, ct));

        static async IAsyncEnumerable<SseItem<OverviewDto>> Overviews(
            DashboardService dashboard, TimeSpan interval, TimeProvider time, [EnumeratorCancellation] CancellationToken ct)
        {
            using var timer = new PeriodicTimer(interval, time);
            do
            {
                yield return new SseItem<OverviewDto>(await dashboard.GetOverviewAsync(ct), "overview");
            } while (await timer.WaitForNextTickAsync(ct));
        }
    }

    internal static async Task<Ok<List<WorkerDto>>> WorkersAsync(IWorkerRegistry registry, TimeProvider time, CancellationToken ct)
    {
        var workers = await registry.ListAsync(ct);
        var now = time.GetUtcNow();
        return TypedResults.Ok(workers.Select(w => DashboardService.ToDto(w, now)).ToList());
    }

    public sealed record JobSummaryDto(string Id, string BatchId, string FileName, string Status, string? MimeType, string Route, string Priority,
        int? Pages, int Attempts, ErrorDto? Error, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, long? DurationMs)
    {
        /// <summary>The tenant the job belongs to.</summary>
        public string Tenant { get; init; } = DocFlow.Security.Tenants.Default;
    }

    public sealed record PageDto<T>(IReadOnlyList<T> Items, string? NextCursor);

    internal static async Task<Results<Ok<PageDto<JobSummaryDto>>, ProblemHttpResult>> JobsAsync(
        IJobMonitoringStore store, CancellationToken ct, string? status = null, int limit = 50, string? cursor = null)
    {
        JobStatus? filter = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (!WireName.TryParse<JobStatus>(status, out var s)) return Problems.BadRequest($"`status` must be queued, processing, succeeded or failed, not '{status}'.");
            filter = s;
        }
        if (limit is < 1 or > 1000) return Problems.BadRequest("`limit` must be between 1 and 1000.");
        try
        {
            var page = await store.ListJobsAsync(new JobQuery(Status: filter, Limit: limit, Cursor: cursor, NewestFirst: true), ct);
            return TypedResults.Ok(new PageDto<JobSummaryDto>([.. page.Items.Select(j => new JobSummaryDto(j.Id, j.BatchId, j.FileName,
                j.Status.ToWireName(), j.MimeType, Queueing.JobRoutes.ToWireName(j.Route), Queueing.JobRoutes.ToWireName(j.Priority), j.Pages,
                j.Attempts, BatchDocumentDto.ErrorOf(j), j.CreatedAt, j.FinishedAt, j.DurationMs) { Tenant = j.Tenant })], page.NextCursor));
        }
        catch (ArgumentException e) when (cursor is not null)
        {
            return Problems.BadRequest(e.Message);
        }
    }

    internal static async Task<Results<Ok<PageDto<BatchDto>>, ProblemHttpResult>> BatchesAsync(
        IJobMonitoringStore store, CancellationToken ct, int limit = 20, string? cursor = null)
    {
        if (limit is < 1 or > 1000) return Problems.BadRequest("`limit` must be between 1 and 1000.");
        try
        {
            var page = await store.ListBatchesAsync(new BatchQuery(limit, cursor), ct);
            return TypedResults.Ok(new PageDto<BatchDto>([.. page.Items.Select(BatchDto.From)], page.NextCursor));
        }
        catch (ArgumentException e) when (cursor is not null)
        {
            return Problems.BadRequest(e.Message);
        }
    }

    internal static async Task<IResult> PageImageAsync(string id, int n, HttpContext context, IJobMonitoringStore store, IBlobStore blobs,
        DocFlow.Processing.EngineOptions engine, PageImageGate gate, CancellationToken ct)
    {
        var job = await store.GetJobAsync(id, ct);
        if (job is null) return Problems.NotFound($"No document with id '{id}'.");
        if (job.MimeType is null || !await blobs.ExistsAsync(job.BlobKey, ct))
            return Problems.NotFound($"The original of '{id}' is not stored (it was rejected at upload).");
        if (n < 1 || (job.Pages is { } pages && n > pages)) return Problems.NotFound($"'{id}' has no page {n}.");
        if (!await gate.TryEnterAsync(ct))
        {
            context.Response.Headers.RetryAfter = "2";
            return Problems.Status(StatusCodes.Status503ServiceUnavailable, "Busy",
                $"{gate.Options.PageImageConcurrency} page images are being rendered; try again in 2 s.");
        }
        byte[]? png;
        try
        {
            byte[] content;
            await using (var stream = await blobs.OpenReadAsync(job.BlobKey, ct))
            using (var buffer = new MemoryStream())
            {
                await stream.CopyToAsync(buffer, ct);
                content = buffer.ToArray();
            }
            png = await PageImages.RenderAsync(content, n, engine, gate.Options.PageImageTimeout, ct);
        }
        catch (DocFlow.Processing.DocumentException e)
        {
            // The same limits as ingest: what the engine refused (or would refuse) is not decoded here either.
            return Problems.Status(StatusCodes.Status422UnprocessableEntity, "Page cannot be shown", e.Message, DocFlow.Processing.DocumentErrorCodes.ToWireName(e.Code));
        }
        finally
        {
            gate.Exit();
        }
        if (png is null) return Problems.NotFound($"'{id}' has no page {n}.");
        // The original never changes (its blob key is its SHA-256), so neither does the picture of its page.
        context.Response.Headers.CacheControl = "private, max-age=3600";
        return TypedResults.File(png, "image/png");
    }
}
