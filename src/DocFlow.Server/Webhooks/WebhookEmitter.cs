using System.Text.Json;
using System.Text.Json.Serialization;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Storage;
using DocFlow.Webhooks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DocFlow.Server.Webhooks;

/// <summary>The event types.</summary>
public static class WebhookEvents
{
    public const string DocumentSucceeded = "document.succeeded";
    public const string DocumentFailed = "document.failed";
    public const string BatchCompleted = "batch.completed";
}

/// <summary>
/// Emits a batch's events from the store's state whenever jobs of the batch end (<see cref="BatchCompletion"/> calls it
/// from the worker, the ingest and recovery): one <c>document.succeeded</c> or <c>document.failed</c> per ended document
/// and one <c>batch.completed</c>, each recorded once (unique event key: two workers that see the same end race for the
/// insert, one wins) and put on the queue's webhook route as a delivery job.
/// </summary>
public sealed partial class WebhookEmitter(
    IWebhookStore webhooks, IJobMonitoringStore jobs, IJobQueue queue, IOptions<WebhookOptions> options, TimeProvider time,
    ILogger<WebhookEmitter> logger) : IJobEndObserver
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public async Task JobEndedAsync(BatchRecord batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        try
        {
            await EmitAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Never fails the job that ended: its events are emitted at the batch's next end, or left out (logged).
            Log.EmitFailed(logger, batch.Id, e.Message);
        }
    }

    private async Task EmitAsync(BatchRecord batch, CancellationToken ct)
    {
        var subscription = await webhooks.GetSubscriptionAsync(batch.Id, ct).ConfigureAwait(false);
        if (subscription is null) return;
        var emitted = await webhooks.GetEventKeysAsync(batch.Id, ct).ConfigureAwait(false);
        var all = new List<JobRecord>();
        string? cursor = null;
        do
        {
            var page = await jobs.ListJobsAsync(new JobQuery(BatchId: batch.Id, Limit: 1000, Cursor: cursor), ct).ConfigureAwait(false);
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        } while (cursor is not null);

        foreach (var job in all.Where(j => j.Status is JobStatus.Succeeded or JobStatus.Failed))
        {
            var type = job.Status == JobStatus.Succeeded ? WebhookEvents.DocumentSucceeded : WebhookEvents.DocumentFailed;
            var key = $"{job.Id}:{type}";
            if (emitted.Contains(key)) continue;
            var links = new Dictionary<string, string>
            {
                ["document"] = Link($"/api/v1/documents/{job.Id}"),
                ["batch"] = Link($"/api/v1/batches/{batch.Id}"),
            };
            if (job.Status == JobStatus.Succeeded)
            {
                links["result"] = Link($"/api/v1/documents/{job.Id}/result");
                links["text"] = Link($"/api/v1/documents/{job.Id}/text");
            }
            await AddAsync(subscription, key, type, new EventData
            {
                BatchId = batch.Id, DocumentId = job.Id, FileName = job.FileName, Status = job.Status.ToWireName(),
                Error = job.ErrorCode is null ? null : new EventError(job.ErrorCode, job.ErrorMessage ?? ""),
                Links = links,
            }, ct).ConfigureAwait(false);
        }

        var done = all.Count(j => j.Status is JobStatus.Succeeded or JobStatus.Failed);
        if (done == all.Count && all.Count > 0 && !emitted.Contains($"{batch.Id}:{WebhookEvents.BatchCompleted}"))
        {
            await AddAsync(subscription, $"{batch.Id}:{WebhookEvents.BatchCompleted}", WebhookEvents.BatchCompleted, new EventData
            {
                BatchId = batch.Id, Status = "completed",
                Counts = new EventCounts(all.Count, all.Count(j => j.Status == JobStatus.Succeeded), all.Count(j => j.Status == JobStatus.Failed)),
                Links = new Dictionary<string, string>
                {
                    ["batch"] = Link($"/api/v1/batches/{batch.Id}"),
                    ["documents"] = Link($"/api/v1/batches/{batch.Id}/documents"),
                    ["report"] = Link($"/api/v1/batches/{batch.Id}/report.pdf"),
                    ["results"] = Link($"/api/v1/batches/{batch.Id}/results.json"),
                },
            }, ct).ConfigureAwait(false);
        }
    }

    private async Task AddAsync(WebhookSubscription subscription, string key, string type, EventData data, CancellationToken ct)
    {
        var id = $"evt_{Guid.CreateVersion7():N}";
        var now = time.GetUtcNow();
        var payload = JsonSerializer.Serialize(new EventBody(id, type, now, subscription.Tenant, data), Json);
        var delivery = new WebhookDelivery(id, key, subscription.BatchId, subscription.Tenant, type, subscription.Url, payload,
            WebhookDeliveryStatus.Pending, 0, null, null, now, now, null);
        if (!await webhooks.TryAddDeliveryAsync(delivery, ct).ConfigureAwait(false)) return;
        // Not enqueued (the queue unreachable): still pending in the store, offered again by WebhookRecovery.
        await queue.EnqueueAsync(Ticket(id, subscription.BatchId, 0, now), ct).ConfigureAwait(false);
    }

    internal static JobTicket Ticket(string deliveryId, string batchId, int attempt, DateTimeOffset now) =>
        new(deliveryId, JobRoute.Webhook, JobPriority.Normal, deliveryId, attempt) { BatchId = batchId, EnqueuedAt = now };

    private string Link(string path) =>
        options.Value.PublicBaseUrl is { Length: > 0 } b ? b.TrimEnd('/') + path : path;

    internal sealed record EventBody(string Id, string Type, DateTimeOffset Time, string Tenant, EventData Data);

    internal sealed record EventData
    {
        public required string BatchId { get; init; }
        public string? DocumentId { get; init; }
        public string? FileName { get; init; }
        public required string Status { get; init; }
        public EventError? Error { get; init; }
        public EventCounts? Counts { get; init; }
        public required Dictionary<string, string> Links { get; init; }
    }

    internal sealed record EventError(string Code, string Message);

    internal sealed record EventCounts(int Total, int Succeeded, int Failed);

    private static partial class Log
    {
        [LoggerMessage(EventId = 700, Level = LogLevel.Warning, Message = "Webhook events of batch {BatchId} not emitted now: {Reason}")]
        public static partial void EmitFailed(ILogger logger, string batchId, string reason);
    }
}
