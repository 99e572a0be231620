using DocFlow.Engines.Cloud;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Server.Api;
using DocFlow.Storage;
using DocFlow.Workers;
using Microsoft.Extensions.Options;

namespace DocFlow.Server.Dashboard;

/// <summary>When this server started (for uptime).</summary>
public sealed record ServerStartTime(DateTimeOffset At);

/// <summary>
/// Builds the dashboard's overview from the queue, the worker registry and the store. One overview is shared for
/// <see cref="DashboardOptions.OverviewCacheDuration"/>, so any number of open dashboards cost the database one query set per second.
/// </summary>
public sealed class DashboardService(
    IJobQueue queue, IWorkerRegistry workers, IJobMonitoringStore store, IOptions<DashboardOptions> options,
    ServerStartTime start, TimeProvider time, IOptions<Hosting.PlatformOptions> platform,
    IOptions<EnginesOptions>? engines = null, IDocumentEngineSelector? selector = null)
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private OverviewDto? _last;

    public async Task<OverviewDto> GetOverviewAsync(CancellationToken cancellationToken)
    {
        if (Fresh(_last) is { } cached) return cached;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh(_last) is { } again) return again;
            return _last = await BuildAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private OverviewDto? Fresh(OverviewDto? o) => o is not null && time.GetUtcNow() - o.GeneratedAt < options.Value.OverviewCacheDuration ? o : null;

    private async Task<OverviewDto> BuildAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var statsTask = queue.GetStatisticsAsync(ct).AsTask();
        var workersTask = workers.ListAsync(ct).AsTask();
        var since = MinuteOf(now) - Window + TimeSpan.FromMinutes(1);
        var finished = await store.ListFinishedSinceAsync(since, ct).ConfigureAwait(false);
        var s = await statsTask.ConfigureAwait(false);
        var list = await workersTask.ConfigureAwait(false);

        var queues = new QueuesDto(
            [.. s.Lanes.Select(l => new LaneDto(l.Route.ToWireName(), l.Priority.ToWireName(), l.Depth, l.InFlight, l.OldestAge.TotalSeconds))],
            s.TotalDepth, s.TotalInFlight, s.Delayed, s.DeadLetters);
        var workerDtos = list.Select(w => ToDto(w, now)).ToList();
        var lastHour = Summarise(finished, since, now);
        var cost = Cost(lastHour, workerDtos.Count(w => !w.Stale), Math.Min(Window.TotalHours, (now - start.At).TotalHours));
        return new OverviewDto(now, start.At, (now - start.At).TotalSeconds, platform.Value.Distributed ? "distributed" : "embedded",
            queues, workerDtos, lastHour, cost) { Engines = Engines(finished) };
    }

    /// <summary>Succeeded documents per engine, with the price table's cost; the breaker of each cloud engine that runs in
    /// this process (it runs the worker slots).</summary>
    private List<EngineDto> Engines(IReadOnlyList<FinishedJob> finished)
    {
        var o = engines?.Value ?? new EnginesOptions();
        var local = platform.Value.EffectiveWorkers > 0 ? selector as CloudEngineSelector : null;
        var names = finished.Where(f => f.Status == JobStatus.Succeeded && f.Engine is not null).Select(f => f.Engine!)
            .Concat(o.Cloud.Keys).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
        if (names.Count == 1 && names[0] == ProcessingStats.LocalEngineName && o.Cloud.Count == 0) return []; // nothing to compare
        return [.. names.Select(name =>
        {
            var done = finished.Where(f => f.Status == JobStatus.Succeeded && string.Equals(f.Engine, name, StringComparison.OrdinalIgnoreCase)).ToList();
            long pages = done.Sum(f => (long)(f.Pages ?? 0));
            double? price = o.PricePerPage.TryGetValue(name, out var p) ? (double)p : null;
            double? total = price * pages;
            string? breaker = local?.Engines.TryGetValue(name, out var engine) == true ? BreakerName(engine.BreakerState) : null;
            return new EngineDto(name, breaker, done.Count, pages, price, total, done.Count == 0 ? null : total / done.Count, o.Currency);
        })];
    }

    private static string BreakerName(Polly.CircuitBreaker.CircuitState state) => state switch
    {
        Polly.CircuitBreaker.CircuitState.Closed => "closed",
        Polly.CircuitBreaker.CircuitState.Open => "open",
        Polly.CircuitBreaker.CircuitState.HalfOpen => "half-open",
        _ => "isolated",
    };

    internal static WorkerDto ToDto(WorkerStatus w, DateTimeOffset now) => new(w.Worker.Id, w.Worker.Host, w.Worker.Slots, w.Worker.Busy,
        w.Worker.Processed, w.Worker.Failed, w.Worker.Routes, w.Worker.StartedAt, w.Worker.LastHeartbeat,
        Math.Max(0, (now - w.Worker.LastHeartbeat).TotalSeconds), w.Stale);

    internal static LastHourDto Summarise(IReadOnlyList<FinishedJob> finished, DateTimeOffset since, DateTimeOffset now)
    {
        var minutes = (int)Math.Ceiling((MinuteOf(now) + TimeSpan.FromMinutes(1) - since).TotalMinutes);
        var buckets = new List<FinishedJob>[Math.Max(minutes, 1)];
        for (var i = 0; i < buckets.Length; i++) buckets[i] = [];
        foreach (var f in finished)
        {
            var i = (int)((f.FinishedAt - since).Ticks / TimeSpan.TicksPerMinute);
            if (i >= 0 && i < buckets.Length) buckets[i].Add(f);
        }
        var perMinute = buckets.Select((b, i) =>
        {
            var durations = Durations(b);
            return new MinuteDto(since + TimeSpan.FromMinutes(i), b.Count, b.Sum(f => f.Pages ?? 0), b.Count(f => f.Status == JobStatus.Failed),
                Percentile(durations, 0.50), Percentile(durations, 0.95));
        }).ToList();
        var all = Durations(finished);
        long failed = finished.Count(f => f.Status == JobStatus.Failed);
        return new LastHourDto(finished.Count, finished.Sum(f => (long)(f.Pages ?? 0)), failed,
            finished.Count == 0 ? 0 : (double)failed / finished.Count, Percentile(all, 0.50), Percentile(all, 0.95), perMinute);

        static double[] Durations(IEnumerable<FinishedJob> jobs) =>
            [.. jobs.Where(f => f.Status == JobStatus.Succeeded && f.DurationMs is not null).Select(f => (double)f.DurationMs!.Value).Order()];
    }

    /// <summary>Nearest-rank percentile of sorted values; null when there are none.</summary>
    internal static double? Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private CostDto Cost(LastHourDto hour, int liveWorkers, double windowHours)
    {
        var c = options.Value.Cost;
        // Embedded, the server is the worker: one machine. Distributed: the API server plus every live worker.
        var machines = platform.Value.Distributed ? 1 + liveWorkers : 1;
        var compute = c.ComputePerHour * machines * Math.Max(windowHours, 0);
        var cloud = hour.Pages / 1000.0 * c.CloudPer1000Pages;
        return new CostDto(c.Currency, c.ComputePerHour, c.CloudPer1000Pages, windowHours, machines, compute,
            hour.Documents == 0 ? null : compute / hour.Documents, cloud, hour.Documents == 0 ? null : cloud / hour.Documents);
    }

    private static DateTimeOffset MinuteOf(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
}
