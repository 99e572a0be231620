using DocFlow.Server.Api;
using DocFlow.Server.Security;
using DocFlow.Storage;
using DocFlow.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace DocFlow.Server.Webhooks;

/// <summary>One delivery in the log: the event, where it goes, its state and every attempt.</summary>
public sealed record WebhookDeliveryDto(
    string Id, string Type, string BatchId, string Url, string Status, int Attempts, int? LastStatusCode, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt, IReadOnlyList<WebhookAttemptDto> AttemptLog)
{
    public static WebhookDeliveryDto From(WebhookDelivery d) => new(d.Id, d.Type, d.BatchId, d.Url, d.Status, d.Attempts, d.LastStatusCode,
        d.LastError, d.CreatedAt, d.NextAttemptAt, d.DeliveredAt,
        [.. d.AttemptLog.Select(a => new WebhookAttemptDto(a.Number, a.At, a.StatusCode, a.LatencyMs, a.Error, a.NextRetryAt))]);
}

public sealed record WebhookAttemptDto(int Number, DateTimeOffset At, int? StatusCode, long LatencyMs, string? Error, DateTimeOffset? NextRetryAt);

/// <summary>The delivery log: per batch (whoever may read the batch) and recent across batches (operators, the dashboard).</summary>
public static class WebhooksApi
{
    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        // A group like every other API (its endpoints come after the ones mapped before it, in the API reference too).
        var group = app.MapGroup("/api/v1").WithTags("Webhooks");
        group.MapGet("/batches/{id}/webhooks", ForBatchAsync).RequireAuthorization(Policies.ReadMetadata)
            .WithSummary("The batch's webhook deliveries: event, URL, status, attempts (time, status code, latency, error, next retry).");
        group.MapGet("/webhooks/deliveries", RecentAsync).RequireAuthorization(Policies.Operate)
            .WithSummary("Recent webhook deliveries of every batch, newest first (`status` pending|delivered|failed, `limit` up to 500).");
        return app;
    }

    internal static async Task<Results<Ok<List<WebhookDeliveryDto>>, ProblemHttpResult>> ForBatchAsync(
        string id, IJobMonitoringStore jobs, IWebhookStore webhooks, CancellationToken ct)
    {
        if (await jobs.GetBatchAsync(id, ct) is null) return Problems.NotFound($"No batch with id '{id}'.");
        var deliveries = await webhooks.ListForBatchAsync(id, ct);
        return TypedResults.Ok(deliveries.Select(WebhookDeliveryDto.From).ToList());
    }

    internal static async Task<Results<Ok<List<WebhookDeliveryDto>>, ProblemHttpResult>> RecentAsync(
        IWebhookStore webhooks, string? status, int? limit, CancellationToken ct)
    {
        if (status is not (null or WebhookDeliveryStatus.Pending or WebhookDeliveryStatus.Delivered or WebhookDeliveryStatus.Failed))
            return Problems.BadRequest($"`status` must be pending, delivered or failed, not '{status}'.");
        if (limit is < 1 or > 500) return Problems.BadRequest($"`limit` must be 1 to 500, not {limit}.");
        var deliveries = await webhooks.ListRecentAsync(status, limit ?? 50, ct);
        return TypedResults.Ok(deliveries.Select(WebhookDeliveryDto.From).ToList());
    }
}
