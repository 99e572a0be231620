using System.Diagnostics;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Redis;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace DocFlow.Tools.Bench;

/// <summary>What one no-op throughput run measured.</summary>
/// <param name="Enqueue">Time to enqueue all jobs while the workers ran.</param>
/// <param name="Drain">Time for the workers to fetch and acknowledge all jobs of a queue filled beforehand.</param>
/// <param name="EndToEnd">Time from the first enqueue to the last acknowledgement, producer and workers together.</param>
public sealed record RedisBenchmarkResult(int Jobs, int Slots, TimeSpan Enqueue, TimeSpan Drain, TimeSpan EndToEnd)
{
    public double EnqueuePerSecond => Jobs / Enqueue.TotalSeconds;
    public double DrainPerSecond => Jobs / Drain.TotalSeconds;
    public double EndToEndPerSecond => Jobs / EndToEnd.TotalSeconds;

    public override string ToString() =>
        $"{Jobs} no-op jobs, {Slots} slots: end to end {EndToEndPerSecond:F0}/s ({EndToEnd.TotalMilliseconds:F0} ms; " +
        $"enqueue {EnqueuePerSecond:F0}/s meanwhile), drain of a filled queue {DrainPerSecond:F0}/s ({Drain.TotalMilliseconds:F0} ms)";
}

/// <summary>No-op jobs through the Redis queue and the real <see cref="WorkerLoop"/>: the queue's own ceiling.</summary>
public static class RedisQueueBenchmark
{
    public static async Task<RedisBenchmarkResult> RunAsync(IConnectionMultiplexer redis, int jobs, int slots, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(jobs, 1);
        var options = new RedisQueueOptions { KeyPrefix = $"bench:{Guid.NewGuid():N}", ConsumerName = $"bench-{Environment.ProcessId}" };
        var queue = new RedisJobQueue(redis, options);
        try
        {
            var tickets = Enumerable.Range(0, jobs).Select(i => new JobTicket($"job-{i}", JobRoute.Image, JobPriority.Normal, $"/bench/{i}"));

            // Drain: a queue filled beforehand, emptied by the workers (fetch + acknowledge only).
            await queue.EnqueueManyAsync(tickets, cancellationToken).ConfigureAwait(false);
            var drain = await ProcessAsync(queue, jobs, slots, producer: null, cancellationToken).ConfigureAwait(false);

            // End to end: the producer enqueues while the workers fetch and acknowledge.
            var clock = Stopwatch.StartNew();
            var enqueue = TimeSpan.Zero;
            var total = await ProcessAsync(queue, jobs, slots, async () =>
            {
                await queue.EnqueueManyAsync(tickets, cancellationToken).ConfigureAwait(false);
                enqueue = clock.Elapsed;
            }, cancellationToken).ConfigureAwait(false);
            return new RedisBenchmarkResult(jobs, slots, enqueue, drain, total);
        }
        finally
        {
            await queue.DisposeAsync().ConfigureAwait(false);
            // Every key of the run's own prefix (streams, delayed set, dead letters), found with SCAN from outside the adapter.
            var db = redis.GetDatabase();
            foreach (var server in redis.GetServers())
                await foreach (var key in server.KeysAsync(pattern: options.KeyPrefix + ":*").ConfigureAwait(false))
                    await db.KeyDeleteAsync(key).ConfigureAwait(false);
        }
    }

    private static async Task<TimeSpan> ProcessAsync(RedisJobQueue queue, int jobs, int slots, Func<Task>? producer, CancellationToken cancellationToken)
    {
        var handler = new CountingHandler(jobs);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var loop = new WorkerLoop(queue, handler, new RetryOptions(), NullLogger<WorkerLoop>.Instance);
        var clock = Stopwatch.StartNew();
        var running = loop.RunAsync(JobRoutes.All, slots, stop.Token);
        if (producer is not null) await producer().ConfigureAwait(false);
        await handler.AllDone.WaitAsync(cancellationToken).ConfigureAwait(false);
        // The last acknowledgements: the queue must be empty before the clock stops.
        while ((await queue.GetStatisticsAsync(cancellationToken).ConfigureAwait(false)) is { TotalDepth: > 0 } or { TotalInFlight: > 0 })
            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        var elapsed = clock.Elapsed;
        await stop.CancelAsync().ConfigureAwait(false);
        await running.ConfigureAwait(false);
        return elapsed;
    }

    private sealed class CountingHandler(int expected) : IJobHandler
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _count;

        public Task AllDone => _done.Task;

        public Task HandleAsync(JobTicket ticket, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _count) == expected) _done.TrySetResult();
            return Task.CompletedTask;
        }

        public Task OnDeadLetteredAsync(JobTicket ticket, string reason, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
