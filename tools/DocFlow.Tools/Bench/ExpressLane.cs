using System.Collections.Concurrent;
using System.Diagnostics;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Redis;
using Microsoft.Extensions.Logging.Abstractions;

namespace DocFlow.Tools.Bench;

/// <summary>
/// Express jobs behind a backlog: <c>normal</c> jobs are queued first, then workers start draining them while a
/// producer (its own queue instance and connection) enqueues express jobs one at a time. Wait = from just before
/// the express XADD to the moment a worker slot has fetched it (the handler starts right after the fetch).
/// </summary>
internal static class ExpressLane
{
    /// <summary>Slots of the draining worker and the time each normal job holds one: a backlog that lasts seconds.</summary>
    public const int Slots = 16;
    public static readonly TimeSpan NormalWork = TimeSpan.FromMilliseconds(10);
    public static readonly TimeSpan ExpressInterval = TimeSpan.FromMilliseconds(20);

    public sealed record Result(int Normal, int Express, double P50Ms, double P99Ms, double MaxMs, double DrainSeconds);

    public static async Task<Result> RunAsync(LoopbackRedis redis, int normal, CancellationToken ct)
    {
        var prefix = $"bench-express-{Guid.NewGuid():N}";
        await using var producerConnection = await redis.ConnectAsync();
        await using var workerConnection = await redis.ConnectAsync();
        var producer = new RedisJobQueue(producerConnection, new RedisQueueOptions { KeyPrefix = prefix, ConsumerName = "producer" });
        var workers = new RedisJobQueue(workerConnection, new RedisQueueOptions { KeyPrefix = prefix, ConsumerName = "workers" });
        await using var p = producer;
        await using var w = workers;
        await producer.EnqueueManyAsync(Enumerable.Range(0, normal).Select(i => new JobTicket($"n-{i}", JobRoute.Image, JobPriority.Normal, $"/bench/{i}")), ct);

        var handler = new Handler(normal);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var drain = Stopwatch.StartNew();
        var running = new WorkerLoop(workers, handler, new RetryOptions(), NullLogger<WorkerLoop>.Instance).RunAsync(JobRoutes.All, Slots, stop.Token);
        var express = 0;
        while (!handler.NormalDone.IsCompleted)
        {
            var id = $"x-{express++}";
            handler.Enqueued[id] = Stopwatch.GetTimestamp();
            await producer.EnqueueAsync(new JobTicket(id, JobRoute.Pdf, JobPriority.Express, $"/bench/{id}"), ct);
            await Task.WhenAny(handler.NormalDone, Task.Delay(ExpressInterval, ct));
        }
        var drainSeconds = drain.Elapsed.TotalSeconds;
        while (handler.Waits.Count < express) await Task.Delay(5, ct);
        await stop.CancelAsync();
        await running;

        var waits = handler.Waits.Select(t => t.TotalMilliseconds).Order().ToList();
        return new Result(normal, express, Percentile(waits, 0.50), Percentile(waits, 0.99), waits.Count == 0 ? 0 : waits[^1], drainSeconds);
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private sealed class Handler(int normal) : IJobHandler
    {
        private readonly TaskCompletionSource _normalDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _normal;

        public ConcurrentDictionary<string, long> Enqueued { get; } = new();
        public ConcurrentBag<TimeSpan> Waits { get; } = [];
        public Task NormalDone => _normalDone.Task;

        public async Task HandleAsync(JobTicket ticket, CancellationToken cancellationToken)
        {
            if (ticket.Priority == JobPriority.Express)
            {
                var fetched = Stopwatch.GetTimestamp();
                Waits.Add(Stopwatch.GetElapsedTime(Enqueued[ticket.JobId], fetched));
                return;
            }
            await Task.Delay(NormalWork, cancellationToken).ConfigureAwait(false);
            if (Interlocked.Increment(ref _normal) == normal) _normalDone.TrySetResult();
        }

        public Task OnDeadLetteredAsync(JobTicket ticket, string reason, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
