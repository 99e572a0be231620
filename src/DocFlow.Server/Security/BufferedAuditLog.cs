using System.Threading.Channels;
using DocFlow.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DocFlow.Server.Security;

/// <summary>
/// The server's audit log: requests hand their entries to <see cref="Enqueue"/> and go on; one writer appends whatever
/// has gathered in one transaction (<see cref="IAuditLog.AppendManyAsync"/>), in the order handed over, so the chain is
/// the same as with one append per request but a busy server pays one write lock and one commit per batch, not per
/// request (docs/benchmarks.md, "Authentication and audit cost").
/// <list type="bullet">
/// <item>Nothing is dropped: at most <see cref="Capacity"/> entries wait; past that, requests wait for room. A failed
/// write is retried (every second, logged) until it succeeds, so a database outage holds entries, and then requests.</item>
/// <item>Reads (<see cref="QueryAsync"/>, <see cref="VerifyAsync"/>) first wait until everything handed over before them is
/// written, so GET /api/v1/audit shows a request that has been answered.</item>
/// <item>On shutdown the host's stop and then disposal drain the buffer (entries handed over while the server
/// finishes its last requests too). What a crash (power loss, SIGKILL) loses is the last few milliseconds of entries.</item>
/// </list>
/// </summary>
internal sealed class BufferedAuditLog : IAuditLog, IHostedService, IAsyncDisposable
{
    /// <summary>Entries that may wait to be written.</summary>
    internal const int Capacity = 10_000;

    /// <summary>Entries in one transaction at most.</summary>
    internal const int BatchSize = 1000;

    /// <summary>How long the writer gathers entries before it writes them (unless a read of the log is waiting, or the
    /// batch is full): few, short write transactions, so the job store's own writes seldom wait for the audit's.</summary>
    internal static readonly TimeSpan GatherTime = TimeSpan.FromMilliseconds(200);

    private volatile TaskCompletionSource _flushRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly IAuditLog _inner;
    private readonly ILogger<BufferedAuditLog> _logger;
    private readonly Channel<Item> _channel = Channel.CreateBounded<Item>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly Task _writer;

    public BufferedAuditLog(IAuditLog inner, ILogger<BufferedAuditLog> logger)
    {
        _inner = inner;
        _logger = logger;
        _writer = StartWriter();
    }

    /// <summary>The writer's own thread (<see cref="WriterThreadName"/>), not one of the thread pool's: SQLite's
    /// "asynchronous" calls run synchronously, so a batch's inserts, its commit and the commit's fsync (milliseconds on a
    /// busy disk) held a pool thread that requests needed; on 2 cores the pool starts with 2 (docs/benchmarks.md,
    /// "Authentication and audit cost", session 9).</summary>
    private Task StartWriter()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                WriteLoop();
                done.TrySetResult();
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        })
        {
            IsBackground = true,
            Name = WriterThreadName,
        };
        thread.Start();
        return done.Task;
    }

    internal const string WriterThreadName = "docflow-audit-writer";

    /// <summary>An entry, or a marker (<see cref="Event"/> null) completed once everything before it is written.</summary>
    private sealed record Item(AuditEvent? Event, TaskCompletionSource? Written);

    /// <summary>Records <paramref name="auditEvent"/> in <paramref name="log"/> off the request path: handed to the buffered
    /// writer where the server has one (nothing is dropped; reads of the log wait for it), else appended at once. Never
    /// with the request's token: the entry is written even when the client has gone.</summary>
    public static async ValueTask HandOverAsync(IAuditLog log, AuditEvent auditEvent)
    {
        if (log is BufferedAuditLog buffered) await buffered.Enqueue(auditEvent).ConfigureAwait(false);
        else await log.AppendAsync(auditEvent, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Hands the entry to the writer; completes at once unless <see cref="Capacity"/> entries are waiting.</summary>
    public ValueTask Enqueue(AuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        if (_channel.Writer.TryWrite(new Item(auditEvent, null))) return ValueTask.CompletedTask;
        return EnqueueSlowAsync(auditEvent);
    }

    private async ValueTask EnqueueSlowAsync(AuditEvent auditEvent)
    {
        try
        {
            await _channel.Writer.WriteAsync(new Item(auditEvent, null)).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // Disposed (the host is gone): write it directly rather than lose it.
            await _inner.AppendAsync(auditEvent, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Completes when every entry handed over before the call is written.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _channel.Writer.WriteAsync(new Item(null, written), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        _flushRequested.TrySetResult();
        await written.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Appends after everything handed over before it (and returns the stored entry).</summary>
    public async Task<AuditEntry> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        return await _inner.AppendAsync(auditEvent, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        return await _inner.QueryAsync(query, cancellationToken).ConfigureAwait(false);
    }

    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        return await _inner.VerifyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The writer's loop, blocking on its own thread (waits included: nothing else runs there).</summary>
    private void WriteLoop()
    {
        var reader = _channel.Reader;
        var events = new List<AuditEvent>(BatchSize);
        var markers = new List<TaskCompletionSource>();
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            // Gather: until the gather time is up, a reader asks for everything, the batch is full or the server stops.
            if (!_disposing && reader.Count < BatchSize)
                _flushRequested.Task.Wait(GatherTime);
            if (_flushRequested.Task.IsCompleted) _flushRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            while (events.Count < BatchSize && reader.TryRead(out var item))
            {
                if (item.Event is not null) events.Add(item.Event);
                // A marker ends the batch: everything before it goes out before it is completed.
                if (item.Written is not null)
                {
                    markers.Add(item.Written);
                    break;
                }
            }
            Write(events);
            events.Clear();
            foreach (var marker in markers) marker.TrySetResult();
            markers.Clear();
        }
    }

    private volatile bool _disposing;

    /// <summary>Attempts of one batch once the server is shutting down: a database that stays away cannot hold the process forever.</summary>
    private const int AttemptsWhenDisposing = 10;

    private void Write(List<AuditEvent> events)
    {
        if (events.Count == 0) return;
        for (var attempt = 1; ; attempt++)
        {
            if (_disposing && attempt > AttemptsWhenDisposing)
            {
                _logger.LogCritical("Audit entries LOST at shutdown: {Count} entries could not be written after {Attempts} attempts (first: {Action} by {Principal} at {At:O})",
                    events.Count, attempt - 1, events[0].Action, events[0].Principal, events[0].At);
                return;
            }
            try
            {
                _inner.AppendManyAsync(events, CancellationToken.None).GetAwaiter().GetResult();
                if (attempt > 1) _logger.LogWarning("Audit entries written after {Attempts} attempts ({Count} entries)", attempt, events.Count);
                return;
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Audit entries not written yet ({Count} waiting in this batch); retrying in 1 s", events.Count);
                Thread.Sleep(TimeSpan.FromSeconds(1));
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The host stops: what is waiting is written (disposal writes whatever the last requests add).</summary>
    public Task StopAsync(CancellationToken cancellationToken) => FlushAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _disposing = true;
        _channel.Writer.TryComplete();
        _flushRequested.TrySetResult();
        await _writer.ConfigureAwait(false);
    }
}
