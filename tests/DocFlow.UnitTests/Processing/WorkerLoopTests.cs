using System.Collections.Concurrent;
using DocFlow.Processing;
using DocFlow.Queueing;
using Microsoft.Extensions.Logging.Abstractions;

namespace DocFlow.UnitTests.Processing;

public sealed class WorkerLoopTests
{
    private static readonly RetryOptions FastRetry = new() { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) };

    private sealed class ScriptedHandler(Func<JobTicket, int, Task> behaviour) : IJobHandler
    {
        private readonly ConcurrentDictionary<string, int> _calls = new();
        public ConcurrentQueue<string> Handled { get; } = new();
        public ConcurrentQueue<(string Id, string Reason)> Buried { get; } = new();
        public TaskCompletionSource AllDone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Expected { get; init; } = 1;
        private int _finished;

        public int Calls(string id) => _calls.GetValueOrDefault(id);

        public async Task HandleAsync(JobTicket ticket, CancellationToken cancellationToken)
        {
            var n = _calls.AddOrUpdate(ticket.JobId, 1, (_, c) => c + 1);
            await behaviour(ticket, n);
            Handled.Enqueue(ticket.JobId);
            Finish();
        }

        public Task OnDeadLetteredAsync(JobTicket ticket, string reason, CancellationToken cancellationToken)
        {
            Buried.Enqueue((ticket.JobId, reason));
            Finish();
            return Task.CompletedTask;
        }

        private void Finish()
        {
            if (Interlocked.Increment(ref _finished) == Expected) AllDone.TrySetResult();
        }
    }

    private static async Task RunUntilDone(InProcessJobQueue queue, ScriptedHandler handler, int slots = 2)
    {
        using var stop = new CancellationTokenSource();
        var loop = new WorkerLoop(queue, handler, FastRetry, NullLogger<WorkerLoop>.Instance);
        var running = loop.RunAsync(JobRoutes.All, slots, stop.Token);
        await handler.AllDone.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task TransientFailure_IsRetriedWithBackoff_ThenSucceeds()
    {
        var queue = new InProcessJobQueue();
        var handler = new ScriptedHandler((_, call) => call < 3 ? throw new IOException("disk hiccup") : Task.CompletedTask);
        await queue.EnqueueAsync(new JobTicket("j", JobRoute.Pdf, JobPriority.Normal, "x"), CancellationToken.None);

        await RunUntilDone(queue, handler);

        Assert.Equal(3, handler.Calls("j"));
        Assert.Equal(["j"], handler.Handled);
        Assert.Empty(queue.DeadLetters);
        Assert.Equal(0, (await queue.GetStatisticsAsync(CancellationToken.None)).TotalInFlight);
    }

    [Fact]
    public async Task PersistentFailure_IsDeadLetteredAfterMaxAttempts_AndOthersComplete()
    {
        var queue = new InProcessJobQueue();
        var handler = new ScriptedHandler((t, _) => t.JobId == "bad" ? throw new InvalidOperationException("always broken") : Task.CompletedTask) { Expected = 4 };
        foreach (var name in new[] { "a", "bad", "b", "c" })
            await queue.EnqueueAsync(new JobTicket(name, JobRoute.Image, JobPriority.Normal, name), CancellationToken.None);

        await RunUntilDone(queue, handler);

        Assert.Equal(3, handler.Calls("bad"));
        var (id, reason) = Assert.Single(handler.Buried);
        Assert.Equal("bad", id);
        Assert.Contains("always broken", reason);
        Assert.Equal(["a", "b", "c"], handler.Handled.Order());
        Assert.Equal("bad", Assert.Single(queue.DeadLetters).Ticket.JobId);
    }

    [Fact]
    public async Task PoisonJob_DeliveredTooOften_IsDeadLetteredWithoutRunning()
    {
        var queue = new InProcessJobQueue();
        await queue.EnqueueAsync(new JobTicket("poison", JobRoute.Image, JobPriority.Normal, "p"), CancellationToken.None);
        // Simulate workers dying on it: fetched and dropped more times than allowed.
        for (var i = 0; i < FastRetry.MaxDeliveries; i++)
            await (await queue.FetchAsync(JobRoutes.All, CancellationToken.None)).DisposeAsync();
        var handler = new ScriptedHandler((_, _) => Task.CompletedTask);

        await RunUntilDone(queue, handler, slots: 1);

        Assert.Equal(0, handler.Calls("poison"));
        Assert.Contains("poison", Assert.Single(handler.Buried).Reason);
    }

    [Fact]
    public async Task StoreOutage_HoldsTheJob_WithoutUsingItsAttemptsOrDeliveries()
    {
        var queue = new InProcessJobQueue();
        var seen = new ConcurrentQueue<(int Attempt, int Deliveries)>();
        // More calls meet a database that is down than MaxAttempts (3) and MaxDeliveries (5) allow, then it is back:
        // an outage of a few pauses (the chaos run's PostgreSQL restart) must not make a sound document poison.
        var outage = FastRetry.MaxDeliveries + 3;
        var handler = new ScriptedHandler((t, call) =>
        {
            seen.Enqueue((t.Attempt, t.Deliveries));
            return call <= outage ? throw new Storage.StoreUnavailableException("The PostgreSQL job store cannot be reached") : Task.CompletedTask;
        });
        await queue.EnqueueAsync(new JobTicket("j", JobRoute.Pdf, JobPriority.Normal, "x"), CancellationToken.None);

        using var stop = new CancellationTokenSource();
        var loop = new WorkerLoop(queue, handler, FastRetry, NullLogger<WorkerLoop>.Instance) { SlotErrorPause = TimeSpan.FromMilliseconds(5) };
        var running = loop.RunAsync(JobRoutes.All, 1, stop.Token);
        await handler.AllDone.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(outage + 1, handler.Calls("j"));
        Assert.Equal(["j"], handler.Handled);
        Assert.Empty(handler.Buried);
        Assert.All(seen, s => Assert.Equal((0, 1), s)); // the same delivery throughout, never retried as a failed attempt
        Assert.Empty(queue.DeadLetters);
        Assert.Equal(0, (await queue.GetStatisticsAsync(CancellationToken.None)).TotalInFlight);
    }

    [Fact]
    public async Task StoreOutage_WhenTheLoopStops_GivesTheJobBack()
    {
        var queue = new InProcessJobQueue();
        var down = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new ScriptedHandler((_, _) =>
        {
            down.TrySetResult();
            throw new Storage.StoreUnavailableException("down for good");
        });
        await queue.EnqueueAsync(new JobTicket("j", JobRoute.Pdf, JobPriority.Normal, "x"), CancellationToken.None);

        using var stop = new CancellationTokenSource();
        var loop = new WorkerLoop(queue, handler, FastRetry, NullLogger<WorkerLoop>.Instance) { SlotErrorPause = TimeSpan.FromMilliseconds(5) };
        var running = loop.RunAsync(JobRoutes.All, 1, stop.Token);
        await down.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(30)); // a stop is not held up by the outage

        Assert.Empty(handler.Handled);
        Assert.Empty(handler.Buried);
        Assert.Empty(queue.DeadLetters);
        var again = await queue.FetchAsync(JobRoutes.All, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("j", again.Ticket.JobId); // back in the queue for the next worker
        Assert.Equal(2, again.DeliveryCount);
    }

    private sealed class FailingBurialHandler : IJobHandler
    {
        public ConcurrentQueue<string> Handled { get; } = new();
        private int _burials;

        public Task HandleAsync(JobTicket ticket, CancellationToken cancellationToken)
        {
            if (ticket.JobId == "bad") throw new InvalidOperationException("always broken");
            Handled.Enqueue(ticket.JobId);
            return Task.CompletedTask;
        }

        // The database is down just when the dead letter's failure is recorded.
        public Task OnDeadLetteredAsync(JobTicket ticket, string reason, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _burials) == 1 ? throw new Storage.StoreUnavailableException("down") : Task.CompletedTask;
    }

    [Fact]
    public async Task AnOutcomeThatCannotBeRecorded_DoesNotEndTheSlot()
    {
        var queue = new InProcessJobQueue();
        var handler = new FailingBurialHandler();
        foreach (var name in new[] { "bad", "a", "b" })
            await queue.EnqueueAsync(new JobTicket(name, JobRoute.Image, JobPriority.Normal, name), CancellationToken.None);

        using var stop = new CancellationTokenSource();
        var loop = new WorkerLoop(queue, handler, FastRetry, NullLogger<WorkerLoop>.Instance) { SlotErrorPause = TimeSpan.FromMilliseconds(5) };
        var running = loop.RunAsync(JobRoutes.All, 1, stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (handler.Handled.Count < 2 && DateTime.UtcNow < deadline) await Task.Delay(20);
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(30)); // the slot ended by the stop, not by the exception

        Assert.Equal(["a", "b"], handler.Handled.Order());
    }
}
