namespace DocFlow.Queueing;

/// <summary>
/// A queue that can say which jobs it holds: waiting, delivered and not yet acknowledged, or waiting out a retry delay.
/// The reconciler compares this with the store to find jobs the store still expects to run but the queue has lost
/// (a Redis failover to a replica that had not received the latest writes, a flushed or rebuilt Redis).
/// </summary>
/// <remarks>Queues that start empty and are recovered from the store at start-up (the in-process queue) need not implement it.</remarks>
public interface IQueueInventory
{
    /// <summary>The ids of every job the queue holds, and of the parents of the page ranges it holds, read atomically.</summary>
    ValueTask<IReadOnlySet<string>> ListJobIdsAsync(CancellationToken cancellationToken);
}
