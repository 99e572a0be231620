using System.Diagnostics;
using DocFlow.IntegrationTests.Support;
using DocFlow.Queueing;
using DocFlow.Redis;
using DocFlow.Tests.Contracts;
using static DocFlow.Tests.Contracts.QueueTesting;

namespace DocFlow.IntegrationTests.Redis;

/// <summary>The queue contract (tests/Contracts/JobQueueContract.cs) against a real Redis, each client a queue
/// instance of its own as each process has; then what only the Redis queue does. Recovery: RedisJobQueueRecoveryTests.</summary>
/// <remarks>On the system clock: the queue's pump, keep-alive and housekeeping run on real timers against a real
/// server, so delayed retries are waited for.</remarks>
public sealed class RedisJobQueueTests(RedisServerFixture redis) : JobQueueContract<RedisJobQueue>, IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly RedisTestQueues _queues = new(redis);

    protected override TimeProvider Time => TimeProvider.System;

    protected override RedisJobQueue Client(string name = "c1") => _queues.New(name);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _queues.DisposeAsync().AsTask();

    [Fact]
    public async Task Erase_TakesAHeldEntryOffThePendingList_AndItsLateAcknowledgementIsHarmless()
    {
        void Slow(RedisQueueOptions o) => o.VisibilityTimeout = TimeSpan.FromMinutes(5);
        var worker = _queues.New("w", Slow);
        await worker.EnqueueAsync(Ticket("held") with { BatchId = "b1", FileName = "secret-name.pdf" }, None);
        var held = await worker.FetchAsync(AllRoutes, None);
        var db = redis.Connection.GetDatabase();
        var stream = $"{_queues.Prefix}:q:normal:image";
        Assert.Equal(1, (await db.StreamPendingAsync(stream, RedisKeys.Group)).PendingMessageCount);

        Assert.Equal(1, await _queues.New("api").EraseAsync(["held"], null, None));

        Assert.Equal(0, (await db.StreamPendingAsync(stream, RedisKeys.Group)).PendingMessageCount);
        Assert.Equal(0, await db.StreamLengthAsync(stream));
        await held.AcknowledgeAsync(None);
        Assert.Equal(0, (await worker.GetStatisticsAsync(None)).TotalInFlight);
    }

    [Fact]
    public async Task EntriesOfADeadConsumer_AreTakenOverAtOnce_AndTheConsumerLeavesTheGroup()
    {
        // Visibility timeout far beyond the test: only the liveness check can hand the job over.
        void Slow(RedisQueueOptions o)
        {
            o.VisibilityTimeout = TimeSpan.FromMinutes(5);
            o.KeepAliveInterval = TimeSpan.FromMinutes(1);
            o.ConsumerTimeout = TimeSpan.FromMinutes(1);
        }
        var dead = _queues.New("dead", Slow);
        await dead.EnqueueAsync(Ticket("j1"), None);
        var held = await dead.FetchAsync(AllRoutes, None);
        Assert.Equal("j1", held.Ticket.JobId);
        var db = redis.Connection.GetDatabase();
        Assert.True(await db.KeyExistsAsync($"{_queues.Prefix}:alive:dead"));

        var rescuer = _queues.New("rescuer", Slow);
        Assert.Null(await TryFetchAsync(rescuer, TimeSpan.FromMilliseconds(500))); // alive: its job stays with it

        await db.KeyDeleteAsync($"{_queues.Prefix}:alive:dead"); // what expiry does when the process is gone
        var job = await TryFetchAsync(rescuer, TimeSpan.FromSeconds(60));

        Assert.NotNull(job);
        Assert.Equal("j1", job.Ticket.JobId);
        Assert.Equal(2, job.DeliveryCount);
        await job.AcknowledgeAsync(None);
        // Housekeeping runs while a fetch waits: one of its rounds drops "dead" from the group (waited for, since a round
        // may come late on a loaded machine), and no fetch meanwhile finds a job.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        string[] consumers;
        while ((consumers = await ConsumersAsync()) is not ["rescuer"])
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"consumers still [{string.Join(", ", consumers)}] after 60 s; expected [rescuer]");
            Assert.Null(await TryFetchAsync(rescuer, TimeSpan.FromMilliseconds(300)));
        }

        async Task<string[]> ConsumersAsync() =>
            [.. (await db.StreamConsumerInfoAsync($"{_queues.Prefix}:q:normal:image", "workers")).Select(c => (string)c.Name!)];
    }

    [Fact]
    public async Task IdleWorker_IsWokenByAnotherProcessesEnqueue_NotByItsNextPoll()
    {
        // An idle pump polls less and less often (sleeps of 1 ms doubling up to BlockTimeout): its polls come at 2^k - 1 ms
        // after the fetch at the earliest (later on a busy machine), so after 9 s of an empty queue it is in the sleep of
        // 8.192 s that began at about 8.19 s and polls again at about 16.38 s at the soonest. The producer is another queue
        // instance, as the API is another process: only the pub/sub wake-up can bring the job to the worker before that
        // poll. The 7 s between the enqueue and that poll leave the wake-up room on a loaded machine.
        var consumer = _queues.New("worker", o => o.BlockTimeout = TimeSpan.FromMinutes(5));
        var producer = _queues.New("api");
        var sinceFetch = Stopwatch.StartNew();
        var fetching = consumer.FetchAsync(AllRoutes, None).AsTask();
        await Task.Delay(TimeSpan.FromSeconds(9));
        Assert.False(fetching.IsCompleted);

        await producer.EnqueueAsync(Ticket("wake-me"), None);

        var enqueuedAt = sinceFetch.Elapsed;
        var nextPoll = TimeSpan.FromMilliseconds(16_380) - enqueuedAt;
        Assert.True(nextPoll > TimeSpan.Zero, $"the enqueue came {enqueuedAt.TotalSeconds:F1} s after the fetch, after the idle pump's next poll");
        IFetchedJob job;
        try
        {
            job = await fetching.WaitAsync(nextPoll);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the idle worker was not woken: no job {sinceFetch.Elapsed.TotalSeconds:F1} s after its fetch (enqueued at {enqueuedAt.TotalSeconds:F1} s)");
        }
        Assert.Equal("wake-me", job.Ticket.JobId);
    }
}
