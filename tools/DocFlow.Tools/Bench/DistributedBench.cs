using System.Globalization;
using DocFlow.Queueing;
using DocFlow.Redis;
using DocFlow.Samples;
using Spectre.Console;

namespace DocFlow.Tools.Bench;

/// <summary>
/// `docflow bench --distributed`: the distributed platform against its targets. Starts its own redis-server on
/// loopback (no persistence) and its own processes (serve, workers, the Celery peer), stops them afterwards, and
/// prints one table (also written to bench-distributed.txt / .md in the scratch folder).
/// </summary>
internal static class DistributedBench
{
    /// <summary>Slots of the in-process worker loop that drains the no-op jobs (as in docs/queue.md).</summary>
    public const int BrokerSlots = 64;

    public sealed record Row(string Measure, string Result, string Target = "", bool? Met = null)
    {
        public string Verdict => Met switch { true => "met", false => "NOT met", null => "" };
    }

    public static async Task<int> RunAsync(BenchSettings settings, string work, CancellationToken ct)
    {
        var repeat = Math.Max(1, settings.Repeat);
        var cores = Environment.ProcessorCount;
        var rows = new List<Row>();
        var loadBefore = LoadAverage();
        AnsiConsole.MarkupLineInterpolated($"Distributed bench: {cores} cores, median of {repeat} run(s), load average {loadBefore}; scratch [blue]{work}[/]");

        var parts = Parts(settings.Only);
        await using var redis = await LoopbackRedis.StartAsync(work, ct);
        AnsiConsole.MarkupLineInterpolated($"redis-server on {redis.Endpoint} (no persistence)");

        // 1. Broker overhead: no-op jobs through Redis and the real WorkerLoop, then the Celery peer.
        if (parts.Contains("broker"))
        {
            AnsiConsole.MarkupLineInterpolated($"[grey]1/5[/] broker: {settings.Jobs} no-op jobs through Redis...");
            var broker = (await Repeat(() => RedisQueueBenchmark.RunAsync(redis.Connection, settings.Jobs, BrokerSlots, ct), repeat))
                .OrderBy(r => r.EndToEndPerSecond).ElementAt(repeat / 2);
            rows.Add(new Row($"broker: DocFlow, {broker.Jobs} no-op jobs end to end (Redis, {BrokerSlots} slots)",
                $"{broker.EndToEndPerSecond:F0} jobs/s ({broker.EndToEnd.TotalSeconds:F2} s; enqueue {broker.EnqueuePerSecond:F0}/s meanwhile, drain of a filled queue {broker.DrainPerSecond:F0}/s)",
                "≥ 20,000 jobs/s", broker.EndToEndPerSecond >= 20_000));
            var celery = await CeleryAsync(settings, ct);
            rows.Add(new Row($"broker: Celery peer, run.sh --noop {settings.CeleryJobs}", celery.Text));
            rows.Add(new Row("broker ratio DocFlow/Celery", celery.Rate is { } cr ? $"{broker.EndToEndPerSecond / cr:F0}x" : "n/a (no Celery figure)"));
        }

        // 2. Documents: embedded server vs the API with 1 and 2 worker processes on Redis.
        if (parts.Contains("documents"))
        {
            var corpus = Corpus(settings.Directory);
            var half = Math.Max(1, cores / 2);
            var warmup = Math.Max(0, settings.Warmup);
            AnsiConsole.MarkupLineInterpolated($"[grey]2/5[/] documents: {corpus.Count} files, embedded vs distributed, {warmup} warm-up batch(es) each...");
            var (embedded, one, two, twoHalf) = await PlatformsAsync(work, redis.Endpoint, cores, half, corpus, warmup, repeat, ct);
            rows.Add(new Row("corpus", $"{embedded.Docs} docs, {embedded.Pages} pages ({settings.Directory}); {warmup} untimed warm-up batches per set-up"));
            rows.Add(new Row($"documents: embedded (docflow serve, {cores} slots, in-process queue)", $"{Docs(embedded)}; first batch of a new process {embedded.ColdSeconds:F2} s"));
            rows.Add(new Row($"documents: distributed, 1 docflow worker x {cores} slots (serve --workers 0, Redis)",
                $"{Docs(one)}; {Relative(one, embedded)}; first batch {one.ColdSeconds:F2} s", "within 5% of embedded", one.DocsPerSecond >= 0.95 * embedded.DocsPerSecond));
            rows.Add(new Row($"documents: distributed, 2 docflow workers x {cores} slots (serve --workers 0, Redis)",
                $"{Docs(two)}; {Relative(two, embedded)}; first batch {two.ColdSeconds:F2} s", "within 5% of embedded", two.DocsPerSecond >= 0.95 * embedded.DocsPerSecond));
            rows.Add(new Row($"documents: distributed, 2 docflow workers x {cores} slots, {half} OCR engine(s) each (Engine:Slots; cores shared out)",
                $"{Docs(twoHalf)}; {Relative(twoHalf, embedded)}; first batch {twoHalf.ColdSeconds:F2} s"));
        }

        // 3. A slow remote engine behind one worker process with many slots.
        if (parts.Contains("remote"))
        {
            AnsiConsole.MarkupLineInterpolated($"[grey]3/5[/] simulated remote engine: {settings.RemoteDocs} documents, {settings.RemoteSlots} slots...");
            var remote = (await Repeat(() => RemoteAsync(redis, settings.RemoteSlots, settings.RemoteDocs, ct), repeat))
                .OrderBy(r => r.DocsPerSecond).ElementAt(repeat / 2);
            var latency = SimulatedRemoteEngine.ProposalLatency.TotalSeconds;
            rows.Add(new Row($"remote engine (simulated {latency:F1} s latency), 1 worker process: documents in flight (max)",
                $"{remote.MaxInFlight} of {remote.Slots} slots", "≥ 200", remote.MaxInFlight >= 200));
            rows.Add(new Row("remote engine: throughput",
                $"{remote.DocsPerSecond:F1} docs/s ({remote.Docs} docs in {remote.Seconds:F2} s; ceiling {remote.Slots / latency:F1})", "≥ 80 docs/s", remote.DocsPerSecond >= 80));
            rows.Add(new Row("remote engine: peak RSS of the worker process (its own VmHWM)",
                $"{remote.PeakRssKb / 1024.0:F0} MB", "≤ 300 MB", remote.PeakRssKb / 1024.0 <= 300));
        }

        // 4. Express lane behind a backlog of normal jobs.
        if (parts.Contains("express"))
        {
            AnsiConsole.MarkupLineInterpolated($"[grey]4/5[/] express lane: {settings.ExpressNormal} normal jobs queued, express jobs one at a time...");
            var express = (await Repeat(() => ExpressLane.RunAsync(redis, settings.ExpressNormal, ct), repeat)).OrderBy(r => r.P99Ms).ElementAt(repeat / 2);
            rows.Add(new Row($"express lane: queue wait (enqueue -> fetch) of {express.Express} express jobs behind {express.Normal} normal",
                $"p50 {express.P50Ms:F1} ms, p99 {express.P99Ms:F1} ms, max {express.MaxMs:F1} ms (backlog drained in {express.DrainSeconds:F1} s)",
                "p99 < 1 s", express.P99Ms < 1000));
        }

        // 5. One long scan split into page ranges across worker processes.
        if (parts.Contains("split"))
        {
            var pages = Math.Max(9, settings.SplitPages);
            var rounds = Math.Min(repeat, 3);
            AnsiConsole.MarkupLineInterpolated($"[grey]5/5[/] split: one {pages}-page scan, 1 worker process vs 2 (1 slot and 1 OCR engine each), {rounds} round(s)...");
            var (single, pair) = await SplitAsync(work, redis.Endpoint, settings.Directory, pages, rounds, ct);
            var speedup = single.Seconds / pair.Seconds;
            rows.Add(new Row($"split: one {pages}-page scan (ranges of 4 pages), 1 docflow worker x 1 slot, 1 OCR engine", Seconds(single)));
            rows.Add(new Row($"split: the same scan, 2 docflow workers x 1 slot, 1 OCR engine each",
                $"{Seconds(pair)}; {speedup:F2}x faster (N = 2 slots: ideal 2x)", "about 1/N of the time with N slots", speedup >= 1.6));
        }

        // 6. Worker start-up: the autoscaling simulation's start-up parameter (docs/autoscaling.md).
        if (parts.Contains("startup"))
        {
            AnsiConsole.MarkupLineInterpolated($"[grey]6/6[/] worker start-up: a document waiting, then a new docflow worker x 1 slot, {repeat} time(s)...");
            var startup = await WorkerStartup.MeasureAsync(Path.Combine(work, "startup"), redis.Endpoint, settings.Directory, repeat, ct);
            rows.Add(new Row("worker start-up: process start to \"Worker started\" (fetching), median",
                $"{startup.ReadySeconds:F2} s (runs: {string.Join(", ", startup.Ready.Select(s => s.ToString("F2", CultureInfo.InvariantCulture)))})"));
            rows.Add(new Row($"worker start-up: process start to its first document done ({startup.Document}), median",
                $"{startup.FirstDoneSeconds:F2} s; the same document on the warm worker {startup.WarmSeconds:F2} s: time to first job ≈ {startup.FirstDoneSeconds - startup.WarmSeconds:F2} s"));
        }

        rows.Add(new Row("load average (1/5/15 min) before / after", $"{loadBefore} / {LoadAverage()}"));
        Write(rows, work);
        return 0;
    }

    private static async Task<(string Text, double? Rate)> CeleryAsync(BenchSettings settings, CancellationToken ct)
    {
        if (settings.CeleryJobs <= 0) return ("skipped (--celery-jobs 0)", null);
        var given = CeleryPeer.Given(settings.Celery);
        if (given is null) return ($"n/a: peer not given (--celery DIR or {CeleryPeer.FolderVariable}: the folder with run.sh)", null);
        var peer = CeleryPeer.Locate(given);
        if (peer is null) return ($"n/a: no run.sh in {given}", null);
        var missing = await CeleryPeer.EnsurePackagesAsync(ct);
        if (missing.Count > 0)
            return ($"n/a: missing {string.Join(", ", missing)} (run as root to install, or apt-get install them)", null);
        AnsiConsole.MarkupLineInterpolated($"      Celery peer: run.sh --noop {settings.CeleryJobs} ({peer})...");
        try
        {
            var r = await CeleryPeer.RunNoopAsync(peer, settings.CeleryJobs, ct);
            return ($"{r.TasksPerSecond:F1} tasks/s ({r.Tasks} tasks in {r.Seconds:F2} s)", r.TasksPerSecond);
        }
        catch (InvalidOperationException ex)
        {
            return ($"n/a: the peer failed: {ex.Message.Split('\n')[0]}", null);
        }
    }

    private static readonly string[] AllParts = ["broker", "documents", "remote", "express", "split", "startup"];

    private static HashSet<string> Parts(string? only)
    {
        if (string.IsNullOrWhiteSpace(only)) return [.. AllParts];
        var parts = only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => p.ToLowerInvariant()).ToHashSet();
        var unknown = parts.Except(AllParts).ToList();
        return unknown.Count > 0
            ? throw new ToolException($"--only: unknown part(s) {string.Join(", ", unknown)}; the parts are {string.Join(", ", AllParts)}")
            : parts;
    }

    /// <summary>
    /// The set-ups run side by side, idle but for the one measured. Each first processes <paramref name="warmup"/>
    /// untimed batches (the first one's time is kept as the cold figure): workers are long-running processes, and a
    /// new .NET process needs a few batches before its hot code is optimised, a cost that two worker processes pay
    /// twice. Then the rounds take turns (embedded, 1 worker, 2 workers, ..., repeat), so load from the rest of a
    /// shared machine falls on all alike instead of on whichever ran first.
    /// </summary>
    private static async Task<(PlatformThroughput.Run Embedded, PlatformThroughput.Run One, PlatformThroughput.Run Two, PlatformThroughput.Run TwoHalf)> PlatformsAsync(
        string work, string redis, int cores, int half, IReadOnlyList<CorpusFile> corpus, int warmup, int repeat, CancellationToken ct)
    {
        await using var embedded = await PlatformThroughput.StartAsync(Path.Combine(work, "embedded"), cores, null, [], null, ct);
        await using var one = await PlatformThroughput.StartAsync(Path.Combine(work, "one-worker"), 0, redis, [cores], null, ct);
        await using var two = await PlatformThroughput.StartAsync(Path.Combine(work, "two-workers"), 0, redis, [cores, cores], null, ct);
        await using var twoHalf = await PlatformThroughput.StartAsync(Path.Combine(work, "two-workers-shared-cores"), 0, redis, [cores, cores], half, ct);
        PlatformThroughput[] platforms = [embedded, one, two, twoHalf];
        var cold = new double[platforms.Length];
        for (var i = 0; i < platforms.Length; i++)
            for (var w = 0; w < warmup; w++)
            {
                var run = await platforms[i].RunBatchAsync(corpus, ct);
                if (w == 0) cold[i] = run.Seconds;
            }
        var medians = (await AlternateAsync(platforms, corpus, repeat, run =>
        {
            if (run.Failed > 0) throw new InvalidOperationException($"{run.Failed} documents failed in a timed batch");
        }, ct)).Select((m, i) => m with { ColdSeconds = warmup > 0 ? cold[i] : double.NaN }).ToArray();
        return (medians[0], medians[1], medians[2], medians[3]);
    }

    /// <summary>The timed rounds: the set-ups take turns with the same corpus, <paramref name="rounds"/> times; each
    /// run is checked, and each set-up's median run comes back with every run's seconds.</summary>
    private static async Task<PlatformThroughput.Run[]> AlternateAsync(PlatformThroughput[] platforms, IReadOnlyList<CorpusFile> corpus, int rounds,
        Action<PlatformThroughput.Run> check, CancellationToken ct)
    {
        var runs = platforms.Select(_ => new List<PlatformThroughput.Run>()).ToArray();
        for (var round = 0; round < rounds; round++)
            for (var i = 0; i < platforms.Length; i++)
            {
                var run = await platforms[i].RunBatchAsync(corpus, ct);
                check(run);
                runs[i].Add(run);
            }
        return [.. runs.Select(r => r.OrderBy(x => x.Seconds).ElementAt(r.Count / 2) with { AllSeconds = [.. r.Select(x => x.Seconds)] })];
    }

    /// <summary>One long scan (the pages of the sample scanned contract repeated), uploaded alone to one worker process with one slot and
    /// one OCR engine, and to two such processes: above <c>Split:PageThreshold</c> it is split into page ranges that
    /// either worker takes, then merged. One untimed samples batch first warms each set-up; then the rounds alternate.</summary>
    private static async Task<(PlatformThroughput.Run Single, PlatformThroughput.Run Pair)> SplitAsync(
        string work, string redis, string samples, int pages, int rounds, CancellationToken ct)
    {
        var dir = Path.Combine(work, "split");
        Directory.CreateDirectory(dir);
        var scan = Path.Combine(dir, $"scan-{pages}-pages.pdf");
        // The corpus's scanned contract, or the generated sample's when the corpus has none (any corpus may be benched).
        var source = Path.Combine(samples, "scanned-contract.pdf");
        if (!File.Exists(source))
        {
            var generated = Path.Combine(dir, "samples");
            SampleCorpus.Generate(generated, SampleCorpus.DefaultSeed);
            source = Path.Combine(generated, "scanned-contract.pdf");
        }
        await File.WriteAllBytesAsync(scan, LargeDocuments.Repeat(await File.ReadAllBytesAsync(source, ct), pages), ct);
        CorpusFile[] corpus = [new(scan, Path.GetFileName(scan))];

        await using var single = await PlatformThroughput.StartAsync(Path.Combine(dir, "one-worker"), 0, redis, [1], 1, ct);
        await using var pair = await PlatformThroughput.StartAsync(Path.Combine(dir, "two-workers"), 0, redis, [1, 1], 1, ct);
        PlatformThroughput[] platforms = [single, pair];
        foreach (var p in platforms) await p.RunBatchAsync(Corpus(samples), ct);
        var medians = await AlternateAsync(platforms, corpus, rounds, run =>
        {
            if (run.Failed > 0 || run.Pages != pages) throw new InvalidOperationException($"the {pages}-page scan failed or came back with {run.Pages} pages");
        }, ct);
        return (medians[0], medians[1]);
    }

    private static string Seconds(PlatformThroughput.Run r) =>
        $"{r.Seconds:F2} s, {r.Pages / r.Seconds:F2} pages/s" + (r.AllSeconds.Count > 1 ? $" ({Runs(r)})" : "");

    /// <summary>"runs 2.90 / 2.84 / … s": every timed run of a median.</summary>
    private static string Runs(PlatformThroughput.Run r) =>
        $"runs {string.Join(" / ", r.AllSeconds.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))} s";

    private static async Task<RemoteEngineWorker.Result> RemoteAsync(LoopbackRedis redis, int slots, int docs, CancellationToken ct)
    {
        var prefix = $"bench-remote-{Guid.NewGuid():N}";
        await using var worker = ChildProcess.StartSelf(RemoteEngineWorker.Arguments(redis.Endpoint, prefix, slots, docs));
        await worker.WaitForLineAsync(l => l == RemoteEngineWorker.ReadyLine, TimeSpan.FromMinutes(1), ct);
        await using (var producer = new RedisJobQueue(redis.Connection, new RedisQueueOptions { KeyPrefix = prefix, ConsumerName = "producer" }))
        {
            await producer.EnqueueManyAsync(Enumerable.Range(0, docs).Select(i =>
                new JobTicket($"r-{i}", JobRoute.Pdf, JobPriority.Normal, $"/bench/r-{i}") { FileName = $"doc-{i}.pdf" }), ct);
        }
        var line = await worker.WaitForLineAsync(l => l.StartsWith(RemoteEngineWorker.ResultPrefix + "{", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60 + docs), ct);
        var code = await worker.WaitForExitAsync(TimeSpan.FromMinutes(1), ct);
        if (code != 0) throw new InvalidOperationException($"the remote-engine worker exited with {code}:\n{worker.Tail()}");
        return RemoteEngineWorker.Parse(line);
    }

    private static IReadOnlyList<CorpusFile> Corpus(string directory)
    {
        if (!Directory.Exists(directory)) SampleCorpus.Generate(directory, SampleCorpus.DefaultSeed);
        var inputs = ProductProcess.Corpus(directory);
        return inputs.Count == 0 ? throw new ToolException($"no input files in {directory}") : inputs;
    }

    private static string Docs(PlatformThroughput.Run r) =>
        $"{r.DocsPerSecond:F3} docs/s, {r.Pages / r.Seconds:F3} pages/s ({r.Docs} docs in {r.Seconds:F2} s" +
        (r.AllSeconds.Count > 1 ? $"; {Runs(r)})" : ")");

    private static string Relative(PlatformThroughput.Run r, PlatformThroughput.Run embedded) =>
        $"{(r.DocsPerSecond / embedded.DocsPerSecond - 1) * 100:+0.0;-0.0}% vs embedded";

    private static async Task<List<T>> Repeat<T>(Func<Task<T>> run, int repeat)
    {
        var results = new List<T>();
        for (var i = 0; i < repeat; i++) results.Add(await run());
        return results;
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static void Write(List<Row> rows, string work)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Measure").AddColumn("Result").AddColumn("Target").AddColumn("");
        foreach (var r in rows)
            table.AddRow(Markup.Escape(r.Measure), Markup.Escape(r.Result), Markup.Escape(r.Target),
                r.Met switch { true => "[green]met[/]", false => "[red]NOT met[/]", null => "" });
        AnsiConsole.Write(table);
        var text = Path.Combine(work, "bench-distributed.txt");
        File.WriteAllLines(text, rows.Select(r => $"{r.Measure}: {r.Result}" + (r.Met is null ? "" : $" [target {r.Target}: {r.Verdict}]")));
        var md = Path.Combine(work, "bench-distributed.md");
        File.WriteAllLines(md, ["| measure | result | target | |", "| --- | --- | --- | --- |",
            .. rows.Select(r => $"| {r.Measure} | {r.Result} | {r.Target} | {r.Verdict} |")]);
        AnsiConsole.MarkupLineInterpolated($"Figures also written to [blue]{text}[/] and [blue]{md}[/]");
    }
}
