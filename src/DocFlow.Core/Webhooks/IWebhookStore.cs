namespace DocFlow.Webhooks;

/// <summary>Where a batch's events go: the URL and the signing secret chosen at upload (the upload's <c>callbackUrl</c>,
/// else the API key's, else the tenant's default).
/// <para><c>Source</c>: Which of them: <c>batch</c>, <c>key</c> or <c>tenant</c>.</para>
/// </summary>
public sealed record WebhookSubscription(string BatchId, string Tenant, string Url, string Secret, string Source);

/// <summary>The states of a delivery: <c>pending</c> (to be sent or retried), <c>delivered</c> (a 2xx answer),
/// <c>failed</c> (attempts exhausted: dead-lettered, or refused by the address guard).</summary>
public static class WebhookDeliveryStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
}

/// <summary>One event to one URL, with its fixed body (the same bytes on every attempt, so one <c>webhook-id</c>).
/// <para><c>Id</c>: The event id (<c>evt_…</c>): the <c>webhook-id</c> header and the ticket's job id.</para>
/// <para><c>EventKey</c>: What makes it unique: <c>{documentId}:document.succeeded</c>, <c>{batchId}:batch.completed</c>;
/// one delivery per key however many workers see the event.</para>
/// </summary>
public sealed record WebhookDelivery(
    string Id, string EventKey, string BatchId, string Tenant, string Type, string Url, string Payload, string Status,
    int Attempts, int? LastStatusCode, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt)
{
    public IReadOnlyList<WebhookAttempt> AttemptLog { get; init; } = [];
}

/// <summary>One try: when, the answer's status code (null when none came), how long it took, the error, when the next one is due.</summary>
public sealed record WebhookAttempt(int Number, DateTimeOffset At, int? StatusCode, long LatencyMs, string? Error, DateTimeOffset? NextRetryAt);

/// <summary>The webhook tables: subscriptions per batch, deliveries with their attempt log.</summary>
/// <remarks>Reads follow the tenant scope of the flow (like the job store): a request sees its tenant's deliveries only.</remarks>
public interface IWebhookStore
{
    Task SaveSubscriptionAsync(WebhookSubscription subscription, CancellationToken cancellationToken);

    Task<WebhookSubscription?> GetSubscriptionAsync(string batchId, CancellationToken cancellationToken);

    /// <summary>The event keys of the batch's deliveries so far.</summary>
    Task<IReadOnlySet<string>> GetEventKeysAsync(string batchId, CancellationToken cancellationToken);

    /// <summary>Records a new delivery; false when one with its <see cref="WebhookDelivery.EventKey"/> exists (another
    /// worker emitted the event first).</summary>
    Task<bool> TryAddDeliveryAsync(WebhookDelivery delivery, CancellationToken cancellationToken);

    Task<WebhookDelivery?> GetDeliveryAsync(string id, CancellationToken cancellationToken);

    /// <summary>Appends an attempt and moves the delivery (attempts, last status, error; delivered at).</summary>
    Task RecordAttemptAsync(string id, WebhookAttempt attempt, string status, CancellationToken cancellationToken);

    /// <summary>Sets when the next attempt is due (on the delivery and its last attempt).</summary>
    Task ScheduleRetryAsync(string id, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken);

    /// <summary>Gives the delivery up (failed) with the reason, unless it was delivered.</summary>
    Task MarkFailedAsync(string id, string reason, CancellationToken cancellationToken);

    /// <summary>An operator's requeue of a dead-lettered delivery: failed goes back to pending. False when <paramref name="id"/>
    /// is not a failed delivery (a document job's dead letter, say).</summary>
    Task<bool> ReopenFailedAsync(string id, CancellationToken cancellationToken);

    /// <summary>The batch's deliveries with their attempts, oldest first.</summary>
    Task<IReadOnlyList<WebhookDelivery>> ListForBatchAsync(string batchId, CancellationToken cancellationToken);

    /// <summary>Recent deliveries of every batch in scope, newest first (the dashboard), optionally of one status.</summary>
    Task<IReadOnlyList<WebhookDelivery>> ListRecentAsync(string? status, int limit, CancellationToken cancellationToken);

    /// <summary>Deliveries still pending (recovery after a restart), oldest first.</summary>
    Task<IReadOnlyList<WebhookDelivery>> ListPendingAsync(int limit, CancellationToken cancellationToken);
}
