using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using DocFlow.Queueing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace DocFlow.Redis;

/// <summary>
/// The job queue on Redis Streams: one stream per priority and route, consumer group "workers", retries in a
/// sorted set by due time, a dead-letter stream. See docs/queue.md.
/// </summary>
/// <remarks>
/// The multiplexer cannot BLOCK, so fetching is a per-instance pump: fetchers register as waiters and one loop
/// reads, in one script call, as many entries as there are waiters (express lanes first), handing one to each.
/// An empty read backs off from 1 ms to <see cref="RedisQueueOptions.BlockTimeout"/>; a new waiter or a local
/// enqueue wakes it at once. Acknowledgements are coalesced into one XACK+XDEL per stream per round trip.
/// </remarks>
public sealed class RedisJobQueue : IJobQueue, IDeadLetterStore, IQueueErasure, IQueueInventory, IAsyncDisposable
{
    private static readonly TimeSpan MinPoll = TimeSpan.FromMilliseconds(1);
    private const int MaxIdsPerCall = 1000;
    private const int EnqueueChunk = 500;

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisQueueOptions _options;
    private readonly RedisKeys _keys;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly Channel<byte> _wake = Channel.CreateBounded<byte>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Channel<PendingAck> _acks = Channel.CreateUnbounded<PendingAck>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<RedisFetchedJob, byte> _held = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _ackFlusher;
    private readonly Task _keepAlive;
    private readonly Task _liveness;
    private Task? _pump;
    private Task? _subscription;
    private long _lastHousekeeping;
    private volatile bool _housekeepSoon = true;
    private int _disposed;

    public RedisJobQueue(IConnectionMultiplexer redis, RedisQueueOptions options, TimeProvider? timeProvider = null, ILogger<RedisJobQueue>? logger = null)
    {
        options.ThrowIfInvalid();
        _redis = redis;
        _options = options;
        _keys = new RedisKeys(options.KeyPrefix);
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _ackFlusher = Task.Run(FlushAcksAsync);
        _keepAlive = Task.Run(KeepAliveAsync);
        _liveness = Task.Run(LivenessAsync);
    }

    public RedisQueueOptions Options => _options;

    private IDatabase Db => _redis.GetDatabase();

    // ---- enqueue ----------------------------------------------------------------------------------------------

    public async ValueTask EnqueueAsync(JobTicket ticket, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var stamped = Stamp(ticket);
        await Db.StreamAddAsync(_keys.Stream(stamped.Priority, stamped.Route), TicketFields.ToEntry(stamped, traceParent: CurrentTraceParent())).WaitAsync(cancellationToken).ConfigureAwait(false);
        _wake.Writer.TryWrite(0);
        WakeOthers();
    }

    /// <summary>Adds many jobs: a few hundred per script call, several calls in flight at once. Each job is one
    /// ordinary stream entry, exactly as <see cref="EnqueueAsync"/> writes it.</summary>
    public async ValueTask EnqueueManyAsync(IEnumerable<JobTicket> tickets, CancellationToken cancellationToken)
    {
        var lanes = _keys.Lanes().ToArray();
        RedisKey[] keys = [.. lanes.Select(l => l.Key)];
        var inFlight = new List<Task>();
        foreach (var chunk in tickets.Chunk(EnqueueChunk))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var args = new List<RedisValue>(chunk.Length * 20);
            foreach (var ticket in chunk)
            {
                var t = Stamp(ticket);
                var fields = TicketFields.ToEntry(t, traceParent: CurrentTraceParent());
                args.Add(Array.FindIndex(lanes, l => l.Priority == t.Priority && l.Route == t.Route) + 1);
                args.Add(fields.Length * 2);
                foreach (var f in fields)
                {
                    args.Add(f.Name);
                    args.Add(f.Value);
                }
            }
            inFlight.Add(Db.ScriptEvaluateAsync(RedisScripts.EnqueueMany, keys, [.. args]));
            if (inFlight.Count >= 8)
            {
                await Task.WhenAll(inFlight).WaitAsync(cancellationToken).ConfigureAwait(false);
                inFlight.Clear();
                _wake.Writer.TryWrite(0);
            }
        }
        await Task.WhenAll(inFlight).WaitAsync(cancellationToken).ConfigureAwait(false);
        _wake.Writer.TryWrite(0);
        WakeOthers();
    }

    /// <summary>Tells the fetch pumps of other processes that new entries are there (pub/sub, fire and forget), so an
    /// idle worker reads them at once instead of at its next poll (up to <see cref="RedisQueueOptions.BlockTimeout"/>
    /// later). Polling stays the fallback: a lost message only costs that delay.</summary>
    private void WakeOthers()
    {
        try
        {
            _redis.GetSubscriber().Publish(_keys.WakeChannel, RedisValue.EmptyString, CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // the entries are stored; fetchers find them at their next poll
        }
    }

    private async Task SubscribeToWakeUpsAsync()
    {
        try
        {
            await _redis.GetSubscriber().SubscribeAsync(_keys.WakeChannel, (_, _) => _wake.Writer.TryWrite(0)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.FetchFailed(_logger, 0, ex); // polling still finds new entries
        }
    }

    /// <summary>The W3C trace context of the enqueuing request, so the worker's trace can continue it.</summary>
    private static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.Id : null;

    private JobTicket Stamp(JobTicket ticket) => ticket.EnqueuedAt == default ? ticket with { EnqueuedAt = _time.GetUtcNow() } : ticket;

    // ---- fetch ------------------------------------------------------------------------------------------------

    public async ValueTask<IFetchedJob> FetchAsync(IReadOnlyCollection<JobRoute> routes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(routes.Count);
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var mask = 0;
        foreach (var route in routes) mask |= 1 << (int)route;
        var waiter = new Waiter(mask);
        lock (_gate)
        {
            waiter.Node = _waiters.AddLast(waiter);
            if (_pump is null)
            {
                _subscription = SubscribeToWakeUpsAsync();
                _pump = Task.Run(PumpAsync, CancellationToken.None);
            }
        }
        _wake.Writer.TryWrite(0);
        await using (cancellationToken.Register(static w => ((Waiter)w!).Cancel(), waiter).ConfigureAwait(false))
        {
            try
            {
                return await waiter.Completion.Task.ConfigureAwait(false);
            }
            finally
            {
                lock (_gate)
                {
                    if (waiter.Node.List is not null) _waiters.Remove(waiter.Node);
                }
            }
        }
    }

    private async Task PumpAsync()
    {
        var stop = _stop.Token;
        var idle = MinPoll;
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            List<(int Mask, List<Waiter> Waiters)> groups = [];
            lock (_gate)
            {
                for (var node = _waiters.First; node is not null; node = node.Next)
                {
                    if (node.Value.Completion.Task.IsCompleted) continue;
                    var group = groups.FindIndex(g => g.Mask == node.Value.Mask);
                    if (group < 0) groups.Add((node.Value.Mask, [node.Value]));
                    else groups[group].Waiters.Add(node.Value);
                }
            }
            try
            {
                if (groups.Count == 0)
                {
                    await _wake.Reader.WaitToReadAsync(stop).ConfigureAwait(false);
                    _wake.Reader.TryRead(out _);
                    continue;
                }
                var housekeeping = _housekeepSoon
                    || _time.GetElapsedTime(Interlocked.Read(ref _lastHousekeeping)) >= _options.HousekeepingInterval;
                if (housekeeping)
                {
                    _housekeepSoon = false;
                    Interlocked.Exchange(ref _lastHousekeeping, _time.GetTimestamp());
                }
                var got = 0;
                foreach (var (mask, waiters) in groups)
                    got += await FetchForAsync(mask, waiters, housekeeping).ConfigureAwait(false);
                failures = 0;
                if (got > 0)
                {
                    idle = MinPoll;
                    continue;
                }
                await WaitForWakeAsync(idle, stop).ConfigureAwait(false);
                idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, _options.BlockTimeout.Ticks));
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // Redis down or restarting: the multiplexer reconnects on its own; keep waiters waiting.
                var delay = (int)Math.Min(1000, 50 * Math.Pow(2, Math.Min(failures++, 5)));
                Log.FetchFailed(_logger, delay, ex);
                _housekeepSoon = true;
                try { await Task.Delay(TimeSpan.FromMilliseconds(delay), _time, stop).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task WaitForWakeAsync(TimeSpan timeout, CancellationToken stop)
    {
        if (_wake.Reader.TryRead(out _)) return;
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeoutCts.CancelAfter(timeout);
        try
        {
            await _wake.Reader.WaitToReadAsync(timeoutCts.Token).ConfigureAwait(false);
            _wake.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
        }
    }

    private async Task<int> FetchForAsync(int mask, List<Waiter> waiters, bool housekeeping)
    {
        var routes = JobRoutes.All.Where(r => (mask & (1 << (int)r)) != 0);
        var lanes = _keys.FetchOrder(routes);
        RedisKey[] keys = [.. lanes, _keys.Delayed, _keys.Dead, _keys.DeadIndex];
        RedisValue[] args =
        [
            RedisKeys.Group, _options.ConsumerName, Math.Min(waiters.Count, _options.MaxFetchBatch), housekeeping ? 1 : 0,
            (long)_options.VisibilityTimeout.TotalMilliseconds, _options.MaxDeliveries, lanes.Length / 2,
            _keys.AlivePrefix, (long)_options.ConsumerTimeout.TotalMilliseconds,
        ];
        var result = await Db.ScriptEvaluateAsync(RedisScripts.Fetch, keys, args).ConfigureAwait(false);
        var rows = (RedisResult[])result!;
        var next = 0;
        foreach (var row in rows)
        {
            var cells = (RedisResult[])row!;
            var stream = lanes[(int)cells[0] - 1];
            var id = (RedisValue)cells[1];
            var deliveries = (int)cells[2];
            var pairs = TicketFields.Pairs((RedisResult[])cells[3]!);
            var fields = pairs.Select(p => new NameValueEntry(p.Key, p.Value)).ToArray();
            TicketEntry entry;
            try
            {
                entry = TicketFields.Parse(pairs);
            }
            catch (Exception ex) when (ex is FormatException or OverflowException)
            {
                Log.Malformed(_logger, stream!, id!, ex.Message);
                await BuryAsync(stream, id, fields, "malformed: " + ex.Message, checkOwner: false).ConfigureAwait(false);
                continue;
            }
            // The worker continues the producer's trace from the ticket (TicketEntry keeps the field apart from it).
            entry = entry with { Ticket = entry.Ticket with { TraceParent = entry.TraceParent } };
            var job = new RedisFetchedJob(this, stream, id, entry, fields, deliveries);
            _held[job] = 0;
            var handed = false;
            while (next < waiters.Count && !handed)
            {
                var waiter = waiters[next++];
                lock (_gate)
                {
                    if (waiter.Node.List is not null) _waiters.Remove(waiter.Node);
                }
                handed = waiter.Completion.TrySetResult(job);
            }
            if (!handed) await ReleaseAsync(job).ConfigureAwait(false); // every waiter gave up meanwhile
        }
        return rows.Length;
    }

    // ---- outcomes ---------------------------------------------------------------------------------------------

    internal async ValueTask AcknowledgeAsync(RedisFetchedJob job, CancellationToken cancellationToken)
    {
        var ack = new PendingAck(job);
        try
        {
            if (!_acks.Writer.TryWrite(ack)) throw new ObjectDisposedException(nameof(RedisJobQueue));
            await ack.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _held.TryRemove(job, out _);
        }
    }

    private async Task FlushAcksAsync()
    {
        var batch = new List<PendingAck>();
        while (await _acks.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (batch.Count < 10 * MaxIdsPerCall && _acks.Reader.TryRead(out var ack)) batch.Add(ack);
            var calls = new List<(List<PendingAck> Acks, Task Call)>();
            foreach (var stream in batch.GroupBy(a => a.Job.Stream))
                foreach (var chunk in stream.Chunk(MaxIdsPerCall))
                {
                    RedisValue[] args = [RedisKeys.Group, .. chunk.Select(a => a.Job.EntryId)];
                    calls.Add(([.. chunk], Db.ScriptEvaluateAsync(RedisScripts.Ack, [stream.Key], args)));
                }
            foreach (var (acks, call) in calls)
            {
                try
                {
                    await call.ConfigureAwait(false);
                    foreach (var a in acks) a.Completion.TrySetResult();
                }
                catch (Exception ex)
                {
                    foreach (var a in acks) a.Completion.TrySetException(ex);
                }
            }
            batch.Clear();
        }
    }

    internal async ValueTask RetryAsync(RedisFetchedJob job, TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            var next = job.Ticket with { Attempt = job.Ticket.Attempt + 1 };
            var member = JsonSerializer.Serialize(new DelayedMember(
                (string)job.Stream!, TicketFields.Flatten(TicketFields.ToEntry(next, job.DeliveryCount, job.TraceParent)), (string)job.EntryId!),
                RedisJson.Default.DelayedMember);
            RedisValue[] args =
            [
                RedisKeys.Group, _options.ConsumerName, job.EntryId, Math.Max(0L, (long)delay.TotalMilliseconds), member,
            ];
            var done = await Db.ScriptEvaluateAsync(RedisScripts.Retry, [job.Stream, _keys.Delayed], args).WaitAsync(cancellationToken).ConfigureAwait(false);
            if ((int)done == 0) Log.OutcomeLost(_logger, job.Ticket.JobId, "retry");
        }
        finally
        {
            _held.TryRemove(job, out _);
        }
    }

    internal async ValueTask DeadLetterAsync(RedisFetchedJob job, string reason, CancellationToken cancellationToken)
    {
        try
        {
            var done = await BuryAsync(job.Stream, job.EntryId, job.Fields, reason, checkOwner: true).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (!done) Log.OutcomeLost(_logger, job.Ticket.JobId, "dead-letter");
        }
        finally
        {
            _held.TryRemove(job, out _);
        }
    }

    private async Task<bool> BuryAsync(RedisKey stream, RedisValue id, NameValueEntry[] fields, string reason, bool checkOwner)
    {
        RedisValue[] args =
        [
            RedisKeys.Group, _options.ConsumerName, id, reason, checkOwner ? 1 : 0,
            .. fields.SelectMany(f => new[] { f.Name, f.Value }),
        ];
        var done = await Db.ScriptEvaluateAsync(RedisScripts.DeadLetter, [stream, _keys.Dead, _keys.DeadIndex], args).ConfigureAwait(false);
        return (int)done == 1;
    }

    /// <summary>Gives a held entry back at once: its idle time is set to the visibility timeout, so the next
    /// housekeeping (here or in any worker) reclaims it. Best effort: if Redis is unreachable the entry simply
    /// waits out the visibility timeout.</summary>
    internal async ValueTask ReleaseAsync(RedisFetchedJob job)
    {
        _held.TryRemove(job, out _);
        if (Volatile.Read(ref _disposed) != 0) return;
        try
        {
            await TouchAsync(job.Stream, [job.EntryId], (long)_options.VisibilityTimeout.TotalMilliseconds).ConfigureAwait(false);
            _housekeepSoon = true;
            _wake.Writer.TryWrite(0);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.ReleaseFailed(_logger, job.Ticket.JobId, ex);
        }
    }

    private async Task<RedisValue[]> TouchAsync(RedisKey stream, RedisValue[] ids, long idleMs)
    {
        RedisValue[] args = [RedisKeys.Group, _options.ConsumerName, idleMs, .. ids];
        var lost = await Db.ScriptEvaluateAsync(RedisScripts.Touch, [stream], args).ConfigureAwait(false);
        return (RedisValue[])lost!;
    }

    private async Task KeepAliveAsync()
    {
        using var timer = new PeriodicTimer(_options.KeepAliveInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    foreach (var stream in _held.Keys.Where(j => !j.IsDone).GroupBy(j => j.Stream))
                        foreach (var chunk in stream.Chunk(MaxIdsPerCall))
                        {
                            var lost = await TouchAsync(stream.Key, [.. chunk.Select(j => j.EntryId)], 0).ConfigureAwait(false);
                            foreach (var id in lost) Log.Lost(_logger, stream.Key!, id!);
                        }
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    Log.KeepAliveFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Renews this consumer's liveness key every third of <see cref="RedisQueueOptions.ConsumerTimeout"/> once it
    /// has fetched (every fetch call renews it too), so other workers know its pending entries are in good hands.</summary>
    private async Task LivenessAsync()
    {
        using var timer = new PeriodicTimer(_options.ConsumerTimeout / 3, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                if (Volatile.Read(ref _pump) is null) continue; // a producer only: it holds nothing
                try
                {
                    await Db.StringSetAsync(_keys.Alive(_options.ConsumerName), "1", _options.ConsumerTimeout).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    Log.KeepAliveFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // ---- inspection -------------------------------------------------------------------------------------------

    public async ValueTask<QueueStatistics> GetStatisticsAsync(CancellationToken cancellationToken)
    {
        var lanes = _keys.Lanes().ToArray();
        RedisKey[] keys = [.. lanes.Select(l => l.Key), _keys.Delayed, _keys.Dead];
        var result = await Db.ScriptEvaluateAsync(RedisScripts.Statistics, keys, [RedisKeys.Group]).WaitAsync(cancellationToken).ConfigureAwait(false);
        var rows = (RedisResult[])result!;
        var stats = new List<LaneStatistics>(lanes.Length);
        for (var i = 0; i < lanes.Length; i++)
        {
            var cells = (RedisResult[])rows[i]!;
            long length = (long)cells[0], pending = (long)cells[1], oldestMs = (long)cells[2];
            stats.Add(new LaneStatistics(lanes[i].Route, lanes[i].Priority, Math.Max(0, length - pending), pending,
                TimeSpan.FromMilliseconds(oldestMs)));
        }
        return new QueueStatistics(stats, (long)rows[lanes.Length], (long)rows[lanes.Length + 1]);
    }

    public async ValueTask<IReadOnlySet<string>> ListJobIdsAsync(CancellationToken cancellationToken)
    {
        RedisKey[] keys = [.. _keys.Lanes().Select(l => l.Key), _keys.Delayed];
        var result = await Db.ScriptEvaluateAsync(RedisScripts.Inventory, keys).WaitAsync(cancellationToken).ConfigureAwait(false);
        return ((RedisResult[])result!).Select(r => (string)r!).ToHashSet(StringComparer.Ordinal);
    }

    public async ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var entries = await Db.StreamRangeAsync(_keys.Dead, "-", "+", max).WaitAsync(cancellationToken).ConfigureAwait(false);
        var letters = new List<DeadLetter>(entries.Length);
        foreach (var e in entries)
        {
            var pairs = TicketFields.Pairs(e.Values);
            string reason = "", at = "0";
            foreach (var (name, value) in pairs)
            {
                if (name == TicketFields.Reason) reason = value;
                else if (name == TicketFields.DeadAt) at = value;
            }
            JobTicket ticket;
            try
            {
                ticket = TicketFields.Parse(pairs).Ticket;
            }
            catch (FormatException)
            {
                continue; // a malformed entry buried as such; visible with redis-cli
            }
            letters.Add(new DeadLetter(ticket, reason, DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(at, CultureInfo.InvariantCulture))));
        }
        return letters;
    }

    public async ValueTask<bool> HasDeadLetterAsync(string jobId, CancellationToken cancellationToken) =>
        await Db.HashExistsAsync(_keys.DeadIndex, jobId).WaitAsync(cancellationToken).ConfigureAwait(false);

    public async ValueTask<bool> RequeueDeadLetterAsync(string jobId, CancellationToken cancellationToken)
    {
        var done = await Db.ScriptEvaluateAsync(RedisScripts.Requeue, [_keys.Dead, _keys.DeadIndex], [jobId]).WaitAsync(cancellationToken).ConfigureAwait(false);
        _wake.Writer.TryWrite(0);
        WakeOthers();
        return (int)done == 1;
    }

    public async ValueTask<bool> PurgeDeadLetterAsync(string jobId, CancellationToken cancellationToken)
    {
        var done = await Db.ScriptEvaluateAsync(RedisScripts.PurgeOne, [_keys.Dead, _keys.DeadIndex], [jobId]).WaitAsync(cancellationToken).ConfigureAwait(false);
        return (int)done == 1;
    }

    public async ValueTask<long> PurgeAllDeadLettersAsync(CancellationToken cancellationToken)
    {
        var n = await Db.ScriptEvaluateAsync(RedisScripts.PurgeAll, [_keys.Dead, _keys.DeadIndex]).WaitAsync(cancellationToken).ConfigureAwait(false);
        return (long)n;
    }

    // ---- erasure -----------------------------------------------------------------------------------------------

    private const int ErasePage = 500;

    /// <summary>Removes the jobs' (or the batch's) entries from the delayed set, every lane (acknowledged, so they leave the
    /// pending list too) and the dead-letter stream with its index, in pages of <see cref="ErasePage"/> entries per script
    /// call so Redis is never blocked long. The delayed set goes first: a retry promoted meanwhile is then found in its lane.</summary>
    public async ValueTask<long> EraseAsync(IReadOnlyCollection<string> jobIds, string? batchId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobIds);
        if (jobIds.Count == 0 && batchId is null) return 0;
        RedisValue[] match = [batchId ?? "", .. jobIds.Select(id => (RedisValue)id)];
        var removed = (long)await Db.ScriptEvaluateAsync(RedisScripts.EraseDelayed, [_keys.Delayed], match).WaitAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (_, _, stream) in _keys.Lanes())
            removed += await EraseFromStreamAsync(stream, RedisKeys.Group, match, cancellationToken).ConfigureAwait(false);
        removed += await EraseFromStreamAsync(_keys.Dead, "", match, cancellationToken).ConfigureAwait(false);
        return removed;
    }

    private async Task<long> EraseFromStreamAsync(RedisKey stream, string group, RedisValue[] match, CancellationToken cancellationToken)
    {
        long removed = 0;
        RedisValue start = "-";
        while (true)
        {
            RedisValue[] args = [group, start, ErasePage, .. match];
            var result = (RedisResult[])(await Db.ScriptEvaluateAsync(RedisScripts.EraseFromStream, [stream, _keys.DeadIndex], args)
                .WaitAsync(cancellationToken).ConfigureAwait(false))!;
            removed += (long)result[1];
            if ((long)result[2] < ErasePage) return removed;
            start = "(" + (string)result[0]!;
        }
    }

    /// <summary>Stops fetching and keep-alive, flushes pending acknowledgements and deletes this consumer's liveness
    /// key. Jobs still held stay pending in Redis and are taken over by another worker's next housekeeping round, as
    /// if this process had died.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        _acks.Writer.TryComplete();
        Task? pump;
        lock (_gate)
        {
            pump = _pump;
            foreach (var waiter in _waiters) waiter.Completion.TrySetException(new ObjectDisposedException(nameof(RedisJobQueue)));
            _waiters.Clear();
        }
        if (pump is not null) await pump.ConfigureAwait(false);
        await Task.WhenAll(_keepAlive, _liveness, _ackFlusher).ConfigureAwait(false);
        if (pump is not null)
        {
            if (_subscription is not null) await _subscription.ConfigureAwait(false);
            try
            {
                await _redis.GetSubscriber().UnsubscribeAsync(_keys.WakeChannel).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Log.KeepAliveFailed(_logger, ex);
            }
            // Gone: whatever this consumer still holds is taken over by the next housekeeping round of another worker.
            try
            {
                await Db.KeyDeleteAsync(_keys.Alive(_options.ConsumerName)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Log.KeepAliveFailed(_logger, ex);
            }
        }
        _held.Clear();
        _stop.Dispose();
    }

    private sealed class Waiter(int mask)
    {
        public int Mask { get; } = mask;
        public TaskCompletionSource<IFetchedJob> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public LinkedListNode<Waiter> Node { get; set; } = null!;

        public void Cancel() => Completion.TrySetCanceled();
    }

    private sealed class PendingAck(RedisFetchedJob job)
    {
        public RedisFetchedJob Job { get; } = job;
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

internal sealed record DelayedMember(string s, string[] f, string id);

[System.Text.Json.Serialization.JsonSerializable(typeof(DelayedMember))]
internal sealed partial class RedisJson : System.Text.Json.Serialization.JsonSerializerContext;
