using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Redis;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace DocFlow.Tools.Bench;

/// <summary>
/// The worker side of the remote-engine measurement, run as a child process (`docflow bench --remote-engine-worker`,
/// a hidden mode) so its peak RSS is its own: one <see cref="WorkerLoop"/> with many slots on the Redis queue, each
/// job loading a blob-sized payload and calling <see cref="SimulatedRemoteEngine"/>. Prints "ready", then one JSON
/// line with the figures when the expected number of documents is done.
/// </summary>
internal static class RemoteEngineWorker
{
    public const string ReadyLine = "remote-engine-worker: ready";
    public const string ResultPrefix = "remote-engine-worker: ";

    /// <summary>Size of the content each job holds while the engine works (a scanned page uploaded to the service).</summary>
    public const int PayloadBytes = 64 * 1024;

    public sealed record Result(int Docs, int Slots, double Seconds, int MaxInFlight, long PeakRssKb)
    {
        public double DocsPerSecond => Docs / Seconds;
    }

    public static async Task<int> RunAsync(string redis, string keyPrefix, int slots, int docs, TimeSpan latency, CancellationToken ct)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(LoopbackRedis.ConnectionString(redis));
        var queue = new RedisJobQueue(connection, new RedisQueueOptions { KeyPrefix = keyPrefix, ConsumerName = $"remote-{Environment.ProcessId}" });
        await using var _ = queue;
        var engine = new SimulatedRemoteEngine(latency, TimeProvider.System);
        var handler = new Handler(engine, docs);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var loop = new WorkerLoop(queue, handler, new RetryOptions(), NullLogger<WorkerLoop>.Instance);
        var running = loop.RunAsync(JobRoutes.All, slots, stop.Token);
        Console.WriteLine(ReadyLine);
        await handler.AllDone.WaitAsync(ct);
        while ((await queue.GetStatisticsAsync(ct)) is { TotalDepth: > 0 } or { TotalInFlight: > 0 })
            await Task.Delay(5, ct);
        var seconds = handler.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await running;
        // VmHWM is the process's own high-water mark of resident memory: the peak over the whole run.
        var result = new Result(docs, slots, seconds, engine.MaxInFlight, ChildProcess.ReadVmHwmKb("/proc/self/status"));
        Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(result));
        return 0;
    }

    public static Result Parse(string line) =>
        JsonSerializer.Deserialize<Result>(line[ResultPrefix.Length..]) ?? throw new InvalidOperationException($"unreadable: {line}");

    public static IEnumerable<string> Arguments(string redis, string keyPrefix, int slots, int docs) =>
        ["bench", "--remote-engine-worker", "--redis", redis, "--key-prefix", keyPrefix,
         "--remote-slots", slots.ToString(CultureInfo.InvariantCulture), "--remote-docs", docs.ToString(CultureInfo.InvariantCulture)];

    /// <summary>Times from the first job started to the last one handled.</summary>
    private sealed class Handler(SimulatedRemoteEngine engine, int expected) : IJobHandler
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Stopwatch _clock = new();
        private int _started;
        private int _count;

        public Task AllDone => _done.Task;
        public TimeSpan Elapsed { get; private set; }

        public async Task HandleAsync(JobTicket ticket, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _started) == 1) lock (_clock) _clock.Start();
            var content = new byte[PayloadBytes]; // the blob, loaded as DocumentJobHandler does
            content[0] = (byte)ticket.JobId.Length;
            await engine.ProcessAsync(new DocumentInput(ticket.FileName ?? ticket.JobId, content), cancellationToken).ConfigureAwait(false);
            if (Interlocked.Increment(ref _count) == expected)
            {
                lock (_clock) Elapsed = _clock.Elapsed;
                _done.TrySetResult();
            }
        }

        public Task OnDeadLetteredAsync(JobTicket ticket, string reason, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
