namespace DocFlow.Data.Entities;

internal sealed class WebhookSubscriptionEntity
{
    public required string BatchId { get; set; }
    public string Tenant { get; set; } = DocFlow.Security.Tenants.Default;
    public required string Url { get; set; }
    /// <summary>The signing secret, sealed when encryption at rest is on.</summary>
    public required string Secret { get; set; }
    public required string Source { get; set; }
}

internal sealed class WebhookDeliveryEntity
{
    public required string Id { get; set; }
    public required string EventKey { get; set; }
    public required string BatchId { get; set; }
    public string Tenant { get; set; } = DocFlow.Security.Tenants.Default;
    public required string Type { get; set; }
    public required string Url { get; set; }
    public required string Payload { get; set; }
    public required string Status { get; set; }
    public int Attempts { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? NextAttemptAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
}

internal sealed class WebhookAttemptEntity
{
    public long Id { get; set; }
    public required string DeliveryId { get; set; }
    public int Number { get; set; }
    public DateTimeOffset At { get; set; }
    public int? StatusCode { get; set; }
    public long LatencyMs { get; set; }
    public string? Error { get; set; }
    public DateTimeOffset? NextRetryAt { get; set; }
}

internal sealed class IdempotencyKeyEntity
{
    public required string Scope { get; set; }
    public required string Key { get; set; }
    public required string RequestHash { get; set; }
    public int StatusCode { get; set; }
    public string? ContentType { get; set; }
    public string? Body { get; set; }
    public string? Location { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}
