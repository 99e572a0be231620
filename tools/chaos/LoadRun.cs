using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace DocFlow.Chaos;

internal sealed record LoadOptions
{
    public int Seconds { get; init; } = 60;
    public int Clients { get; init; } = 8;
    public int Workers { get; init; } = 2;
    public int Slots { get; init; } = 1;
    public int MaxQueueDepth { get; init; } = 100;
    public int UploadsPerMinute { get; init; } = 600;
    public int MaxServeRssMb { get; init; } = 1024;
    public int HostileEvery { get; init; }
    public string Mix { get; init; } = "cheap";
    public string? Samples { get; init; }
    public string? Work { get; init; }
    public bool Keep { get; init; }
    public TimeSpan StuckAfter { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// `docflow-chaos load`: a sustained upload flood at the API's limits. C clients upload single documents
/// (<c>POST /api/v1/documents</c>) back to back for D seconds without waiting for Retry-After, against the real rate
/// limit (<c>RateLimit:UploadsPerMinute</c>) and a small <c>MaxQueueDepth</c>, so the API has to refuse. The contract:
/// every answer is 202, or 429/503 with Retry-After (never 5xx), the API's resident memory stays under a bound
/// (sampled every 250 ms), and every accepted document ends (succeeded, or failed only when hostile).
/// </summary>
internal static class LoadRun
{
    public static async Task<int> RunAsync(LoadOptions o, TextWriter output, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        void Say(string line) => output.WriteLine($"[{clock.Elapsed:hh\\:mm\\:ss}] {line}");
        var work = o.Work ?? Path.Combine(Path.GetTempPath(), $"docflow-load-{Environment.ProcessId}-{DateTime.UtcNow:yyyyMMddHHmmss}");
        var corpus = new Corpus(o.Samples ?? Path.Combine(Platform.RepoRoot(), "samples"), o.Mix, o.HostileEvery, Guid.NewGuid().ToString("N"));
        Say($"load: {o.Clients} clients for {o.Seconds} s, MaxQueueDepth {o.MaxQueueDepth}, RateLimit:UploadsPerMinute {o.UploadsPerMinute}, " +
            $"{o.Workers} workers x {o.Slots} slot(s); work {work}");
        var settings = new Dictionary<string, string>
        {
            ["MaxQueueDepth"] = $"{o.MaxQueueDepth}",
            ["RateLimit:UploadsPerMinute"] = $"{o.UploadsPerMinute}",
        };
        await using var platform = await Platform.StartAsync(work, o.Workers, o.Slots, settings, Say, ct);
        var store = new Store(platform.Database);
        using var api = new Api(platform.Api);
        var baseline = platform.Serve.MemoryKb().Rss;
        Say($"platform up: API {platform.Api}; serve RSS {baseline / 1024} MB");

        var accepted = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal); // job id -> hostile
        var latencies = new ConcurrentBag<double>();
        var next = -1;
        var samples = new List<long>();
        using var flood = new CancellationTokenSource(TimeSpan.FromSeconds(o.Seconds));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(flood.Token, ct);

        async Task Client()
        {
            while (!linked.IsCancellationRequested)
            {
                var file = corpus.Make(Interlocked.Increment(ref next));
                var start = Stopwatch.GetTimestamp();
                var (status, id, _) = await api.SubmitOnceAsync(file, ct);
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (status == HttpStatusCode.Accepted) accepted[id!] = file.Hostile;
                else await Task.Delay(10, CancellationToken.None); // no Retry-After honoured: a client at the limit
            }
        }

        async Task Sample()
        {
            while (!linked.IsCancellationRequested)
            {
                lock (samples) samples.Add(platform.Serve.MemoryKb().Rss);
                await Task.Delay(250, CancellationToken.None);
            }
        }

        var floodClock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, o.Clients).Select(_ => Task.Run(Client, ct)).Append(Sample()));
        var floodSeconds = floodClock.Elapsed.TotalSeconds;
        var requests = next + 1;
        Say($"flood over: {requests} uploads, {accepted.Count} accepted; draining");

        // Drain: every accepted job final.
        var lastFinal = -1;
        var moved = Stopwatch.StartNew();
        var stuck = false;
        while (true)
        {
            await Task.Delay(1000, ct);
            lock (samples) samples.Add(platform.Serve.MemoryKb().Rss);
            if (await store.TryCountAsync(ct) is not { } counts) continue;
            if (counts.Final != lastFinal)
            {
                lastFinal = counts.Final;
                moved.Restart();
            }
            if (counts.Final == counts.Total && await api.QueuesAsync(ct) is { TotalDepth: 0, TotalInFlight: 0 }) break;
            if (moved.Elapsed > o.StuckAfter)
            {
                stuck = true;
                break;
            }
        }
        var drainSeconds = floodClock.Elapsed.TotalSeconds - floodSeconds;
        var jobs = (await store.JobsAsync(ct)).ToDictionary(j => j.Id, StringComparer.Ordinal);
        var lost = accepted.Keys.Count(id => !jobs.ContainsKey(id));
        var notFinal = jobs.Values.Count(j => j.Status is not ("succeeded" or "failed"));
        var benignFailed = jobs.Values.Where(j => j.Status == "failed" && !(accepted.TryGetValue(j.Id, out var hostile) && hostile)).ToList();
        var peak = samples.Max();
        var sorted = latencies.Order().ToArray();
        double Pct(double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

        var violations = new List<string>();
        if (!api.Violations.IsEmpty) violations.Add($"{api.Violations.Count} answers outside 202/429/503+Retry-After: {string.Join("; ", api.Violations.Take(5))}");
        if (lost > 0) violations.Add($"{lost} accepted documents lost");
        if (notFinal > 0 || stuck) violations.Add($"{notFinal} documents not final at the end{(stuck ? " (nothing moved for " + o.StuckAfter.TotalMinutes + " min)" : "")}");
        if (benignFailed.Count > 0) violations.Add($"{benignFailed.Count} sample documents failed: {string.Join("; ", benignFailed.Take(5).Select(j => $"{j.FileName} {j.ErrorCode}"))}");
        if (peak / 1024 > o.MaxServeRssMb) violations.Add($"serve RSS peaked at {peak / 1024} MB (bound {o.MaxServeRssMb} MB)");
        if (platform.Serve.HasExited) violations.Add("docflow serve exited");

        output.WriteLine();
        output.WriteLine("load summary");
        output.WriteLine($"  uploads                  {requests} in {floodSeconds:F0} s ({requests / floodSeconds:F0}/s) from {o.Clients} clients");
        output.WriteLine($"  answers                  {string.Join(", ", api.Answers.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}: {a.Value}"))}");
        output.WriteLine($"  accepted                 {accepted.Count} ({accepted.Count / floodSeconds:F1}/s); all final after {drainSeconds:F0} s more; lost {lost}, not final {notFinal}");
        output.WriteLine($"  upload latency           p50 {Pct(0.5):F0} ms, p99 {Pct(0.99):F0} ms, max {(sorted.Length == 0 ? 0 : sorted[^1]):F0} ms");
        output.WriteLine($"  serve RSS                {baseline / 1024} MB at start, peak {peak / 1024} MB, {platform.Serve.MemoryKb().Rss / 1024} MB at the end (bound {o.MaxServeRssMb} MB)");
        foreach (var v in violations) output.WriteLine($"  VIOLATION: {v}");
        output.WriteLine(violations.Count == 0 ? "load: PASS" : $"load: FAIL ({violations.Count} violations)");
        if (!o.Keep && violations.Count == 0)
        {
            await platform.DisposeAsync();
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        return violations.Count == 0 ? 0 : 1;
    }
}
