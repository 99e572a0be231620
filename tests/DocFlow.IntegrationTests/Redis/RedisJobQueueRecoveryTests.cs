using DocFlow.IntegrationTests.Support;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Redis;
using DocFlow.Tests.Contracts;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using static DocFlow.Tests.Contracts.QueueTesting;

namespace DocFlow.IntegrationTests.Redis;

/// <summary>What only the Redis queue does to recover: poison caught at fetch, crashed consumers, keep-alive, a Redis
/// restart, several worker processes, malformed entries. The contract both queues keep: RedisJobQueueTests.</summary>
public sealed class RedisJobQueueRecoveryTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly RedisTestQueues _queues = new(redis);

    private RedisJobQueue NewQueue(string consumer = "c1", Action<RedisQueueOptions>? configure = null, IConnectionMultiplexer? connection = null) =>
        _queues.New(consumer, configure, connection);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _queues.DisposeAsync().AsTask();

    [Fact]
    public async Task Poison_IsDeadLettered_ThenRequeuedAndProcessed()
    {
        var queue = NewQueue(configure: o => o.MaxDeliveries = 2);
        await queue.EnqueueAsync(Ticket("poison"), None);
        for (var delivery = 1; delivery <= 2; delivery++)
        {
            var job = await TryFetchAsync(queue, TimeSpan.FromSeconds(60));
            Assert.NotNull(job);
            Assert.Equal(delivery, job.DeliveryCount);
            await job.DisposeAsync(); // the worker "dies" on it
        }

        // The third delivery is over the limit: the queue buries it instead of handing it out. The fetch that finds it
        // asks until the dead letter is there (on a loaded machine one pump round can take longer than a short wait).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await queue.GetStatisticsAsync(None)).DeadLetters == 0)
        {
            Assert.Null(await TryFetchAsync(queue, TimeSpan.FromMilliseconds(500)));
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the third delivery of 'poison' was not dead-lettered within 60 s");
        }
        var letter = Assert.Single(await queue.ListDeadLettersAsync(10, None));
        Assert.Equal("poison", letter.Ticket.JobId);
        Assert.StartsWith("poison", letter.Reason);
        Assert.True(letter.At > DateTimeOffset.UtcNow.AddMinutes(-1));
        Assert.Equal((0L, 0L, 1L), await Counts(queue));

        Assert.True(await queue.RequeueDeadLetterAsync("poison", None));
        Assert.False(await queue.RequeueDeadLetterAsync("poison", None));
        var handler = new RecordingHandler();
        using var stop = new CancellationTokenSource();
        var loop = new WorkerLoop(queue, handler, new RetryOptions(), NullLogger<WorkerLoop>.Instance).RunAsync(AllRoutes, 1, stop.Token);
        await handler.WaitForSuccessAsync("poison", TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await loop;

        Assert.Equal(0, Assert.Single(handler.Handled).Attempt);
        Assert.Empty(await queue.ListDeadLettersAsync(10, None));
        Assert.Equal((0L, 0L, 0L), await Counts(queue));
    }

    [Fact]
    public async Task CrashedConsumer_ItsJobIsReclaimedAfterTheVisibilityTimeout_AndProcessedOnce()
    {
        // A visibility timeout short enough to wait for, with a keep-alive that may run over a second late before the
        // survivor would take its own job back.
        static void Short(RedisQueueOptions o) => (o.VisibilityTimeout, o.KeepAliveInterval) = (TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(250));
        var dying = NewQueue("dying", Short);
        await dying.EnqueueAsync(Ticket("orphan"), None);
        var orphan = await dying.FetchAsync(AllRoutes, None);
        Assert.Equal("orphan", orphan.Ticket.JobId);
        await dying.DisposeAsync(); // the process dies: no outcome, no keep-alive, the entry stays pending

        var survivor = NewQueue("survivor", Short);
        var handler = new RecordingHandler();
        using var stop = new CancellationTokenSource();
        var loop = new WorkerLoop(survivor, handler, new RetryOptions(), NullLogger<WorkerLoop>.Instance).RunAsync(AllRoutes, 2, stop.Token);
        await handler.WaitForSuccessAsync("orphan", TimeSpan.FromSeconds(60));
        await Task.Delay(survivor.Options.VisibilityTimeout * 2); // time enough for a wrong second delivery
        await stop.CancelAsync();
        await loop;

        Assert.Equal(1, handler.Succeeded["orphan"]);
        Assert.Single(handler.Handled);
        Assert.Equal((0L, 0L, 0L), await Counts(survivor));
    }

    [Fact]
    public async Task KeepAlive_StopsALongJobFromBeingStolen()
    {
        // Keep-alives every 300 ms against a 3 s visibility timeout: a loaded machine may run the keep-alive timer late by
        // over two seconds and the job still stays with its holder; without keep-alives the thief takes it after 3 s.
        static void Timings(RedisQueueOptions o) => (o.VisibilityTimeout, o.KeepAliveInterval) = (TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(300));
        var holder = NewQueue("holder", Timings);
        var thief = NewQueue("thief", Timings);
        await holder.EnqueueAsync(Ticket("long"), None);
        var job = await holder.FetchAsync(AllRoutes, None);

        // Three visibility timeouts pass while the job runs; the other worker keeps asking.
        Assert.Null(await TryFetchAsync(thief, TimeSpan.FromSeconds(9)));

        await job.AcknowledgeAsync(None);
        Assert.Equal((0L, 0L, 0L), await Counts(holder));
    }

    [Fact]
    public async Task RedisRestart_QueueReconnects_AndQueuedJobsAreStillThere()
    {
        await using var server = await RedisServer.StartAsync(appendOnly: true);
        await using var connection = await RedisServerFixture.Connect(server.Endpoint);
        var queue = NewQueue(connection: connection);
        await queue.EnqueueAsync(Ticket("before-1"), None);
        await queue.EnqueueAsync(Ticket("before-2", JobPriority.Express), None);

        await server.StopAsync();
        var fetching = queue.FetchAsync(AllRoutes, None).AsTask(); // asked while Redis is down
        await Task.Delay(300);
        Assert.False(fetching.IsCompleted);
        await server.StartAsync();

        var first = await fetching.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("before-2", first.Ticket.JobId);
        await first.AcknowledgeAsync(None);
        await queue.EnqueueAsync(Ticket("after"), None);
        var ids = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var job = await queue.FetchAsync(AllRoutes, None).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
            ids.Add(job.Ticket.JobId);
            await job.AcknowledgeAsync(None);
        }
        Assert.Equal(["before-1", "after"], ids);
        Assert.Equal((0L, 0L, 0L), await Counts(queue));
        await queue.DisposeAsync();
    }

    [Fact]
    public async Task TwoWorkers_ShareTheLoad_AndEveryJobIsProcessedExactlyOnce()
    {
        // The consumer group hands each entry to one worker; with the test queues' long visibility timeout no entry is
        // taken over because a keep-alive ran late while the machine was busy (that path is KeepAlive_* above).
        var handler = new RecordingHandler();
        using var stop = new CancellationTokenSource();
        var loops = new[] { NewQueue("w1"), NewQueue("w2") }
            .Select(q => new WorkerLoop(q, handler, new RetryOptions(), NullLogger<WorkerLoop>.Instance).RunAsync(AllRoutes, 8, stop.Token))
            .ToArray();
        var producer = NewQueue("api");
        var tickets = Enumerable.Range(0, 2000).Select(i => Ticket($"j{i}", i % 5 == 0 ? JobPriority.Express : JobPriority.Normal, AllRoutes[i % 3]));
        await producer.EnqueueManyAsync(tickets, None);

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (handler.Succeeded.Count < 2000)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{handler.Succeeded.Count} of 2000 jobs processed within 2 minutes");
            await Task.Delay(20);
        }
        await stop.CancelAsync();
        await Task.WhenAll(loops);

        Assert.Equal(2000, handler.Handled.Count);
        Assert.All(handler.Succeeded.Values, n => Assert.Equal(1, n));
        Assert.Equal((0L, 0L, 0L), await Counts(producer));
    }

    [Fact]
    public async Task MalformedEntry_IsDeadLettered_AndTheNextJobIsServed()
    {
        var queue = NewQueue();
        await redis.Connection.GetDatabase().StreamAddAsync($"{_queues.Prefix}:q:normal:image", [new("jobId", "junk"), new("route", "fax")]);
        await queue.EnqueueAsync(Ticket("good"), None);

        var job = await queue.FetchAsync(AllRoutes, None).AsTask().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal("good", job.Ticket.JobId);
        var stats = await queue.GetStatisticsAsync(None);
        Assert.Equal(1, stats.DeadLetters);
        Assert.True(await queue.PurgeDeadLetterAsync("junk", None));
    }

    private static async Task<(long Depth, long InFlight, long Dead)> Counts(IJobQueue queue)
    {
        var stats = await queue.GetStatisticsAsync(None);
        return (stats.TotalDepth, stats.TotalInFlight, stats.DeadLetters);
    }
}
