using DocFlow.Processing;
using DocFlow.Queueing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static DocFlow.Tests.Contracts.QueueTesting;

namespace DocFlow.Tests.Contracts;

/// <summary>
/// The contract of the queue ports, <see cref="IJobQueue"/> and <see cref="IDeadLetterStore"/>, run against each
/// adapter by a subclass: InProcessJobQueueTests (unit tests) and RedisJobQueueTests (integration tests, real Redis).
/// What only one adapter does (Redis consumer groups, keep-alive, restarts, poison detection at fetch) is tested
/// beside its subclass, not here.
/// </summary>
public abstract class JobQueueContract<TQueue> where TQueue : IJobQueue, IDeadLetterStore, IQueueErasure
{
    /// <summary>Long enough that "not before the delay" can be seen on a real clock, short enough to wait for: the 200 ms
    /// look for an early delivery may end over a second late on a loaded machine and still ends before the delay.</summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    /// <summary>How long a test waits for something that should come at once: generous, as a loaded machine is slow, and
    /// only ever waited out when the test fails.</summary>
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>A client of the one queue under test. Where the adapter is distributed, clients of different names
    /// are different processes (the API, a worker); an embedded queue is one instance for all of them.</summary>
    protected abstract TQueue Client(string name = "c1");

    /// <summary>The clock the adapter was given: a <see cref="FakeTimeProvider"/> is moved by the tests, the system
    /// clock is waited for.</summary>
    protected abstract TimeProvider Time { get; }

    /// <summary>Lets <paramref name="time"/> pass for the queue: a fake clock is advanced (firing its due timers),
    /// a real one is waited for.</summary>
    protected Task PassTimeAsync(TimeSpan time)
    {
        if (Time is not FakeTimeProvider fake) return Task.Delay(time);
        fake.Advance(time);
        return Task.CompletedTask;
    }

    /// <summary>Polls until <paramref name="done"/>; on a fake clock each poll also moves it on, so that delayed
    /// retries come due while a worker loop runs. Fails naming <paramref name="what"/> after <paramref name="within"/> (real time).</summary>
    protected async Task WaitUntilAsync(Func<bool> done, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (!done())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what}: not within {within.TotalSeconds:F0} s");
            await Task.Delay(10);
            (Time as FakeTimeProvider)?.Advance(TimeSpan.FromMilliseconds(50));
        }
    }

    private WorkerLoop Loop(TQueue queue, IJobHandler handler, RetryOptions retry) =>
        new(queue, handler, retry, NullLogger<WorkerLoop>.Instance);

    [Fact]
    public async Task Fetch_ReturnsExpressBeforeNormal()
    {
        var queue = Client();
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
        var stats = await queue.GetStatisticsAsync(None);
        Assert.Equal((0L, 0L), (stats.TotalDepth, stats.TotalInFlight));
    }

    [Fact]
    public async Task Fetch_WithinAPriority_TakesTheOldestJobWhateverItsRoute()
    {
        // Redis stream ids order entries across lanes to the millisecond (within one millisecond the order is not
        // defined), so the jobs are enqueued a few milliseconds apart.
        var queue = Client();
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
        var producer = Client("api");
        foreach (var id in new[] { "p1", "i1", "p2", "i2", "p3", "i3" })
        {
            await producer.EnqueueAsync(Ticket(id, route: id[0] == 'p' ? JobRoute.Pdf : JobRoute.Image), None);
            await Task.Delay(3); // distinct milliseconds, as above
        }

        var consumer = Client("worker");
        var jobs = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => consumer.FetchAsync(AllRoutes, None).AsTask()));

        Assert.Equal(["i1", "p1", "p2"], jobs.Select(j => j.Ticket.JobId).Order());
        var stats = await consumer.GetStatisticsAsync(None);
        Assert.Equal(2, stats.Lanes.Single(l => l.Route == JobRoute.Image && l.Priority == JobPriority.Normal).Depth);
        Assert.Equal(1, stats.Lanes.Single(l => l.Route == JobRoute.Pdf && l.Priority == JobPriority.Normal).Depth);
        Assert.Equal(3, stats.TotalInFlight);
    }

    [Fact]
    public async Task Fetch_OnlyTakesTheRoutesAsked()
    {
        var queue = Client();
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
        var consumer = Client("worker");
        var producer = Client("api");
        var fetching = consumer.FetchAsync(AllRoutes, None).AsTask();
        await Task.Delay(200);
        Assert.False(fetching.IsCompleted);

        await producer.EnqueueAsync(Ticket("late") with { BatchId = "b1", FileName = "scan.pdf" }, None);

        var job = await fetching.WaitAsync(Patience);
        Assert.Equal("late", job.Ticket.JobId);
        Assert.Equal("b1", job.Ticket.BatchId);
        Assert.Equal("scan.pdf", job.Ticket.FileName);
        Assert.Equal("/in/late", job.Ticket.Source);
        Assert.Equal(Time.GetUtcNow(), job.Ticket.EnqueuedAt, TimeSpan.FromMinutes(1)); // stamped by the queue's clock
        Assert.Equal(1, job.DeliveryCount);
    }

    [Fact]
    public async Task Fetch_Cancelled_ThrowsAndLosesNothing()
    {
        var queue = Client();
        using var cts = new CancellationTokenSource();
        var fetching = queue.FetchAsync(AllRoutes, cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fetching);

        await queue.EnqueueAsync(Ticket("kept"), None);
        var job = await queue.FetchAsync(AllRoutes, None).AsTask().WaitAsync(Patience);
        Assert.Equal("kept", job.Ticket.JobId);
    }

    [Fact]
    public async Task Retry_DeliversAgainAfterTheDelay_WithAttemptRaised()
    {
        var queue = Client();
        await queue.EnqueueAsync(Ticket("r"), None);
        var first = await queue.FetchAsync(AllRoutes, None);
        await first.RetryAsync(RetryDelay, "flaky", None);

        Assert.Equal(1, (await queue.GetStatisticsAsync(None)).Delayed);
        Assert.Null(await TryFetchAsync(queue, TimeSpan.FromMilliseconds(200))); // not before the delay
        var waiting = TryFetchAsync(queue, Patience);
        Assert.False(waiting.IsCompleted);

        await PassTimeAsync(RetryDelay);

        var second = await waiting;
        Assert.NotNull(second);
        Assert.Equal("r", second.Ticket.JobId);
        Assert.Equal(1, second.Ticket.Attempt);
        Assert.Equal(2, second.DeliveryCount);
        Assert.Equal(0, (await queue.GetStatisticsAsync(None)).Delayed);
    }

    [Fact]
    public async Task Dispose_WithoutOutcome_RedeliversTheJob()
    {
        var queue = Client();
        await queue.EnqueueAsync(Ticket("crash"), None);
        await using (await queue.FetchAsync(AllRoutes, None))
        {
            // the worker gives the job back without an outcome
        }

        var again = await TryFetchAsync(queue, Patience);
        Assert.NotNull(again);
        Assert.Equal("crash", again.Ticket.JobId);
        Assert.Equal(0, again.Ticket.Attempt);
        Assert.Equal(2, again.DeliveryCount);
    }

    [Fact]
    public async Task DeadLetter_KeepsReasonAndTime_AndRequeueBringsItBackWithAFreshAttempt()
    {
        var queue = Client();
        await queue.EnqueueAsync(Ticket("bad") with { Attempt = 2 }, None);
        var job = await queue.FetchAsync(AllRoutes, None);
        await job.DeadLetterAsync("broken beyond repair", None);
        await job.DisposeAsync(); // an outcome was given: no redelivery

        var letter = Assert.Single(await queue.ListDeadLettersAsync(10, None));
        Assert.Equal(("bad", 2), (letter.Ticket.JobId, letter.Ticket.Attempt));
        Assert.Equal("broken beyond repair", letter.Reason);
        Assert.Equal(Time.GetUtcNow(), letter.At, TimeSpan.FromMinutes(1));
        var stats = await queue.GetStatisticsAsync(None);
        Assert.Equal((0L, 0L, 1L), (stats.TotalDepth, stats.TotalInFlight, stats.DeadLetters));
        Assert.Null(await TryFetchAsync(queue, TimeSpan.FromMilliseconds(200)));

        Assert.True(await queue.HasDeadLetterAsync("bad", None));
        Assert.False(await queue.HasDeadLetterAsync("other", None));
        Assert.True(await queue.RequeueDeadLetterAsync("bad", None));
        Assert.False(await queue.RequeueDeadLetterAsync("bad", None));
        Assert.False(await queue.HasDeadLetterAsync("bad", None));
        var back = await TryFetchAsync(queue, Patience);
        Assert.NotNull(back);
        Assert.Equal(("bad", 0), (back.Ticket.JobId, back.Ticket.Attempt));
        Assert.Empty(await queue.ListDeadLettersAsync(10, None));
        Assert.Equal(0, (await queue.GetStatisticsAsync(None)).DeadLetters);
    }

    [Fact]
    public async Task DeadLetters_ListOldestFirst_PurgeOne_ThenAll()
    {
        var queue = Client();
        foreach (var id in new[] { "a", "b", "c" }) await queue.EnqueueAsync(Ticket(id), None);
        for (var i = 0; i < 3; i++) await (await queue.FetchAsync(AllRoutes, None)).DeadLetterAsync("bad " + i, None);
        Assert.Equal(["a", "b", "c"], (await queue.ListDeadLettersAsync(10, None)).Select(d => d.Ticket.JobId));
        Assert.Equal(["a", "b"], (await queue.ListDeadLettersAsync(2, None)).Select(d => d.Ticket.JobId));

        Assert.True(await queue.PurgeDeadLetterAsync("b", None));
        Assert.False(await queue.PurgeDeadLetterAsync("b", None));
        Assert.Equal(["a", "c"], (await queue.ListDeadLettersAsync(10, None)).Select(d => d.Ticket.JobId));

        Assert.Equal(2, await queue.PurgeAllDeadLettersAsync(None));
        Assert.Empty(await queue.ListDeadLettersAsync(10, None));
        Assert.False(await queue.RequeueDeadLetterAsync("a", None));
        Assert.Equal(0, (await queue.GetStatisticsAsync(None)).DeadLetters);
    }

    [Fact]
    public async Task Statistics_CountDepthInFlightDelayedAndDead_PerLane()
    {
        var queue = Client();
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
        Assert.InRange(image.OldestAge, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        Assert.Equal(2 * JobRoutes.All.Count, stats.Lanes.Count);
        Assert.Equal((1L, 1L, 1L, 1L), (stats.TotalDepth, stats.TotalInFlight, stats.Delayed, stats.DeadLetters));
    }

    [Fact]
    public async Task WorkerLoop_RetriesWithBackoff_ThenSucceeds()
    {
        var queue = Client();
        var handler = new RecordingHandler(failFirst: 2);
        var retry = new RetryOptions { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(400) };
        using var stop = new CancellationTokenSource();
        var loop = Loop(queue, handler, retry).RunAsync(AllRoutes, 2, stop.Token);

        await queue.EnqueueAsync(Ticket("flaky"), None);
        await WaitUntilAsync(() => handler.Succeeded.ContainsKey("flaky"), Patience, "job 'flaky' succeeded on its third attempt");
        await stop.CancelAsync();
        await loop;

        Assert.Equal([0, 1, 2], handler.Handled.Select(t => t.Attempt));
        Assert.Empty(handler.DeadLettered);
        var stats = await queue.GetStatisticsAsync(None);
        Assert.Equal((0, 0, 0L, 0L), (stats.TotalDepth, stats.TotalInFlight, stats.Delayed, stats.DeadLetters));
    }

    [Fact]
    public async Task WorkerLoop_GivesUp_AfterMaxAttempts_AndTheDeadLetterKeepsTheReason()
    {
        var queue = Client();
        var handler = new RecordingHandler(failFirst: int.MaxValue);
        var retry = new RetryOptions { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(50) };
        using var stop = new CancellationTokenSource();
        var loop = Loop(queue, handler, retry).RunAsync(AllRoutes, 1, stop.Token);
        await queue.EnqueueAsync(Ticket("doomed"), None);

        await WaitUntilAsync(() => !handler.DeadLettered.IsEmpty, Patience, "job 'doomed' dead-lettered");
        await stop.CancelAsync();
        await loop;

        Assert.Equal(2, handler.Handled.Count);
        var letter = Assert.Single(await queue.ListDeadLettersAsync(10, None));
        Assert.Contains("failed 2 times", letter.Reason);
        Assert.Equal(1, letter.Ticket.Attempt);
        Assert.Equal(letter.Reason, Assert.Single(handler.DeadLettered).Reason);
    }

    [Fact]
    public async Task Erase_RemovesTheJobsWaitingDelayedAndDeadLetteredEntries_AndThoseOfTheBatch_AndLeavesTheRest()
    {
        var queue = Client();
        await queue.EnqueueAsync(Ticket("gone-dead"), None);
        await using (var dead = await queue.FetchAsync(AllRoutes, None)) await dead.DeadLetterAsync("poison", None);
        await queue.EnqueueAsync(Ticket("gone-delayed"), None);
        await using (var later = await queue.FetchAsync(AllRoutes, None)) await later.RetryAsync(TimeSpan.FromHours(1), "transient", None);
        await queue.EnqueueAsync(Ticket("keep"), None);
        await queue.EnqueueAsync(Ticket("gone-waiting"), None);
        await queue.EnqueueAsync(Ticket("gone-range#0") with { ParentJobId = "gone-range", Part = 0, Pages = new PageRange(1, 4) }, None);
        await queue.EnqueueAsync(Ticket("b-gone-report", route: JobRoute.Report) with { BatchId = "b-gone" }, None);
        await queue.EnqueueAsync(Ticket("keep-report", route: JobRoute.Report) with { BatchId = "b-keep" }, None);
        var before = await queue.GetStatisticsAsync(None);
        Assert.Equal((5L, 1L, 1L), (before.TotalDepth, before.Delayed, before.DeadLetters));

        var removed = await queue.EraseAsync(["gone-dead", "gone-delayed", "gone-waiting", "gone-range"], "b-gone", None);

        Assert.Equal(5, removed);
        var after = await queue.GetStatisticsAsync(None);
        Assert.Equal((2L, 0L, 0L), (after.TotalDepth, after.Delayed, after.DeadLetters));
        Assert.Empty(await queue.ListDeadLettersAsync(10, None));
        // The two left are fetched (each waited for as long as it takes), then nothing more comes.
        var left = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var job = await TryFetchAsync(queue, Patience);
            Assert.True(job is not null, $"job {i + 1} of the 2 left not fetched within {Patience.TotalSeconds:F0} s; got [{string.Join(", ", left)}]");
            left.Add(job.Ticket.JobId);
            await job.AcknowledgeAsync(None);
        }
        Assert.Null(await TryFetchAsync(queue, TimeSpan.FromMilliseconds(300)));
        Assert.Equal(["keep", "keep-report"], left.Order());
        // Erasing what is not there is no error.
        Assert.Equal(0, await queue.EraseAsync(["gone-dead"], "b-gone", None));
    }
}

/// <summary>What the queue suites share with the adapter-only queue tests.</summary>
public static class QueueTesting
{
    public static readonly JobRoute[] AllRoutes = [JobRoute.Image, JobRoute.Pdf, JobRoute.Report, JobRoute.Webhook];
    public static readonly CancellationToken None = CancellationToken.None;

    public static JobTicket Ticket(string id, JobPriority priority = JobPriority.Normal, JobRoute route = JobRoute.Image) =>
        new(id, route, priority, $"/in/{id}");

    /// <summary>The next job, or null if none came within <paramref name="within"/> (real time).</summary>
    public static async Task<IFetchedJob?> TryFetchAsync(IJobQueue queue, TimeSpan within, IReadOnlyCollection<JobRoute>? routes = null)
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
}
