using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DocFlow.Engine;
using DocFlow.Engines.Cloud;
using DocFlow.Processing;
using DocFlow.Tools.Bench;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console;

namespace DocFlow.Tools.CloudEngines;

/// <summary>
/// `docflow bench cloud`: one worker process (a child, so its peak RSS is its own) in front of <see cref="FakeDocumentAi"/>
/// at the proposal's 2.3 s latency, through the real <see cref="CloudDocumentEngine"/> with the real local engine as
/// fallback. Three runs: throughput within the quota (600 requests/min by default), the same process with the quota out
/// of the way (what one process can keep in flight), and a 60 s outage of the fake in the middle of a paced stream.
/// </summary>
internal static class CloudBench
{
    public const string ReadyLine = "cloud-engine-worker: ready";
    public const string StartedLine = "cloud-engine-worker: started";
    public const string ResultPrefix = "cloud-engine-worker: ";

    /// <summary>What the child reports: totals, documents per engine per 10 s bucket, breaker samples, peak RSS.</summary>
    public sealed record Result(int Docs, int Slots, double Seconds, long PeakRssKb, Dictionary<string, int> ByEngine,
        List<Dictionary<string, int>> Buckets, List<string> Breaker, int Failed)
    {
        public double DocsPerSecond => Docs / Seconds;
    }

    public static async Task<int> RunAsync(BenchSettings settings, CancellationToken ct)
    {
        await using var fake = await FakeDocumentAi.StartAsync();
        fake.Latency = TimeSpan.FromMilliseconds(settings.CloudLatencyMs);
        var rows = new List<DistributedBench.Row>();
        var latency = fake.Latency.TotalSeconds;

        var packing = settings.PackPages > 0 ? $"packs of up to {settings.PackPages} pages, window {settings.PackWindowMs} ms" : "packing off";
        AnsiConsole.MarkupLineInterpolated($"[grey]1/3[/] {settings.CloudDocs} documents, quota {settings.Quota}/min, {settings.RemoteSlots} slots, {packing}, fake at {latency:F1} s...");
        var quota = await ChildAsync(fake, settings.CloudDocs, settings.RemoteSlots, settings.Quota, rate: 0, wait: true, outage: null, settings, ct);
        var quotaRequests = MaxPerMinute(fake.Requests);
        var sent = fake.Requests.Count;
        rows.Add(new($"cloud engine within the quota ({packing}): throughput of 1 worker process",
            $"{quota.DocsPerSecond:F1} docs/s ({quota.Docs} docs in {quota.Seconds:F1} s; quota ceiling {settings.Quota / 60.0:F1} requests/s)",
            "≥ 80 docs/s", quota.DocsPerSecond >= 80));
        rows.Add(new("  requests at the fake (documents per request)", $"{sent} ({(double)quota.Docs / Math.Max(1, sent):F2})", ""));
        rows.Add(new("  busiest 60 s window at the fake (requests)", $"{quotaRequests} of {settings.Quota}" + (quota.Seconds < 60 ? $" (the run took {quota.Seconds:F0} s)" : ""),
            $"≤ {settings.Quota}", quotaRequests <= settings.Quota));
        rows.Add(new("  peak RSS of the worker process (VmHWM)", $"{quota.PeakRssKb / 1024.0:F0} MB", "< 300 MB", quota.PeakRssKb / 1024.0 < 300));

        var open = settings.RemoteSlots * 100; // a quota that never binds
        var docs = Math.Max(settings.RemoteDocs, settings.RemoteSlots * 8);
        AnsiConsole.MarkupLineInterpolated($"[grey]2/3[/] {docs} documents, quota {open}/min (out of the way), {settings.RemoteSlots} slots...");
        var free = await ChildAsync(fake, docs, settings.RemoteSlots, open, rate: 0, wait: true, outage: null, settings, ct);
        rows.Add(new("cloud engine, quota out of the way: throughput of 1 worker process",
            $"{free.DocsPerSecond:F1} docs/s ({free.Docs} docs in {free.Seconds:F1} s; ceiling {settings.RemoteSlots / latency:F1} = slots / latency)",
            "≥ 80 docs/s", free.DocsPerSecond >= 80));
        rows.Add(new("  peak RSS of the worker process (VmHWM)", $"{free.PeakRssKb / 1024.0:F0} MB", "< 300 MB", free.PeakRssKb / 1024.0 < 300));

        var rateDocs = (int)(settings.CloudRate * (settings.Outage + 90));
        AnsiConsole.MarkupLineInterpolated($"[grey]3/3[/] {rateDocs} documents at {settings.CloudRate} docs/s, quota {settings.Quota}/min, the fake down for {settings.Outage} s from 30 s...");
        var outage = await ChildAsync(fake, rateDocs, settings.RemoteSlots, settings.Quota, settings.CloudRate, wait: false,
            (TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(settings.Outage)), settings, ct);
        var local = outage.ByEngine.GetValueOrDefault("local");
        var remote = outage.ByEngine.GetValueOrDefault("fake");
        rows.Add(new($"{settings.Outage} s outage: documents completed",
            $"{outage.Docs - outage.Failed} of {rateDocs} ({remote} by the cloud engine, {local} by the local fallback), {outage.Failed} failed",
            "all", outage.Failed == 0 && outage.Docs == rateDocs));
        var lastBucket = outage.Buckets.Count > 0 ? outage.Buckets[^1] : [];
        rows.Add(new("  last 10 s of the run, by engine", string.Join(", ", lastBucket.Select(kv => $"{kv.Key} {kv.Value}")),
            "the cloud engine again", lastBucket.GetValueOrDefault("fake") > 0 && lastBucket.GetValueOrDefault("local") == 0));
        rows.Add(new("  breaker (state changes, seconds from start)", string.Join(", ", outage.Breaker), "opens, then closes"));
        rows.Add(new("  documents per 10 s (cloud/local)", string.Join(" ", outage.Buckets.Select(b => $"{b.GetValueOrDefault("fake")}/{b.GetValueOrDefault("local")}"))));

        var table = new Table().Border(TableBorder.Rounded).AddColumn("Measure").AddColumn("Result").AddColumn("Target").AddColumn("");
        foreach (var r in rows)
            table.AddRow(Markup.Escape(r.Measure), Markup.Escape(r.Result), Markup.Escape(r.Target), r.Met is null ? "" : r.Met.Value ? "[green]met[/]" : "[red]not met[/]");
        AnsiConsole.Write(table);
        return 0;
    }

    /// <summary>The most requests that arrived at the fake in any 60 s.</summary>
    private static int MaxPerMinute(IReadOnlyList<FakeRequest> log)
    {
        var at = log.Select(r => r.At).Order().ToList();
        var max = 0;
        for (int i = 0, j = 0; i < at.Count; i++)
        {
            while (j < at.Count && at[j] - at[i] < TimeSpan.FromMinutes(1)) j++;
            max = Math.Max(max, j - i);
        }
        return max;
    }

    private static async Task<Result> ChildAsync(FakeDocumentAi fake, int docs, int slots, int quota, double rate, bool wait,
        (TimeSpan At, TimeSpan For)? outage, BenchSettings settings, CancellationToken ct)
    {
        await fake.StartAsync();
        fake.ClearRequests();
        string[] args = ["bench", "--cloud-engine-worker", "--fake-url", fake.BaseUrl.ToString(),
            "--remote-docs", Invariant(docs), "--remote-slots", Invariant(slots), "--quota", Invariant(quota),
            "--cloud-rate", rate.ToString(CultureInfo.InvariantCulture), "--pack-pages", Invariant(settings.PackPages),
            "--pack-window-ms", Invariant(settings.PackWindowMs), .. wait ? ["--cloud-wait"] : Array.Empty<string>()];
        await using var worker = ChildProcess.StartSelf(args);
        await worker.WaitForLineAsync(l => l == ReadyLine, TimeSpan.FromMinutes(1), ct);
        await worker.WaitForLineAsync(l => l == StartedLine, TimeSpan.FromMinutes(1), ct);
        if (outage is { } o)
        {
            await Task.Delay(o.At, ct);
            await fake.StopAsync();
            await Task.Delay(o.For, ct);
            await fake.StartAsync();
        }
        var line = await worker.WaitForLineAsync(l => l.StartsWith(ResultPrefix + "{", StringComparison.Ordinal), TimeSpan.FromMinutes(30), ct);
        var code = await worker.WaitForExitAsync(TimeSpan.FromMinutes(1), ct);
        if (code != 0) throw new InvalidOperationException($"the cloud-engine worker exited with {code}:\n{worker.Tail()}");
        return JsonSerializer.Deserialize<Result>(line[ResultPrefix.Length..]) ?? throw new InvalidOperationException($"unreadable: {line}");
    }

    private static string Invariant(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>The child: <paramref name="slots"/> documents at once (as many worker slots), arriving all at once or at
    /// <paramref name="rate"/> a second, each a one-page text PDF through the cloud engine.</summary>
    public static async Task<int> WorkerAsync(Uri fakeUrl, int docs, int slots, int quota, double rate, bool wait, int packPages, int packWindowMs,
        CancellationToken ct)
    {
        using var local = new LocalDocumentEngine(new EngineOptions());
        using var telemetry = new CloudEngineTelemetry();
        var options = new CloudEngineOptions
        {
            Kind = "docai-compatible", BaseUrl = fakeUrl, Project = "bench", Location = "us", Processor = "ocr",
            RequestsPerMinute = quota, MaxConcurrentRequests = slots, MaxPagesInFlight = slots * 15,
            WhenUnavailable = wait ? UnavailableBehaviour.Wait : UnavailableBehaviour.Local,
            PackPages = packPages, PackWindowMs = packWindowMs,
        };
        var selector = CloudEngineServiceCollectionExtensions.Create(new EnginesOptions { Cloud = { ["fake"] = options }, Routes = { ["pdf"] = "fake" } },
            local, telemetry, NullLoggerFactory.Instance);
        using var _ = selector;
        var engine = selector.Engines["fake"];
        var pdf = TextPdf.Create(1);
        await local.ProcessAsync(new DocumentInput("warm.pdf", pdf), ct); // the fallback's first document is not the bench's
        Console.WriteLine(ReadyLine);

        var byEngine = new ConcurrentDictionary<string, int>();
        var buckets = new ConcurrentDictionary<int, ConcurrentDictionary<string, int>>();
        var breaker = new List<string>();
        var failed = 0;
        using var gate = new SemaphoreSlim(slots);
        var clock = Stopwatch.StartNew();
        Console.WriteLine(StartedLine);
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            var last = engine.BreakerState;
            while (!sampling.IsCancellationRequested)
            {
                var now = engine.BreakerState;
                if (now != last) lock (breaker) breaker.Add($"{now.ToString().ToLowerInvariant()} at {clock.Elapsed.TotalSeconds:F0} s");
                last = now;
                try { await Task.Delay(100, sampling.Token); } catch (OperationCanceledException) { }
            }
        }, CancellationToken.None);

        var tasks = new List<Task>(docs);
        for (var i = 0; i < docs; i++)
        {
            if (rate > 0)
            {
                var due = TimeSpan.FromSeconds(i / rate) - clock.Elapsed;
                if (due > TimeSpan.Zero) await Task.Delay(due, ct);
            }
            await gate.WaitAsync(ct);
            var name = $"doc-{i}.pdf";
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    var result = await engine.ProcessAsync(new DocumentInput(name, pdf), ct);
                    byEngine.AddOrUpdate(result.Stats.Engine, 1, (_, n) => n + 1);
                    buckets.GetOrAdd((int)(clock.Elapsed.TotalSeconds / 10), _ => new()).AddOrUpdate(result.Stats.Engine, 1, (_, n) => n + 1);
                }
                catch (Exception) when (!ct.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failed);
                }
                finally
                {
                    gate.Release();
                }
            }, ct));
        }
        await Task.WhenAll(tasks);
        var seconds = clock.Elapsed.TotalSeconds;
        await sampling.CancelAsync();
        await sampler;
        var ordered = Enumerable.Range(0, buckets.Keys.DefaultIfEmpty(0).Max() + 1)
            .Select(b => buckets.TryGetValue(b, out var d) ? new Dictionary<string, int>(d) : []).ToList();
        var result = new Result(docs, slots, seconds, ChildProcess.ReadVmHwmKb("/proc/self/status"), new(byEngine), ordered, breaker, failed);
        Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(result));
        return 0;
    }
}
