namespace DocFlow.Queueing;

/// <summary>The job queue port: in-process by default, Redis Streams when distributed.</summary>
/// <remarks>Delivery is at least once: a fetched job that is neither acknowledged, retried nor dead-lettered
/// (its worker died) is delivered again.</remarks>
public interface IJobQueue
{
    /// <summary>Adds a job to the stream of its route and priority.</summary>
    ValueTask EnqueueAsync(JobTicket ticket, CancellationToken cancellationToken);

    /// <summary>Waits for the next job on one of <paramref name="routes"/>, express before normal.</summary>
    ValueTask<IFetchedJob> FetchAsync(IReadOnlyCollection<JobRoute> routes, CancellationToken cancellationToken);

    /// <summary>Depth, in-flight, delayed and dead-lettered counts per route and priority.</summary>
    ValueTask<QueueStatistics> GetStatisticsAsync(CancellationToken cancellationToken);
}

/// <summary>A job a worker holds. Exactly one of the three outcomes ends it (like Hangfire's IFetchedJob).</summary>
public interface IFetchedJob : IAsyncDisposable
{
    JobTicket Ticket { get; }

    /// <summary>How many times this job has been handed to a worker, this delivery included.</summary>
    int DeliveryCount { get; }

    /// <summary>Done: remove it from the queue. Call only after the result is stored.</summary>
    ValueTask AcknowledgeAsync(CancellationToken cancellationToken);

    /// <summary>Failed transiently: deliver again after <paramref name="delay"/> with the attempt counter raised.</summary>
    ValueTask RetryAsync(TimeSpan delay, string reason, CancellationToken cancellationToken);

    /// <summary>Failed for good: move to the dead-letter list with the reason.</summary>
    ValueTask DeadLetterAsync(string reason, CancellationToken cancellationToken);
}

/// <summary>A job that kept failing, with why.</summary>
public sealed record DeadLetter(JobTicket Ticket, string Reason, DateTimeOffset At);

public sealed record LaneStatistics(JobRoute Route, JobPriority Priority, long Depth, long InFlight, TimeSpan OldestAge);

public sealed record QueueStatistics(IReadOnlyList<LaneStatistics> Lanes, long Delayed, long DeadLetters)
{
    public long TotalDepth => Lanes.Sum(l => l.Depth);
    public long TotalInFlight => Lanes.Sum(l => l.InFlight);
}
