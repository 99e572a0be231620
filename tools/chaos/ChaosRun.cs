using System.Collections.Concurrent;
using System.Diagnostics;

namespace DocFlow.Chaos;

internal sealed record ChaosOptions
{
    public int Documents { get; init; } = 300;
    public int Workers { get; init; } = 3;
    public int Slots { get; init; } = 1;
    public int Kills { get; init; } = 10;
    public int RedisRestarts { get; init; } = 1;
    public int PgRestarts { get; init; } = 1;
    public int Seed { get; init; } = 12;
    public int HostileEvery { get; init; } = 25;
    public int BatchSize { get; init; } = 20;
    public int Backlog { get; init; } = 150;
    public string Mix { get; init; } = "cheap";
    public string? Samples { get; init; }
    public string? Work { get; init; }
    public bool Keep { get; init; }
    public TimeSpan StuckAfter { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// `docflow-chaos run`: the platform (<see cref="Platform"/>), M documents submitted through the API in batches while
/// workers are SIGKILLed (and started again), engine hosts killed, Redis and PostgreSQL restarted at random moments of
/// the run (seeded); then the invariants, read from the store and the API: every accepted document has exactly one final
/// status, no result was written twice, nothing is stuck, the dead letters are hostile files only, no 5xx.
/// </summary>
internal static class ChaosRun
{
    private enum Kind { KillWorker, RestartRedis, RestartPostgres }

    private sealed record Event(Kind Kind, double At);

    public static async Task<int> RunAsync(ChaosOptions o, TextWriter output, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        void Say(string line) => output.WriteLine($"[{clock.Elapsed:hh\\:mm\\:ss}] {line}");
        var random = new Random(o.Seed);
        var work = o.Work ?? Path.Combine(Path.GetTempPath(), $"docflow-chaos-{Environment.ProcessId}-{DateTime.UtcNow:yyyyMMddHHmmss}");
        var corpus = new Corpus(o.Samples ?? Path.Combine(Platform.RepoRoot(), "samples"), o.Mix, o.HostileEvery, $"{o.Seed}-{Guid.NewGuid():N}");
        Say($"chaos run: {o.Documents} documents ({corpus.BenignKinds} sample kinds, every {o.HostileEvery}th one of {corpus.HostileKinds} hostile files), " +
            $"{o.Workers} workers x {o.Slots} slot(s), {o.Kills} worker SIGKILLs, {o.RedisRestarts} Redis and {o.PgRestarts} PostgreSQL restarts, seed {o.Seed}; work {work}");

        var settings = new Dictionary<string, string>
        {
            // One client uploads everything: the per-client rate limits would only slow the run down (the load test keeps them).
            ["RateLimit:UploadsPerMinute"] = "0",
            ["RateLimit:FilesPerMinute"] = "0",
            ["RateLimit:UploadBytesPerMinute"] = "0",
        };
        await using var platform = await Platform.StartAsync(work, o.Workers, o.Slots, settings, Say, ct);
        var store = new Store(platform.Database);
        await store.InstallWriteCounterAsync(ct);
        using var api = new Api(platform.Api);
        Say($"platform up: API {platform.Api}, Redis :{platform.RedisPort} (AOF), PostgreSQL :{platform.PgPort}, s3rver :{platform.S3Port}; started in {clock.Elapsed.TotalSeconds:F0} s");

        var events = Schedule(o, random);
        // Job id -> hostile: only what the checks need (the uploads' bytes kept here grew the tool to ~1 GB over 10,000 documents).
        var accepted = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var progress = new Progress();
        var memory = new ConcurrentDictionary<string, long>();
        var load = new LoadAverage();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);

        var watcher = WatchAsync(store, platform, progress, memory, load, stop.Token);
        var submitted = SubmitAsync(o, corpus, api, accepted, progress, Say, ct);
        var chaos = ChaosAsync(events, o, platform, progress, random, Say, ct);

        // Drain: submission done, every event fired, every job final and the queues empty; stuck when nothing moves.
        var lastFinal = -1;
        var lastMove = Stopwatch.StartNew();
        var stuck = false;
        var lastReport = TimeSpan.Zero;
        Api.Queues? queues = null;
        while (true)
        {
            await Task.Delay(1000, ct);
            if (submitted.IsFaulted) await submitted;
            if (chaos.IsFaulted) await chaos;
            var (total, final) = (Volatile.Read(ref progress.Total), Volatile.Read(ref progress.Final));
            if (final != lastFinal)
            {
                lastFinal = final;
                lastMove.Restart();
            }
            if (clock.Elapsed - lastReport > TimeSpan.FromSeconds(30))
            {
                lastReport = clock.Elapsed;
                Say($"progress: {accepted.Count} accepted, {final}/{total} final, {progress.Events} events done");
            }
            if (submitted.IsCompleted && chaos.IsCompleted && total > 0 && final == total)
            {
                // The last document's report ticket is queued just after its final move: wait for every batch's report too.
                queues = await api.QueuesAsync(ct);
                if (queues is { TotalDepth: 0, TotalInFlight: 0, Delayed: 0 } && await store.TryReportsMissingAsync(ct) == 0) break;
            }
            if (lastMove.Elapsed > o.StuckAfter)
            {
                stuck = true;
                Say($"no job became final for {o.StuckAfter.TotalMinutes:F0} min: stopping");
                break;
            }
        }
        var processingSeconds = clock.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await watcher;

        // ------------------------------------------------------------------ the checks
        var violations = new List<string>();
        var jobs = (await store.JobsAsync(ct)).ToDictionary(j => j.Id, StringComparer.Ordinal);
        var finals = await store.FinalChangesAsync(ct);
        var writes = await store.ResultWritesAsync(ct);
        var lateWrites = await store.WritesAfterFinalAsync(ct);
        var withResult = await store.JobsWithResultAsync(ct);
        var dead = await api.DeadLettersAsync(ct);
        var (batches, reports) = await store.BatchReportsAsync(ct);
        queues ??= await api.QueuesAsync(ct);
        bool IsHostile(string id) => accepted.TryGetValue(id, out var hostile) ? hostile : jobs.TryGetValue(id, out var j) && j.FileName.Contains("-hostile-", StringComparison.Ordinal);

        var lost = accepted.Keys.Where(id => !jobs.ContainsKey(id)).ToList();
        var notFinal = jobs.Values.Where(j => j.Status is not ("succeeded" or "failed")).ToList();
        var finalTwice = jobs.Values.Where(j => j.Status is "succeeded" or "failed" && finals.GetValueOrDefault(j.Id) != 1).ToList();
        var writtenTwice = writes.Where(w => w.Value > 1).ToList();
        var succeededWithout = jobs.Values.Where(j => j.Status == "succeeded" && !withResult.Contains(j.Id)).ToList();
        var failedWith = jobs.Values.Where(j => j.Status == "failed" && withResult.Contains(j.Id)).ToList();
        var benignFailed = jobs.Values.Where(j => j.Status == "failed" && !IsHostile(j.Id)).ToList();
        var deadOther = dead.Where(d => !IsHostile(d.JobId)).ToList();
        var unanswered = jobs.Keys.Count(id => !accepted.ContainsKey(id));

        Check(lost.Count, "lost (202 but no job in the store)", lost.Take(5));
        Check(notFinal.Count + (stuck ? 1 : 0), "stuck (not final at the end)", notFinal.Take(5).Select(j => $"{j.Id} {j.FileName} {j.Status} attempts {j.Attempts}"));
        Check(finalTwice.Count, "final status recorded other than once", finalTwice.Take(5).Select(j => $"{j.Id} {j.FileName} {finals.GetValueOrDefault(j.Id)}x"));
        Check(lateWrites.Count, "result written after the job was final", lateWrites.Take(5).Select(w => $"{w.Key} {jobs.GetValueOrDefault(w.Key)?.FileName}"));
        Check(writtenTwice.Count, "result written twice", writtenTwice.Take(5).Select(w => $"{w.Key} {jobs.GetValueOrDefault(w.Key)?.FileName} {w.Value} writes, {lateWrites.GetValueOrDefault(w.Key)} after final"));
        Check(succeededWithout.Count, "succeeded without a stored result", succeededWithout.Take(5).Select(j => j.Id));
        Check(failedWith.Count, "failed but a result stored", failedWith.Take(5).Select(j => $"{j.Id} {j.FileName} {j.ErrorCode}"));
        Check(benignFailed.Count, "sample documents failed", benignFailed.Take(5).Select(j => $"{j.FileName}: {j.ErrorCode} {j.ErrorMessage}"));
        Check(deadOther.Count, "dead letters that are not hostile files", deadOther.Take(5).Select(d => $"{d.FileName}: {d.Reason}"));
        Check(api.Violations.Count, "API answers outside 202/429/503+Retry-After", api.Violations.Take(5));
        Check(platform.Serve.HasExited ? 1 : 0, "docflow serve exited", []);
        Check(queues is { TotalDepth: 0, TotalInFlight: 0, Delayed: 0 } ? 0 : 1, "queues not empty at the end", [$"{queues}"]);
        Check(Math.Max(0, batches - reports), "batches without a report (their report job lost)", []);
        Check(progress.Events < events.Count ? events.Count - progress.Events : 0, "chaos events not carried out", []);

        void Check(int count, string what, IEnumerable<string> examples)
        {
            if (count == 0) return;
            violations.Add($"{count} {what}" + (examples.Any() ? ": " + string.Join("; ", examples) : ""));
        }

        var succeeded = jobs.Values.Count(j => j.Status == "succeeded");
        var hostileJobs = jobs.Values.Where(j => IsHostile(j.Id)).ToList();
        var retried = jobs.Values.Count(j => j.Attempts > 1);
        output.WriteLine();
        output.WriteLine("chaos summary");
        output.WriteLine($"  documents submitted      {o.Documents} ({o.Documents - hostileJobs.Count} samples, {hostileJobs.Count} hostile)");
        output.WriteLine($"  accepted (202)           {accepted.Count} (+{unanswered} recorded without an answer seen)");
        output.WriteLine($"  succeeded / failed       {succeeded} / {jobs.Count - succeeded - notFinal.Count} (hostile failed {hostileJobs.Count(j => j.Status == "failed")}, samples failed {benignFailed.Count})");
        output.WriteLine($"  hostile outcomes         {string.Join(", ", hostileJobs.GroupBy(j => j.Status == "failed" ? j.ErrorCode ?? "failed" : j.Status).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"))}");
        output.WriteLine($"  lost / duplicated / stuck {lost.Count} / {finalTwice.Count + writtenTwice.Count} / {notFinal.Count + (stuck ? 1 : 0)}");
        output.WriteLine($"  result writes            {writes.Values.Sum()} for {succeeded} succeeded jobs ({writtenTwice.Count} written more than once, {lateWrites.Values.Sum()} after the final move)");
        output.WriteLine($"  dead letters             {dead.Count} ({dead.Count - deadOther.Count} hostile, {deadOther.Count} other)");
        output.WriteLine($"  jobs delivered again     {retried} (attempts > 1), max attempts {(jobs.Count == 0 ? 0 : jobs.Values.Max(j => j.Attempts))}");
        output.WriteLine($"  batch reports            {reports} of {batches} batches");
        output.WriteLine($"  chaos                    {progress.Kills} worker SIGKILLs, {progress.EngineHosts} engine hosts killed, {progress.RedisRestarts} Redis restarts, {progress.PgRestarts} PostgreSQL restarts ({platform.WorkerStarts} worker starts)");
        output.WriteLine($"  API answers              {string.Join(", ", api.Answers.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}: {a.Value}"))}");
        output.WriteLine($"  peak RSS                 serve {memory.GetValueOrDefault("serve") / 1024} MB, a worker {memory.GetValueOrDefault("worker") / 1024} MB");
        output.WriteLine($"  load average (1 min)     {load.First:F1} at the start, peak {load.Peak:F1}, {load.Last:F1} at the end ({Environment.ProcessorCount} cores)");
        output.WriteLine($"  time                     {processingSeconds:F0} s from start to drained ({jobs.Count / Math.Max(1, processingSeconds):F1} documents/s overall)");
        foreach (var v in violations) output.WriteLine($"  VIOLATION: {v}");
        output.WriteLine(violations.Count == 0 ? "chaos: PASS" : $"chaos: FAIL ({violations.Count} violations)");
        if (!o.Keep && violations.Count == 0)
        {
            await platform.DisposeAsync();
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        return violations.Count == 0 ? 0 : 1;
    }

    /// <summary>Each event fires when that share of the documents is final: spread over the run, seeded.</summary>
    private static List<Event> Schedule(ChaosOptions o, Random random)
    {
        var events = new List<Event>();
        for (var i = 0; i < o.Kills; i++) events.Add(new Event(Kind.KillWorker, 0.02 + random.NextDouble() * 0.85));
        for (var i = 0; i < o.RedisRestarts; i++) events.Add(new Event(Kind.RestartRedis, 0.05 + random.NextDouble() * 0.8));
        for (var i = 0; i < o.PgRestarts; i++) events.Add(new Event(Kind.RestartPostgres, 0.05 + random.NextDouble() * 0.8));
        return [.. events.OrderBy(e => e.At)];
    }

    private sealed class Progress
    {
        public int Total;
        public int Final;
        public int Accepted;
        public int Events;
        public int Kills;
        public int EngineHosts;
        public int RedisRestarts;
        public int PgRestarts;
    }

    private static async Task SubmitAsync(ChaosOptions o, Corpus corpus, Api api, ConcurrentDictionary<string, bool> accepted, Progress progress,
        Action<string> say, CancellationToken ct)
    {
        var next = -1;
        async Task Submitter()
        {
            while (true)
            {
                // Keep a backlog, not the whole run, in the queue: the chaos hits documents being submitted and processed.
                while (Volatile.Read(ref progress.Accepted) - Volatile.Read(ref progress.Final) > o.Backlog) await Task.Delay(200, ct);
                var first = Interlocked.Add(ref next, o.BatchSize) - o.BatchSize + 1;
                if (first >= o.Documents) return;
                var files = Enumerable.Range(first, Math.Min(o.BatchSize, o.Documents - first)).Select(corpus.Make).ToList();
                var byName = files.ToDictionary(f => f.Name, StringComparer.Ordinal);
                foreach (var (name, id) in await api.SubmitBatchAsync(files, ct))
                {
                    accepted[id] = byName[name].Hostile;
                    Interlocked.Increment(ref progress.Accepted);
                }
            }
        }
        await Task.WhenAll(Submitter(), Submitter());
        say($"all {o.Documents} documents submitted");
    }

    private static async Task ChaosAsync(List<Event> events, ChaosOptions o, Platform platform, Progress progress, Random random,
        Action<string> say, CancellationToken ct)
    {
        foreach (var e in events)
        {
            while (Volatile.Read(ref progress.Final) < e.At * o.Documents) await Task.Delay(100, ct);
            switch (e.Kind)
            {
                case Kind.KillWorker:
                    var index = random.Next(platform.Workers.Count);
                    var hosts = platform.KillEngineHosts(random, 1);
                    await platform.KillWorkerAsync(index, TimeSpan.FromMilliseconds(random.Next(0, 1500)), ct);
                    Interlocked.Increment(ref progress.Kills);
                    Interlocked.Add(ref progress.EngineHosts, hosts);
                    say($"SIGKILL worker {index} at {progress.Final} final{(hosts > 0 ? $", and {hosts} engine host(s)" : "")}; started again");
                    break;
                case Kind.RestartRedis:
                    var down = TimeSpan.FromMilliseconds(random.Next(1000, 5000));
                    say($"Redis down for {down.TotalSeconds:F1} s at {progress.Final} final");
                    await platform.RestartRedisAsync(down, ct);
                    Interlocked.Increment(ref progress.RedisRestarts);
                    break;
                case Kind.RestartPostgres:
                    var pgDown = TimeSpan.FromMilliseconds(random.Next(1000, 5000));
                    say($"PostgreSQL down (immediate stop) for {pgDown.TotalSeconds:F1} s at {progress.Final} final");
                    await platform.RestartPostgresAsync(pgDown, ct);
                    Interlocked.Increment(ref progress.PgRestarts);
                    break;
            }
            Interlocked.Increment(ref progress.Events);
        }
    }

    /// <summary>The machine's 1-minute load average (/proc/loadavg) over the run: the run's figures mean little without it
    /// on a shared machine.</summary>
    private sealed class LoadAverage
    {
        public double First = double.NaN;
        public double Peak;
        public double Last = double.NaN;

        public void Sample()
        {
            try
            {
                var text = File.ReadAllText("/proc/loadavg");
                if (!double.TryParse(text.AsSpan(0, text.IndexOf(' ', StringComparison.Ordinal)), System.Globalization.NumberStyles.Float,
                        System.Globalization.CultureInfo.InvariantCulture, out var now)) return;
                if (double.IsNaN(First)) First = now;
                Peak = Math.Max(Peak, now);
                Last = now;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
            {
                // not Linux: no figure
            }
        }
    }

    /// <summary>Every second: the store's counts (kept while the database is down), the peak RSS of serve and the workers,
    /// and the load average.</summary>
    private static async Task WatchAsync(Store store, Platform platform, Progress progress, ConcurrentDictionary<string, long> memory,
        LoadAverage load, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (await store.TryCountAsync(ct) is { } counts)
                {
                    Volatile.Write(ref progress.Total, counts.Total);
                    Volatile.Write(ref progress.Final, counts.Final);
                }
                load.Sample();
                Peak("serve", platform.Serve.MemoryKb().Rss);
                foreach (var w in platform.Workers.ToArray())
                    if (w is not null) Peak("worker", w.MemoryKb().Rss);
                await Task.Delay(1000, ct);
            }
            catch (OperationCanceledException)
            {
                return; // the run is over
            }
        }

        void Peak(string role, long kb) => memory.AddOrUpdate(role, kb, (_, old) => Math.Max(old, kb));
    }
}
