using System.Collections.Concurrent;
using DocFlow.IntegrationTests.Support;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Redis;
using StackExchange.Redis;

namespace DocFlow.IntegrationTests.Redis;

/// <summary>Queues on the shared test server, each test under its own key prefix; disposed with the test.</summary>
public abstract class RedisQueueTestBase(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    protected static readonly JobRoute[] AllRoutes = [JobRoute.Image, JobRoute.Pdf, JobRoute.Report];
    protected static readonly CancellationToken None = CancellationToken.None;

    private readonly List<RedisJobQueue> _queues = [];
    protected string Prefix { get; } = RedisServerFixture.NewPrefix("queue");
    protected RedisServerFixture Redis { get; } = redis;

    protected static JobTicket Ticket(string id, JobPriority priority = JobPriority.Normal, JobRoute route = JobRoute.Image) =>
        new(id, route, priority, $"/in/{id}");

    /// <summary>Short timings so recovery paths run in well under a second.</summary>
    protected RedisJobQueue NewQueue(string consumer = "c1", Action<RedisQueueOptions>? configure = null, IConnectionMultiplexer? connection = null)
    {
        var options = new RedisQueueOptions
        {
            KeyPrefix = Prefix,
            ConsumerName = consumer,
            VisibilityTimeout = TimeSpan.FromSeconds(1),
            KeepAliveInterval = TimeSpan.FromMilliseconds(200),
            BlockTimeout = TimeSpan.FromMilliseconds(20),
            HousekeepingInterval = TimeSpan.FromMilliseconds(50),
        };
        configure?.Invoke(options);
        var queue = new RedisJobQueue(connection ?? Redis.Connection, options);
        _queues.Add(queue);
        return queue;
    }

    protected static async Task<IFetchedJob?> TryFetchAsync(IJobQueue queue, TimeSpan within, IReadOnlyCollection<JobRoute>? routes = null)
    {
        using var cts = new CancellationTokenSource(within);
        try
        {
            return await queue.FetchAsync(routes ?? AllRoutes, cts.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var queue in _queues) await queue.DisposeAsync();
        var server = Redis.Connection.GetServer(Redis.Connection.GetEndPoints()[0]);
        var db = Redis.Connection.GetDatabase();
        await foreach (var key in server.KeysAsync(pattern: Prefix + ":*")) await db.KeyDeleteAsync(key);
    }
}

/// <summary>A job handler that records what it saw and fails the first attempts it is told to.</summary>
public sealed class RecordingHandler(int failFirst = 0, TimeSpan? workTime = null) : IJobHandler
{
    private int _calls;

    public ConcurrentQueue<JobTicket> Handled { get; } = new();
    public ConcurrentQueue<(JobTicket Ticket, string Reason)> DeadLettered { get; } = new();
    public ConcurrentDictionary<string, int> Succeeded { get; } = new();

    public async Task HandleAsync(JobTicket ticket, CancellationToken cancellationToken)
    {
        Handled.Enqueue(ticket);
        if (Interlocked.Increment(ref _calls) <= failFirst) throw new IOException($"transient failure {_calls}");
        if (workTime is { } t) await Task.Delay(t, cancellationToken);
        Succeeded.AddOrUpdate(ticket.JobId, 1, (_, n) => n + 1);
    }

    public Task OnDeadLetteredAsync(JobTicket ticket, string reason, CancellationToken cancellationToken)
    {
        DeadLettered.Enqueue((ticket, reason));
        return Task.CompletedTask;
    }

    public async Task WaitForSuccessAsync(string jobId, TimeSpan within)
    {
        using var cts = new CancellationTokenSource(within);
        while (!Succeeded.ContainsKey(jobId)) await Task.Delay(10, cts.Token);
    }
}
