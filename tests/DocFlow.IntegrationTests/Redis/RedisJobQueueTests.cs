using DocFlow.IntegrationTests.Support;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Redis;
using Microsoft.Extensions.Logging.Abstractions;

namespace DocFlow.IntegrationTests.Redis;

/// <summary>The behaviour of InProcessJobQueueTests, against a real Redis.</summary>
public sealed class RedisJobQueueTests(RedisServerFixture redis) : RedisQueueTestBase(redis)
{
    [Fact]
    public async Task Fetch_ReturnsExpressBeforeNormal()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync(Ticket("n1"), None);
        await queue.EnqueueAsync(Ticket("n2"), None);
        await queue.EnqueueAsync(Ticket("e1", JobPriority.Express), None);

        var order = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var job = await queue.FetchAsync(AllRoutes, None);
            order.Add(job.Ticket.JobId);
            await job.AcknowledgeAsync(None);
        }

        Assert.Equal(["e1", "n1", "n2"], order);
        Assert.Equal(0, (await queue.GetStatisticsAsync(None)).TotalDepth);
    }

    [Fact]
    public async Task Fetch_WithinAPriority_TakesTheOldestJobWhateverItsRoute()
    {
        // Stream ids order entries across lanes to the millisecond (within one millisecond the order is not defined),
        // so the jobs are enqueued a few milliseconds apart.
        var queue = NewQueue();
        foreach (var (id, priority, route) in new[]
        {
            ("pdf1", JobPriority.Normal, JobRoute.Pdf), ("img1", JobPriority.Normal, JobRoute.Image), ("pdf2", JobPriority.Normal, JobRoute.Pdf),
            ("exp", JobPriority.Express, JobRoute.Report), ("img2", JobPriority.Normal, JobRoute.Image),
        })
        {
            await queue.EnqueueAsync(Ticket(id, priority, route), None);
            await Task.Delay(3);
        }

        var order = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var job = await queue.FetchAsync(AllRoutes, None);
            order.Add(job.Ticket.JobId);
            await job.AcknowledgeAsync(None);
        }

        Assert.Equal(["exp", "pdf1", "img1", "pdf2", "img2"], order);
    }

    [Fact]
    public async Task Fetch_ForSeveralSlotsAtOnce_TakesTheOldestAcrossRoutes()
    {
        var producer = NewQueue("api");
        foreach (var id in new[] { "p1", "i1", "p2", "i2", "p3", "i3" })
        {
            await producer.EnqueueAsync(Ticket(id, route: id[0] == 'p' ? JobRoute.Pdf : JobRoute.Image), None);
            await Task.Delay(3); // distinct milliseconds: stream ids order entries across lanes to the millisecond
        }

        var consumer = NewQueue("worker");
        var jobs = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => consumer.FetchAsync(AllRoutes, None).AsTask()));

        Assert.Equal(["i1", "p1", "p2"], jobs.Select(j => j.Ticket.JobId).Order());
        var stats = await consumer.GetStatisticsAsync(None);
        Assert.Equal(2, stats.Lanes.Single(l => l.Route == JobRoute.Image && l.Priority == JobPriority.Normal).Depth);
        Assert.Equal(1, stats.Lanes.Single(l => l.Route == JobRoute.Pdf && l.Priority == JobPriority.Normal).Depth);
        Assert.Equal(3, stats.TotalInFlight);
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
        var dead = NewQueue("dead", Slow);
        await dead.EnqueueAsync(Ticket("j1"), None);
        var held = await dead.FetchAsync(AllRoutes, None);
        Assert.Equal("j1", held.Ticket.JobId);
        var db = Redis.Connection.GetDatabase();
        Assert.True(await db.KeyExistsAsync($"{Prefix}:alive:dead"));

        var rescuer = NewQueue("rescuer", Slow);
        Assert.Null(await TryFetchAsync(rescuer, TimeSpan.FromMilliseconds(500))); // alive: its job stays with it

        await db.KeyDeleteAsync($"{Prefix}:alive:dead"); // what expiry does when the process is gone
        var job = await TryFetchAsync(rescuer, TimeSpan.FromSeconds(10));

        Assert.NotNull(job);
        Assert.Equal("j1", job.Ticket.JobId);
        Assert.Equal(2, job.DeliveryCount);
        await job.AcknowledgeAsync(None);
        Assert.Null(await TryFetchAsync(rescuer, TimeSpan.FromMilliseconds(300))); // a housekeeping round drops "dead"
        var consumers = await db.StreamConsumerInfoAsync($"{Prefix}:q:normal:image", "workers");
        Assert.Equal(["rescuer"], consumers.Select(c => (string)c.Name!));
    }

    [Fact]
    public async Task Fetch_OnlyTakesTheRoutesAsked()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync(Ticket("img", route: JobRoute.Image), None);
        await queue.EnqueueAsync(Ticket("pdf", route: JobRoute.Pdf), None);

        var job = await queue.FetchAsync([JobRoute.Pdf], None);

        Assert.Equal("pdf", job.Ticket.JobId);
        Assert.Equal(1, job.DeliveryCount);
        var stats = await queue.GetStatisticsAsync(None);
        Assert.Equal(1, stats.Lanes.Single(l => l.Route == JobRoute.Image && l.Priority == JobPriority.Normal).Depth);
        Assert.Equal(1, stats.TotalInFlight);
    }

    [Fact]
    public async Task Fetch_WaitsForAJobEnqueuedLater()
    {
        var consumer = NewQueue("worker");
        var producer = NewQueue("api");
        var fetching = consumer.FetchAsync(AllRoutes, None).AsTask();
        await Task.Delay(200);
        Assert.False(fetching.IsCompleted);

        await producer.EnqueueAsync(Ticket("late") with { BatchId = "b1", FileName = "scan.pdf" }, None);

        var job = await fetching.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("late", job.Ticket.JobId);
        Assert.Equal("b1", job.Ticket.BatchId);
        Assert.Equal("scan.pdf", job.Ticket.FileName);
        Assert.NotEqual(default, job.Ticket.EnqueuedAt);
        Assert.Equal(1, job.DeliveryCount);
    }

    [Fact]
    public async Task IdleWorker_IsWokenByAnotherProcessesEnqueue_NotByItsNextPoll()
    {
        // An idle pump polls less and less often (1 ms doubling up to BlockTimeout): after 5 s of an empty queue it is in
        // a sleep of about 4 s. The producer is another queue instance, as the API is another process: only the
        // pub/sub wake-up can bring the job to the worker well before that sleep ends.
        var consumer = NewQueue("worker", o => o.BlockTimeout = TimeSpan.FromMinutes(5));
        var producer = NewQueue("api");
        var fetching = consumer.FetchAsync(AllRoutes, None).AsTask();
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.False(fetching.IsCompleted);

        await producer.EnqueueAsync(Ticket("wake-me"), None);

        var job = await fetching.WaitAsync(TimeSpan.FromSeconds(2));
        Assert.Equal("wake-me", job.Ticket.JobId);
    }

    [Fact]
    public async Task Fetch_Cancelled_ThrowsAndLosesNothing()
    {
        var queue = NewQueue();
        using var cts = new CancellationTokenSource();
        var fetching = queue.FetchAsync(AllRoutes, cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fetching);

        await queue.EnqueueAsync(Ticket("kept"), None);
        var job = await queue.FetchAsync(AllRoutes, None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("kept", job.Ticket.JobId);
    }

    [Fact]
    public async Task WorkerLoop_RetriesWithBackoff_ThenSucceeds()
    {
        var queue = NewQueue();
        var handler = new RecordingHandler(failFirst: 2);
        var retry = new RetryOptions { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(400) };
        using var stop = new CancellationTokenSource();
        var loop = new WorkerLoop(queue, handler, retry, NullLogger<WorkerLoop>.Instance).RunAsync(AllRoutes, 2, stop.Token);

        await queue.EnqueueAsync(Ticket("flaky"), None);
        await handler.WaitForSuccessAsync("flaky", TimeSpan.FromSeconds(15));
        await stop.CancelAsync();
        await loop;

        Assert.Equal([0, 1, 2], handler.Handled.Select(t => t.Attempt));
        Assert.Empty(handler.DeadLettered);
        var stats = await queue.GetStatisticsAsync(None);
        Assert.Equal((0, 0, 0L, 0L), (stats.TotalDepth, stats.TotalInFlight, stats.Delayed, stats.DeadLetters));
    }

    [Fact]
    public async Task Retry_DeliversAgainAfterTheDelay_WithAttemptRaised()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync(Ticket("r"), None);
        var first = await queue.FetchAsync(AllRoutes, None);
        await first.RetryAsync(TimeSpan.FromMilliseconds(500), "flaky", None);

        Assert.Equal(1, (await queue.GetStatisticsAsync(None)).Delayed);
        Assert.Null(await TryFetchAsync(queue, TimeSpan.FromMilliseconds(200)));

        var second = await TryFetchAsync(queue, TimeSpan.FromSeconds(10));
        Assert.NotNull(second);
        Assert.Equal(1, second.Ticket.Attempt);
        Assert.Equal(2, second.DeliveryCount);
        Assert.Equal(0, (await queue.GetStatisticsAsync(None)).Delayed);
    }

    [Fact]
    public async Task Dispose_WithoutOutcome_RedeliversTheJob()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync(Ticket("crash"), None);
        await using (await queue.FetchAsync(AllRoutes, None))
        {
            // the worker gives the job back without an outcome
        }

        var again = await TryFetchAsync(queue, TimeSpan.FromSeconds(10));
        Assert.NotNull(again);
        Assert.Equal("crash", again.Ticket.JobId);
        Assert.Equal(2, again.DeliveryCount);
    }

    [Fact]
    public async Task Statistics_CountDepthInFlightDelayedAndDead_AndBackpressure()
    {
        var queue = NewQueue(configure: o => o.MaxDepth = 1);
        foreach (var id in new[] { "i1", "i2", "i3" }) await queue.EnqueueAsync(Ticket(id), None);
        await queue.EnqueueAsync(Ticket("p1", JobPriority.Express, JobRoute.Pdf), None);

        var held = await queue.FetchAsync(AllRoutes, None);
        Assert.Equal("p1", held.Ticket.JobId);
        await (await queue.FetchAsync(AllRoutes, None)).RetryAsync(TimeSpan.FromMinutes(1), "later", None);
        await (await queue.FetchAsync(AllRoutes, None)).DeadLetterAsync("broken", None);

        var stats = await queue.GetStatisticsAsync(None);
        var image = stats.Lanes.Single(l => l.Route == JobRoute.Image && l.Priority == JobPriority.Normal);
        var pdf = stats.Lanes.Single(l => l.Route == JobRoute.Pdf && l.Priority == JobPriority.Express);
        Assert.Equal((1L, 0L), (image.Depth, image.InFlight));
        Assert.Equal((0L, 1L), (pdf.Depth, pdf.InFlight));
        Assert.True(image.OldestAge >= TimeSpan.Zero && image.OldestAge < TimeSpan.FromMinutes(1));
        Assert.Equal(6, stats.Lanes.Count);
        Assert.Equal((1L, 1L, 1L, 1L), (stats.TotalDepth, stats.TotalInFlight, stats.Delayed, stats.DeadLetters));

        Assert.False((await queue.GetBackpressureAsync(None)).IsOverloaded);
        await queue.EnqueueAsync(Ticket("i4"), None);
        var pressure = await queue.GetBackpressureAsync(None);
        Assert.True(pressure.IsOverloaded);
        Assert.Equal(2, pressure.Depth);
        Assert.Equal(TimeSpan.FromSeconds(30), pressure.RetryAfter);
    }
}
