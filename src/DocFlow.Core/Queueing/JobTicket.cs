namespace DocFlow.Queueing;

/// <summary>Which kind of worker a job needs.</summary>
public enum JobRoute
{
    Image,
    Pdf,
    Report,
}

/// <summary>Express jobs are always fetched before normal ones.</summary>
public enum JobPriority
{
    Express,
    Normal,
}

/// <summary>What travels through the queue: a reference to the work, never the document itself.</summary>
/// <param name="JobId">Unique id of the job; results are stored under it, so redelivery is idempotent.</param>
/// <param name="Route">The worker route (image, pdf, report).</param>
/// <param name="Priority">Express or normal.</param>
/// <param name="Source">Where the content is: a blob key, or a file path in embedded mode.</param>
/// <param name="Attempt">0 for the first try; incremented by every retry.</param>
public sealed record JobTicket(string JobId, JobRoute Route, JobPriority Priority, string Source, int Attempt = 0)
{
    /// <summary>The batch the job belongs to, if any.</summary>
    public string? BatchId { get; init; }

    /// <summary>The name the file was submitted under (for people, never for type decisions).</summary>
    public string? FileName { get; init; }

    public DateTimeOffset EnqueuedAt { get; init; }

    /// <summary>How many times the job has been handed to a worker, this time included (set by the worker loop
    /// from <see cref="IFetchedJob.DeliveryCount"/>; counts redeliveries after a worker died as well as retries).</summary>
    public int Deliveries { get; init; }

    /// <summary>W3C <c>traceparent</c> of the span that enqueued the job, so the worker continues the upload's trace
    /// (carried as the <c>traceparent</c> field in Redis). Null when no trace was recorded.</summary>
    public string? TraceParent { get; init; }
}

public static class JobRoutes
{
    public static string ToWireName(this JobRoute route) => route switch
    {
        JobRoute.Image => "image",
        JobRoute.Pdf => "pdf",
        _ => "report",
    };

    public static string ToWireName(this JobPriority priority) => priority == JobPriority.Express ? "express" : "normal";

    public static readonly IReadOnlyList<JobRoute> All = [JobRoute.Image, JobRoute.Pdf, JobRoute.Report];
}
