using System.ComponentModel.DataAnnotations;

namespace DocFlow.Queueing;

/// <summary>When and how often failed jobs are tried again. Section "Retry".</summary>
public sealed class RetryOptions
{
    public const string SectionName = "Retry";

    /// <summary>Most attempts for a transiently failing job, the first included. <value>Default 3.</value></summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Most deliveries of one job before it counts as poison (a worker died on it each time). <value>Default 5.</value></summary>
    [Range(1, 100)]
    public int MaxDeliveries { get; set; } = 5;

    /// <summary>Delay before the first retry; doubled for each further one. <value>Default 2 s.</value></summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Cap on the backoff delay. <value>Default 1 minute.</value></summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Routes with a budget of their own (the webhook route: <c>Webhooks:MaxAttempts</c>, <c>BaseDelay</c>,
    /// <c>MaxDelay</c>); every other route uses this one. <see cref="MaxDeliveries"/> is always this one's.</summary>
    public Dictionary<JobRoute, RetryOptions> PerRoute { get; } = [];

    /// <summary>The retry budget of <paramref name="route"/>.</summary>
    public RetryOptions For(JobRoute route) => PerRoute.TryGetValue(route, out var own) ? own : this;

    /// <summary>Exponential backoff with "equal jitter": half fixed, half random, so retries of a burst spread out.</summary>
    public TimeSpan DelayFor(int attempt, Random? random = null)
    {
        var exp = BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempt));
        var capped = Math.Min(exp, MaxDelay.TotalMilliseconds);
        var jitter = (random ?? Random.Shared).NextDouble() * capped / 2;
        return TimeSpan.FromMilliseconds(capped / 2 + jitter);
    }
}
