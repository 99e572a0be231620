using DocFlow.IntegrationTests.Support;
using DocFlow.Redis;
using StackExchange.Redis;

namespace DocFlow.IntegrationTests.Redis;

/// <summary>Queues on the shared test server under a key prefix of their own; disposed, and their keys deleted, with the test.</summary>
public sealed class RedisTestQueues(RedisServerFixture redis) : IAsyncDisposable
{
    private readonly List<RedisJobQueue> _queues = [];

    public string Prefix { get; } = RedisServerFixture.NewPrefix("queue");

    /// <summary>A client of the queue under <see cref="Prefix"/>; short polling and housekeeping so recovery paths run in
    /// well under a second.</summary>
    /// <remarks>The visibility timeout is not short: a job a test holds must stay with it even when the keep-alive timer
    /// runs seconds late on a loaded machine (at 1 s, a keep-alive running late would let the queue hand a held job out again). Tests of
    /// the takeover after the visibility timeout set their own.</remarks>
    public RedisJobQueue New(string consumer = "c1", Action<RedisQueueOptions>? configure = null, IConnectionMultiplexer? connection = null)
    {
        var options = new RedisQueueOptions
        {
            KeyPrefix = Prefix,
            ConsumerName = consumer,
            VisibilityTimeout = TimeSpan.FromSeconds(30),
            KeepAliveInterval = TimeSpan.FromSeconds(1),
            BlockTimeout = TimeSpan.FromMilliseconds(20),
            HousekeepingInterval = TimeSpan.FromMilliseconds(50),
        };
        configure?.Invoke(options);
        var queue = new RedisJobQueue(connection ?? redis.Connection, options);
        _queues.Add(queue);
        return queue;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var queue in _queues) await queue.DisposeAsync();
        var server = redis.Connection.GetServer(redis.Connection.GetEndPoints()[0]);
        var db = redis.Connection.GetDatabase();
        await foreach (var key in server.KeysAsync(pattern: Prefix + ":*")) await db.KeyDeleteAsync(key);
    }
}
