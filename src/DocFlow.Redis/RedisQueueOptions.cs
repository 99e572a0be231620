using System.ComponentModel.DataAnnotations;

namespace DocFlow.Redis;

/// <summary>Options of the Redis Streams queue. Section "Queue:Redis".</summary>
public sealed class RedisQueueOptions : IValidatableObject
{
    public const string SectionName = "Queue:Redis";

    /// <summary>Prefix of every key the queue uses. <value>Default "docflow".</value></summary>
    [Required, RegularExpression(@"^[^\s]+$", ErrorMessage = "KeyPrefix must be non-empty and hold no whitespace.")]
    public string KeyPrefix { get; set; } = "docflow";

    /// <summary>Redis password (AUTH), when it is not in the <c>Redis</c> URL: e.g. <c>DOCFLOW__Queue__Redis__Password</c>
    /// from a Kubernetes Secret. <value>Default: none, or the URL's.</value></summary>
    public string? Password { get; set; }

    /// <summary>PEM file of the CA that signed Redis's TLS certificate (<c>rediss://</c>), when it is not in the system's
    /// trust store. <value>Default: none (the system's trust store).</value></summary>
    public string? CaCertificate { get; set; }

    /// <summary>This worker's consumer name in the group; unique per process. <value>Default "{host}-{pid}".</value></summary>
    [Required]
    public string ConsumerName { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>An entry held this long without a keep-alive is taken over by another worker. <value>Default 5 minutes.</value></summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often held entries are touched (XCLAIM JUSTID) so they are not taken over; well under
    /// <see cref="VisibilityTimeout"/>. <value>Default 30 s.</value></summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A consumer whose liveness key (<c>{prefix}:alive:{consumer}</c>, refreshed every third of this by each
    /// fetching process) is older than this is dead: another worker's housekeeping takes over its pending entries at
    /// once instead of after <see cref="VisibilityTimeout"/>, and removes it from the group when it holds none.
    /// <value>Default 15 s.</value></summary>
    public TimeSpan ConsumerTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Longest pause between two polls of an empty queue (polls back off from 1 ms up to this).
    /// <value>Default 100 ms.</value></summary>
    public TimeSpan BlockTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How often a fetcher reclaims idle entries and promotes due retries. <value>Default 1 s.</value></summary>
    public TimeSpan HousekeepingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Deliveries after which the queue itself dead-letters an entry as poison. A backstop: the worker
    /// loop's <c>Retry:MaxDeliveries</c> (5) normally catches it first and records the failure. <value>Default 10.</value></summary>
    [Range(1, 1000)]
    public int MaxDeliveries { get; set; } = 10;

    /// <summary>Most entries one fetch round reads from Redis. <value>Default 256.</value></summary>
    [Range(1, 10_000)]
    public int MaxFetchBatch { get; set; } = 256;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (VisibilityTimeout <= TimeSpan.Zero)
            yield return new("VisibilityTimeout must be positive.", [nameof(VisibilityTimeout)]);
        if (KeepAliveInterval <= TimeSpan.Zero || KeepAliveInterval * 2 > VisibilityTimeout)
            yield return new($"KeepAliveInterval must be positive and at most half of VisibilityTimeout ({VisibilityTimeout}).",
                [nameof(KeepAliveInterval)]);
        if (ConsumerTimeout < TimeSpan.FromMilliseconds(300))
            yield return new("ConsumerTimeout must be at least 300 ms.", [nameof(ConsumerTimeout)]);
        if (BlockTimeout <= TimeSpan.Zero)
            yield return new("BlockTimeout must be positive.", [nameof(BlockTimeout)]);
        if (HousekeepingInterval <= TimeSpan.Zero)
            yield return new("HousekeepingInterval must be positive.", [nameof(HousekeepingInterval)]);
    }

    /// <summary>Throws with every problem when the options are not usable.</summary>
    public void ThrowIfInvalid()
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true))
            throw new ValidationException("Invalid Queue:Redis options: " + string.Join(" ", results.Select(r => r.ErrorMessage)));
    }
}
