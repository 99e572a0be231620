using DocFlow.Queueing;

namespace DocFlow.Workers;

/// <summary>The queue as a worker's slots see it, counting what its heartbeat reports: slots busy (fetched, not yet
/// released), jobs acknowledged, jobs retried or dead-lettered.</summary>
public sealed class CountingJobQueue(IJobQueue inner) : IJobQueue
{
    private int _busy;
    private long _processed;
    private long _failed;

    public int Busy => Volatile.Read(ref _busy);
    public long Processed => Interlocked.Read(ref _processed);
    public long Failed => Interlocked.Read(ref _failed);

    public ValueTask EnqueueAsync(JobTicket ticket, CancellationToken cancellationToken) => inner.EnqueueAsync(ticket, cancellationToken);

    public ValueTask<QueueStatistics> GetStatisticsAsync(CancellationToken cancellationToken) => inner.GetStatisticsAsync(cancellationToken);

    public async ValueTask<IFetchedJob> FetchAsync(IReadOnlyCollection<JobRoute> routes, CancellationToken cancellationToken)
    {
        var job = await inner.FetchAsync(routes, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _busy);
        return new Counted(job, this);
    }

    private sealed class Counted(IFetchedJob job, CountingJobQueue owner) : IFetchedJob
    {
        private int _released;

        public JobTicket Ticket => job.Ticket;
        public int DeliveryCount => job.DeliveryCount;

        public async ValueTask AcknowledgeAsync(CancellationToken cancellationToken)
        {
            await job.AcknowledgeAsync(cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref owner._processed);
        }

        public async ValueTask RetryAsync(TimeSpan delay, string reason, CancellationToken cancellationToken)
        {
            await job.RetryAsync(delay, reason, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref owner._failed);
        }

        public async ValueTask DeadLetterAsync(string reason, CancellationToken cancellationToken)
        {
            await job.DeadLetterAsync(reason, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref owner._failed);
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) Interlocked.Decrement(ref owner._busy);
            await job.DisposeAsync().ConfigureAwait(false);
        }
    }
}
