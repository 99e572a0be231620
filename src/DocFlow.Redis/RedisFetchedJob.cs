using DocFlow.Queueing;
using StackExchange.Redis;

namespace DocFlow.Redis;

/// <summary>A stream entry this consumer holds (pending in the group under its name) until one outcome ends it.</summary>
internal sealed class RedisFetchedJob(
    RedisJobQueue queue, RedisKey stream, RedisValue entryId, TicketEntry entry, NameValueEntry[] fields, int deliveryCount)
    : IFetchedJob
{
    private int _done;

    public JobTicket Ticket => entry.Ticket;
    public int DeliveryCount { get; } = deliveryCount;

    /// <summary>The W3C trace context the producer stored, if any.</summary>
    public string? TraceParent => entry.TraceParent;

    public RedisKey Stream { get; } = stream;
    public RedisValue EntryId { get; } = entryId;
    public NameValueEntry[] Fields { get; } = fields;
    public bool IsDone => Volatile.Read(ref _done) != 0;

    public ValueTask AcknowledgeAsync(CancellationToken cancellationToken) =>
        Finish() ? queue.AcknowledgeAsync(this, cancellationToken) : ValueTask.CompletedTask;

    public ValueTask RetryAsync(TimeSpan delay, string reason, CancellationToken cancellationToken) =>
        Finish() ? queue.RetryAsync(this, delay, cancellationToken) : ValueTask.CompletedTask;

    public ValueTask DeadLetterAsync(string reason, CancellationToken cancellationToken) =>
        Finish() ? queue.DeadLetterAsync(this, reason, cancellationToken) : ValueTask.CompletedTask;

    /// <summary>Without an outcome, the entry is released: marked idle past the visibility timeout, so the next
    /// housekeeping of any worker takes it over at once (its delivery count then rises).</summary>
    public ValueTask DisposeAsync() => Finish() ? queue.ReleaseAsync(this) : ValueTask.CompletedTask;

    private bool Finish() => Interlocked.Exchange(ref _done, 1) == 0;
}
