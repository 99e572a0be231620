using DocFlow.Queueing;
using Microsoft.Extensions.Time.Testing;

namespace DocFlow.UnitTests.Queueing;

public sealed class InProcessJobQueueTests
{
    private static readonly JobRoute[] AllRoutes = [JobRoute.Image, JobRoute.Pdf, JobRoute.Report];
    private static readonly CancellationToken None = CancellationToken.None;

    private static JobTicket Ticket(string id, JobPriority priority = JobPriority.Normal, JobRoute route = JobRoute.Image) =>
        new(id, route, priority, $"/in/{id}");

    [Fact]
    public async Task Fetch_ReturnsExpressBeforeNormal()
    {
        var queue = new InProcessJobQueue();
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
    }

    [Fact]
    public async Task Fetch_WithinAPriority_TakesTheOldestJobWhateverItsRoute()
    {
        var queue = new InProcessJobQueue();
        await queue.EnqueueAsync(Ticket("pdf1", route: JobRoute.Pdf), None);
        await queue.EnqueueAsync(Ticket("img1", route: JobRoute.Image), None);
        await queue.EnqueueAsync(Ticket("pdf2", route: JobRoute.Pdf), None);
        await queue.EnqueueAsync(Ticket("exp", JobPriority.Express, JobRoute.Report), None);
        await queue.EnqueueAsync(Ticket("img2", route: JobRoute.Image), None);

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
    public async Task Fetch_OnlyTakesTheRoutesAsked()
    {
        var queue = new InProcessJobQueue();
        await queue.EnqueueAsync(Ticket("img", route: JobRoute.Image), None);
        await queue.EnqueueAsync(Ticket("pdf", route: JobRoute.Pdf), None);

        var job = await queue.FetchAsync([JobRoute.Pdf], None);

        Assert.Equal("pdf", job.Ticket.JobId);
        var stats = await queue.GetStatisticsAsync(None);
        Assert.Equal(1, stats.Lanes.Single(l => l.Route == JobRoute.Image && l.Priority == JobPriority.Normal).Depth);
        Assert.Equal(1, stats.TotalInFlight);
    }

    [Fact]
    public async Task Fetch_WaitsForAJobEnqueuedLater()
    {
        var queue = new InProcessJobQueue();
        var fetching = queue.FetchAsync(AllRoutes, None).AsTask();
        Assert.False(fetching.IsCompleted);

        await queue.EnqueueAsync(Ticket("late"), None);

        var job = await fetching.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("late", job.Ticket.JobId);
        Assert.Equal(1, job.DeliveryCount);
    }

    [Fact]
    public async Task Fetch_Cancelled_ThrowsAndLosesNothing()
    {
        var queue = new InProcessJobQueue();
        using var cts = new CancellationTokenSource();
        var fetching = queue.FetchAsync(AllRoutes, cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fetching);

        await queue.EnqueueAsync(Ticket("kept"), None);
        var job = await queue.FetchAsync(AllRoutes, None);
        Assert.Equal("kept", job.Ticket.JobId);
    }

    [Fact]
    public async Task Retry_DeliversAgainAfterTheDelay_WithAttemptRaised()
    {
        var time = new FakeTimeProvider();
        var queue = new InProcessJobQueue(time);
        await queue.EnqueueAsync(Ticket("r"), None);
        var first = await queue.FetchAsync(AllRoutes, None);
        await first.RetryAsync(TimeSpan.FromSeconds(30), "flaky", None);

        var waiting = queue.FetchAsync(AllRoutes, None).AsTask();
        Assert.Equal(1, (await queue.GetStatisticsAsync(None)).Delayed);
        Assert.False(waiting.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(30));
        var second = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, second.Ticket.Attempt);
        Assert.Equal(2, second.DeliveryCount);
    }

    [Fact]
    public async Task Dispose_WithoutOutcome_RedeliversTheJob()
    {
        var queue = new InProcessJobQueue();
        await queue.EnqueueAsync(Ticket("crash"), None);
        await using (await queue.FetchAsync(AllRoutes, None))
        {
            // the worker "dies" holding the job
        }

        var again = await queue.FetchAsync(AllRoutes, None);
        Assert.Equal("crash", again.Ticket.JobId);
        Assert.Equal(2, again.DeliveryCount);
    }

    [Fact]
    public async Task DeadLetter_KeepsReason_AndRequeueBringsItBack()
    {
        var queue = new InProcessJobQueue();
        await queue.EnqueueAsync(Ticket("bad"), None);
        var job = await queue.FetchAsync(AllRoutes, None);
        await job.DeadLetterAsync("broken beyond repair", None);
        await job.DisposeAsync(); // an outcome was given: no redelivery

        var letter = Assert.Single(queue.DeadLetters);
        Assert.Equal("broken beyond repair", letter.Reason);
        Assert.Equal(1, (await queue.GetStatisticsAsync(None)).DeadLetters);
        Assert.Equal(0, (await queue.GetStatisticsAsync(None)).TotalDepth);

        Assert.True(queue.Requeue("bad"));
        var back = await queue.FetchAsync(AllRoutes, None);
        Assert.Equal("bad", back.Ticket.JobId);
        Assert.Empty(queue.DeadLetters);
    }
}
