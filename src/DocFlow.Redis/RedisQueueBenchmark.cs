using System.Diagnostics;
using DocFlow.Processing;
using DocFlow.Queueing;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace DocFlow.Redis;

/// <summary>What one no-op throughput run measured.</summary>
public sealed record RedisBenchmarkResult(int Jobs, int Slots, TimeSpan Enqueue, TimeSpan Process)
{
    public double EnqueuePerSecond => Jobs / Enqueue.TotalSeconds;
    public double ProcessPerSecond => Jobs / Process.TotalSeconds;

    /// <summary>End to end: enqueue, then fetch and acknowledge every job.</summary>
    public double EndToEndPerSecond => Jobs / (Enqueue + Process).TotalSeconds;

    public override string ToString() =>
        $"{Jobs} no-op jobs, {Slots} slots: enqueue {EnqueuePerSecond:F0}/s ({Enqueue.TotalMilliseconds:F0} ms), " +
        $"fetch+ack {ProcessPerSecond:F0}/s ({Process.TotalMilliseconds:F0} ms), end to end {EndToEndPerSecond:F0}/s";
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
            var clock = Stopwatch.StartNew();
            await queue.EnqueueManyAsync(tickets, cancellationToken).ConfigureAwait(false);
            var enqueue = clock.Elapsed;

            var handler = new CountingHandler(jobs);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var loop = new WorkerLoop(queue, handler, new RetryOptions(), NullLogger<WorkerLoop>.Instance);
            clock.Restart();
            var running = loop.RunAsync(JobRoutes.All, slots, stop.Token);
            await handler.AllDone.WaitAsync(cancellationToken).ConfigureAwait(false);
            // The last acknowledgements: the queue must be empty before the clock stops.
            while ((await queue.GetStatisticsAsync(cancellationToken).ConfigureAwait(false)) is { TotalDepth: > 0 } or { TotalInFlight: > 0 })
                await Task.Delay(1, cancellationToken).ConfigureAwait(false);
            var process = clock.Elapsed;
            await stop.CancelAsync().ConfigureAwait(false);
            await running.ConfigureAwait(false);
            return new RedisBenchmarkResult(jobs, slots, enqueue, process);
        }
        finally
        {
            await queue.DisposeAsync().ConfigureAwait(false);
            var db = redis.GetDatabase();
            var keys = new RedisKeys(options.KeyPrefix);
            await db.KeyDeleteAsync([.. keys.Lanes().Select(l => l.Key), keys.Delayed, keys.Dead, keys.DeadIndex]).ConfigureAwait(false);
        }
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
