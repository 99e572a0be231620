using System.Globalization;
using DocFlow.Queueing;
using StackExchange.Redis;

namespace DocFlow.Redis;

/// <summary>A stream entry as the queue reads it: the ticket, deliveries before this entry, trace context.</summary>
internal readonly record struct TicketEntry(JobTicket Ticket, int PriorDeliveries, string? TraceParent);

/// <summary>A ticket as the field-value pairs of a stream entry (flat, readable with redis-cli, no JSON).</summary>
internal static class TicketFields
{
    public const string JobId = "jobId";
    public const string Route = "route";
    public const string Priority = "priority";
    public const string Source = "source";
    public const string Attempt = "attempt";
    public const string Deliveries = "deliveries";
    public const string BatchId = "batchId";
    public const string FileName = "fileName";
    public const string EnqueuedAt = "enqueuedAt";
    public const string TraceParent = "traceparent";
    public const string ParentJobId = "parentJobId";
    public const string Part = "part";
    public const string Pages = "pages";

    /// <summary>Fields the dead-letter stream adds.</summary>
    public const string Reason = "reason";
    public const string DeadAt = "deadAt";
    public const string Stream = "stream";

    public static NameValueEntry[] ToEntry(JobTicket ticket, int priorDeliveries = 0, string? traceParent = null)
    {
        var fields = new List<NameValueEntry>(13)
        {
            new(JobId, ticket.JobId),
            new(Route, ticket.Route.ToWireName()),
            new(Priority, ticket.Priority.ToWireName()),
            new(Source, ticket.Source),
            new(Attempt, ticket.Attempt),
            new(Deliveries, priorDeliveries),
            new(EnqueuedAt, ticket.EnqueuedAt.ToUnixTimeMilliseconds()),
        };
        if (ticket.BatchId is not null) fields.Add(new(BatchId, ticket.BatchId));
        if (ticket.FileName is not null) fields.Add(new(FileName, ticket.FileName));
        // The ticket's own context wins: a ticket enqueued later (held through an outage) still continues its upload's trace.
        if ((ticket.TraceParent ?? traceParent) is { } trace) fields.Add(new(TraceParent, trace));
        if (ticket.ParentJobId is not null) fields.Add(new(ParentJobId, ticket.ParentJobId));
        if (ticket.Part is { } part) fields.Add(new(Part, part));
        if (ticket.Pages is { } pages) fields.Add(new(Pages, pages.ToString()));
        return [.. fields];
    }

    /// <summary>The same pairs flattened (name, value, name, value ...), as Lua scripts take them.</summary>
    public static string[] Flatten(NameValueEntry[] entry)
    {
        var flat = new string[entry.Length * 2];
        for (var i = 0; i < entry.Length; i++)
        {
            flat[2 * i] = entry[i].Name!;
            flat[2 * i + 1] = entry[i].Value!;
        }
        return flat;
    }

    public static TicketEntry Parse(IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        string? jobId = null, route = null, priority = null, source = null, batchId = null, fileName = null, trace = null, parent = null;
        int attempt = 0, deliveries = 0;
        int? part = null;
        PageRange? pages = null;
        long enqueuedAt = 0;
        foreach (var (name, value) in fields)
        {
            switch (name)
            {
                case JobId: jobId = value; break;
                case Route: route = value; break;
                case Priority: priority = value; break;
                case Source: source = value; break;
                case Attempt: attempt = int.Parse(value, CultureInfo.InvariantCulture); break;
                case Deliveries: deliveries = int.Parse(value, CultureInfo.InvariantCulture); break;
                case EnqueuedAt: enqueuedAt = long.Parse(value, CultureInfo.InvariantCulture); break;
                case BatchId: batchId = value; break;
                case FileName: fileName = value; break;
                case TraceParent: trace = value; break;
                case ParentJobId: parent = value; break;
                case Part: part = int.Parse(value, CultureInfo.InvariantCulture); break;
                case Pages: pages = PageRange.Parse(value); break;
            }
        }
        if (jobId is null || route is null || priority is null || source is null)
            throw new FormatException($"Queue entry lacks a required field (jobId, route, priority, source): job '{jobId}'.");
        var ticket = new JobTicket(jobId, ParseRoute(route), ParsePriority(priority), source, attempt)
        {
            BatchId = batchId,
            FileName = fileName,
            EnqueuedAt = DateTimeOffset.FromUnixTimeMilliseconds(enqueuedAt),
            ParentJobId = parent,
            Part = part,
            Pages = pages,
        };
        return new TicketEntry(ticket, deliveries, trace);
    }

    public static IReadOnlyList<KeyValuePair<string, string>> Pairs(NameValueEntry[] values) =>
        [.. values.Select(v => new KeyValuePair<string, string>(v.Name!, v.Value!))];

    /// <summary>Reads a flat Lua array (name, value, ...).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Pairs(RedisResult[] flat)
    {
        var pairs = new KeyValuePair<string, string>[flat.Length / 2];
        for (var i = 0; i < pairs.Length; i++) pairs[i] = new((string)flat[2 * i]!, (string)flat[2 * i + 1]!);
        return pairs;
    }

    public static JobRoute ParseRoute(string wire) =>
        WireName.TryParse<JobRoute>(wire, out var route) ? route : throw new FormatException($"Unknown route '{wire}'.");

    public static JobPriority ParsePriority(string wire) =>
        WireName.TryParse<JobPriority>(wire, out var priority) ? priority : throw new FormatException($"Unknown priority '{wire}'.");
}
