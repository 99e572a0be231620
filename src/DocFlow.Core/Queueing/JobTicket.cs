namespace DocFlow.Queueing;

/// <summary>Which kind of worker a job needs.</summary>
public enum JobRoute
{
    Image,
    Pdf,
    Report,

    /// <summary>A webhook delivery (the ticket's <see cref="JobTicket.JobId"/> is the delivery's id).</summary>
    Webhook,
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

    /// <summary>For a range ticket, the job whose pages it carries; null for a whole document.</summary>
    /// <remarks>A range ticket has its own <see cref="JobId"/> (<c>{job}#{part}</c>) so the queue's per-ticket
    /// bookkeeping (dead letters, requeue) never confuses two ranges of one document.</remarks>
    public string? ParentJobId { get; init; }

    /// <summary>For a range ticket, the 0-based index of its part in the job's split plan.</summary>
    public int? Part { get; init; }

    /// <summary>For a range ticket, the 1-based pages it processes; null processes the whole document.</summary>
    public PageRange? Pages { get; init; }

    /// <summary>W3C <c>traceparent</c> of the span that enqueued the job, so the worker continues the upload's trace
    /// (carried as the <c>traceparent</c> field in Redis). Null when no trace was recorded.</summary>
    public string? TraceParent { get; init; }
}

/// <summary>Pages <paramref name="First"/> to <paramref name="Last"/> of a document, 1-based and inclusive.</summary>
public readonly record struct PageRange(int First, int Last)
{
    public int Count => Last - First + 1;

    public bool Contains(int page) => page >= First && page <= Last;

    /// <summary>"5-8": the wire form (Redis fields, logs).</summary>
    public override string ToString() => First.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + Last.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static PageRange Parse(string value)
    {
        var dash = value.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0
            && int.TryParse(value.AsSpan(0, dash), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var first)
            && int.TryParse(value.AsSpan(dash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var last)
            && first >= 1 && last >= first)
            return new PageRange(first, last);
        throw new FormatException($"'{value}' is not a page range (FIRST-LAST, 1-based).");
    }
}

public static class JobRoutes
{
    public static string ToWireName(this JobRoute route) => WireName.Of(route);

    public static string ToWireName(this JobPriority priority) => WireName.Of(priority);

    public static readonly IReadOnlyList<JobRoute> All = [JobRoute.Image, JobRoute.Pdf, JobRoute.Report, JobRoute.Webhook];
}
