namespace DocFlow.Queueing;

/// <summary>
/// The embedded queue: one FIFO lane per route and priority (express first, then the oldest job of the routes
/// asked for), delayed retries on a timer, a dead-letter
/// list, and redelivery of jobs whose holder disposed them without an outcome.
/// </summary>
public sealed class InProcessJobQueue(TimeProvider timeProvider) : IJobQueue, IDeadLetterStore, IQueueErasure
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(JobPriority, JobRoute), Queue<(long Order, Entry Entry)>> _lanes = [];
    private readonly Dictionary<(JobPriority, JobRoute), int> _inFlight = [];
    private readonly List<DeadLetter> _deadLetters = [];
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly Dictionary<Entry, ITimer> _timers = new(ReferenceEqualityComparer.Instance);
    private int _delayed;
    private long _order; // arrival order across lanes: within a priority the oldest job is taken first, whatever its route

    public InProcessJobQueue() : this(TimeProvider.System) { }

    public IReadOnlyList<DeadLetter> DeadLetters
    {
        get { lock (_gate) return [.. _deadLetters]; }
    }

    public ValueTask EnqueueAsync(JobTicket ticket, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (ticket.EnqueuedAt == default) ticket = ticket with { EnqueuedAt = timeProvider.GetUtcNow() };
        Push(new Entry(ticket, 0));
        return ValueTask.CompletedTask;
    }

    public async ValueTask<IFetchedJob> FetchAsync(IReadOnlyCollection<JobRoute> routes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(routes.Count);
        Waiter waiter;
        lock (_gate)
        {
            if (TryTake(routes) is { } ready) return ready;
            waiter = new Waiter(routes);
            waiter.Node = _waiters.AddLast(waiter);
        }
        await using (cancellationToken.Register(() => Cancel(waiter)))
        {
            return await waiter.Completion.Task.ConfigureAwait(false);
        }
    }

    public ValueTask<QueueStatistics> GetStatisticsAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        lock (_gate)
        {
            var lanes = new List<LaneStatistics>();
            foreach (var priority in new[] { JobPriority.Express, JobPriority.Normal })
                foreach (var route in JobRoutes.All)
                {
                    var q = _lanes.GetValueOrDefault((priority, route));
                    var oldest = q is { Count: > 0 } ? now - q.Peek().Entry.Ticket.EnqueuedAt : TimeSpan.Zero;
                    lanes.Add(new LaneStatistics(route, priority, q?.Count ?? 0, _inFlight.GetValueOrDefault((priority, route)), oldest));
                }
            return ValueTask.FromResult(new QueueStatistics(lanes, _delayed, _deadLetters.Count));
        }
    }

    /// <summary>Puts a dead-lettered job back on its lane with a fresh attempt counter.</summary>
    public bool Requeue(string jobId)
    {
        DeadLetter? letter;
        lock (_gate)
        {
            letter = _deadLetters.FirstOrDefault(d => d.Ticket.JobId == jobId);
            if (letter is null) return false;
            _deadLetters.Remove(letter);
        }
        Push(new Entry(letter.Ticket with { Attempt = 0 }, 0));
        return true;
    }

    private void Push(Entry entry)
    {
        Waiter? handTo = null;
        lock (_gate)
        {
            var key = (entry.Ticket.Priority, entry.Ticket.Route);
            for (var node = _waiters.First; node is not null; node = node.Next)
            {
                if (node.Value.Routes.Contains(entry.Ticket.Route))
                {
                    handTo = node.Value;
                    _waiters.Remove(node);
                    break;
                }
            }
            if (handTo is null)
            {
                if (!_lanes.TryGetValue(key, out var q)) _lanes[key] = q = new Queue<(long, Entry)>();
                q.Enqueue((_order++, entry));
                return;
            }
            _inFlight[key] = _inFlight.GetValueOrDefault(key) + 1;
        }
        // Completed outside the lock: continuations may run inline.
        if (!handTo.Completion.TrySetResult(new Fetched(this, entry.Ticket, entry.Deliveries + 1)))
        {
            lock (_gate) _inFlight[(entry.Ticket.Priority, entry.Ticket.Route)]--;
            Push(entry);
        }
    }

    private Fetched? TryTake(IReadOnlyCollection<JobRoute> routes)
    {
        foreach (var priority in new[] { JobPriority.Express, JobPriority.Normal })
        {
            Queue<(long Order, Entry Entry)>? oldest = null;
            var from = (priority, JobRoute.Image);
            foreach (var route in routes)
                if (_lanes.TryGetValue((priority, route), out var q) && q.TryPeek(out var head) && (oldest is null || head.Order < oldest.Peek().Order))
                    (oldest, from) = (q, (priority, route));
            if (oldest is null) continue;
            var entry = oldest.Dequeue().Entry;
            _inFlight[from] = _inFlight.GetValueOrDefault(from) + 1;
            return new Fetched(this, entry.Ticket, entry.Deliveries + 1);
        }
        return null;
    }

    private void Cancel(Waiter waiter)
    {
        lock (_gate)
        {
            if (waiter.Node?.List is not null) _waiters.Remove(waiter.Node);
        }
        waiter.Completion.TrySetCanceled();
    }

    private void Complete(Fetched job) => DecrementInFlight(job.Ticket);

    private void DecrementInFlight(JobTicket ticket)
    {
        lock (_gate) _inFlight[(ticket.Priority, ticket.Route)]--;
    }

    private void Schedule(Fetched job, TimeSpan delay)
    {
        DecrementInFlight(job.Ticket);
        var next = new Entry(job.Ticket with { Attempt = job.Ticket.Attempt + 1 }, job.DeliveryCount);
        if (delay <= TimeSpan.Zero)
        {
            Push(next);
            return;
        }
        Interlocked.Increment(ref _delayed);
        lock (_gate)
        {
            // Kept by entry so that erasure can take a delayed retry back before it is due.
            _timers[next] = timeProvider.CreateTimer(_ =>
            {
                ITimer? timer;
                lock (_gate)
                {
                    if (!_timers.Remove(next, out timer)) return; // erased meanwhile
                }
                Interlocked.Decrement(ref _delayed);
                timer.Dispose();
                Push(next);
            }, null, delay, Timeout.InfiniteTimeSpan);
        }
    }

    public ValueTask<long> EraseAsync(IReadOnlyCollection<string> jobIds, string? batchId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobIds);
        var ids = jobIds.ToHashSet(StringComparer.Ordinal);
        bool Matches(JobTicket t) => ids.Contains(t.JobId) || (t.ParentJobId is { } parent && ids.Contains(parent))
                                     || (batchId is not null && t.BatchId == batchId);
        long removed = 0;
        lock (_gate)
        {
            foreach (var lane in _lanes.Values)
            {
                var before = lane.Count;
                if (!lane.Any(e => Matches(e.Entry.Ticket))) continue;
                var kept = lane.Where(e => !Matches(e.Entry.Ticket)).ToList();
                lane.Clear();
                foreach (var e in kept) lane.Enqueue(e);
                removed += before - lane.Count;
            }
            foreach (var entry in _timers.Keys.Where(e => Matches(e.Ticket)).ToList())
            {
                _timers.Remove(entry, out var timer);
                timer!.Dispose();
                Interlocked.Decrement(ref _delayed);
                removed++;
            }
            removed += _deadLetters.RemoveAll(d => Matches(d.Ticket));
        }
        return ValueTask.FromResult(removed);
    }

    private void Bury(Fetched job, string reason)
    {
        lock (_gate)
        {
            _inFlight[(job.Ticket.Priority, job.Ticket.Route)]--;
            _deadLetters.Add(new DeadLetter(job.Ticket, reason, timeProvider.GetUtcNow()));
        }
    }

    private void Abandon(Fetched job)
    {
        DecrementInFlight(job.Ticket);
        Push(new Entry(job.Ticket, job.DeliveryCount));
    }

    public ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int max, CancellationToken cancellationToken)
    {
        lock (_gate) return ValueTask.FromResult<IReadOnlyList<DeadLetter>>([.. _deadLetters.Take(max)]);
    }

    public ValueTask<bool> HasDeadLetterAsync(string jobId, CancellationToken cancellationToken)
    {
        lock (_gate) return ValueTask.FromResult(_deadLetters.Exists(d => d.Ticket.JobId == jobId));
    }

    public ValueTask<bool> RequeueDeadLetterAsync(string jobId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Requeue(jobId));

    public ValueTask<bool> PurgeDeadLetterAsync(string jobId, CancellationToken cancellationToken)
    {
        lock (_gate) return ValueTask.FromResult(_deadLetters.RemoveAll(d => d.Ticket.JobId == jobId) > 0);
    }

    public ValueTask<long> PurgeAllDeadLettersAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            long n = _deadLetters.Count;
            _deadLetters.Clear();
            return ValueTask.FromResult(n);
        }
    }

    private sealed record Entry(JobTicket Ticket, int Deliveries);

    private sealed class Waiter(IReadOnlyCollection<JobRoute> routes)
    {
        public IReadOnlyCollection<JobRoute> Routes { get; } = routes;
        public TaskCompletionSource<IFetchedJob> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public LinkedListNode<Waiter>? Node { get; set; }
    }

    private sealed class Fetched(InProcessJobQueue queue, JobTicket ticket, int deliveryCount) : IFetchedJob
    {
        private int _done;

        public JobTicket Ticket { get; } = ticket;
        public int DeliveryCount { get; } = deliveryCount;

        public ValueTask AcknowledgeAsync(CancellationToken cancellationToken)
        {
            if (Finish()) queue.Complete(this);
            return ValueTask.CompletedTask;
        }

        public ValueTask RetryAsync(TimeSpan delay, string reason, CancellationToken cancellationToken)
        {
            if (Finish()) queue.Schedule(this, delay);
            return ValueTask.CompletedTask;
        }

        public ValueTask DeadLetterAsync(string reason, CancellationToken cancellationToken)
        {
            if (Finish()) queue.Bury(this, reason);
            return ValueTask.CompletedTask;
        }

        /// <summary>A job disposed without an outcome is delivered again, as if its worker had died.</summary>
        public ValueTask DisposeAsync()
        {
            if (Finish()) queue.Abandon(this);
            return ValueTask.CompletedTask;
        }

        private bool Finish() => Interlocked.Exchange(ref _done, 1) == 0;
    }
}
