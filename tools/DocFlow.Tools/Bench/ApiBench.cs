using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DocFlow.Samples;
using Spectre.Console;

namespace DocFlow.Tools.Bench;

/// <summary>
/// The cost of authentication and audit on API throughput. Two real `docflow serve` processes run side by side on
/// copies of one prepared store (one processed document), both with no worker slots (uploads are accepted and queued,
/// never processed, so the API is what is measured) and the per-client rate limits off:
/// <list type="bullet">
/// <item><b>off</b>: loopback open mode, audit off (<c>Audit:Enabled=false</c>): no credentials checked, nothing audited;</item>
/// <item><b>on</b>: <c>Auth:Required=true</c>, every request with a submitter API key (<c>X-Api-Key</c>), audit on.</item>
/// </list>
/// A C# client with N connections then, for a fixed time each, uploads small documents (a unique one per request,
/// counting 202s), reads the stored result (GET …/result, a content read: audited) and reads the job record
/// (GET …/{id}). Runs alternate off/on, on/off (ABBA) to cancel drift on a shared machine; medians are compared. With --together both servers are loaded at the same time instead (same load for both).
/// </summary>
internal static class ApiBench
{
    public const double TargetPercent = 3.0;

    private static readonly string[] AllKinds = ["upload", "result", "metadata"];

    /// <summary>The request kinds to run (<c>--only upload,result,metadata</c>; default all, in that order).</summary>
    internal static string[] KindsOf(string? only)
    {
        if (string.IsNullOrWhiteSpace(only)) return AllKinds;
        var asked = only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var kind in asked)
            if (!AllKinds.Contains(kind))
                throw new ToolException($"--only: unknown request kind '{kind}' (api: {string.Join(", ", AllKinds)})");
        return [.. AllKinds.Where(asked.Contains)];
    }

    /// <summary>One timed run: successful requests a second; the server's CPU time per request (ms), which other load on
    /// a shared machine moves far less than the rate; its threads at the run's end; and its garbage collections in the
    /// run, per 1,000 requests, with the collector's pause per request (µs), from the server's own /metrics.</summary>
    internal sealed record Measurement(double Rate, double CpuMs, int Threads = 0, double GcPerThousand = double.NaN, double GcPauseUs = double.NaN);

    public static async Task<int> RunAsync(BenchSettings settings, string work, CancellationToken ct)
    {
        var repeat = Math.Max(1, settings.Repeat);
        var kinds = KindsOf(settings.Only);
        var duration = TimeSpan.FromSeconds(settings.Seconds);
        var loadBefore = LoadAverage();
        AnsiConsole.MarkupLineInterpolated(
            $"API bench: {Environment.ProcessorCount} cores, {settings.Connections} connections, {settings.Seconds:F1} s per run, median of {repeat} round(s), {(settings.Together ? "both servers loaded together" : "off/on alternating (ABBA)")}{(settings.Control ? ", with a control server" : "")}, {(settings.KeepServers ? "the same processes throughout" : "new server processes every round")}, load average {loadBefore}; scratch [blue]{work}[/]");

        // 1. One prepared store: a small text-layer PDF processed by `serve --workers 1`.
        var (document, upload) = SmallDocuments(BenchSettings.DefaultCorpus, work);
        var prepared = Path.Combine(work, "prepared");
        var documentId = await PrepareAsync(prepared, document, ct);
        AnsiConsole.MarkupLineInterpolated($"prepared store: {Path.GetFileName(document)} processed as {documentId}; uploads send {Path.GetFileName(upload)} ({new FileInfo(upload).Length:N0} bytes, unique per request)");

        // 2. Each server's store: a copy of the prepared one ('on' with its keys, made as an operator makes them).
        var offTemplate = Copy(prepared, Path.Combine(work, "off"));
        var onTemplate = Copy(prepared, Path.Combine(work, "on"));
        var key = await CreateKeyAsync(onTemplate, "submitter", ct);
        var auditor = await CreateKeyAsync(onTemplate, "auditor", ct);
        // /metrics (the garbage collector's counts and pauses) needs an operator on the 'on' server.
        var operatorKey = await CreateKeyAsync(onTemplate, "operator", ct);
        var uploadBytes = await File.ReadAllBytesAsync(upload, ct);
        var names = settings.Control ? new[] { "off", "on", "control" } : ["off", "on"];
        var rates = kinds.ToDictionary(k => k, _ => names.ToDictionary(n => n, _ => new List<double>()));
        var cpu = kinds.ToDictionary(k => k, _ => names.ToDictionary(n => n, _ => new List<double>()));
        var threads = kinds.ToDictionary(k => k, _ => names.ToDictionary(n => n, _ => new List<double>()));
        var gcs = kinds.ToDictionary(k => k, _ => names.ToDictionary(n => n, _ => new List<double>()));
        var pauses = kinds.ToDictionary(k => k, _ => names.ToDictionary(n => n, _ => new List<double>()));
        long audited = 0;
        ServerSet? set = null;
        try
        {
            for (var round = 0; round < repeat; round++)
            {
                // 3. The servers: new processes on new copies of the stores every round (unless --keep-servers), so that
                // what sets one process apart from another (code layout, JIT decisions, heap) is drawn anew each round
                // and the medians average over it instead of carrying one draw through the whole run. --control: a
                // second 'off' server set up exactly as the first, measured in the same rounds: what two identical
                // processes differ by, the noise band of the 'on' cost.
                if (set is null || !settings.KeepServers)
                {
                    if (set is not null) audited += await set.DisposeAsync(auditor, ct);
                    set = await ServerSet.StartAsync(work, round, offTemplate, onTemplate, key, auditor, operatorKey, settings, ct);
                    // Warm-up (JIT, connection pools, SQLite caches): every kind against every server, untimed.
                    foreach (var server in set.Servers)
                        foreach (var kind in kinds)
                            await server.RunAsync(kind, documentId, uploadBytes, TimeSpan.FromSeconds(Math.Min(3, settings.Seconds)), ct);
                }
                AnsiConsole.MarkupLineInterpolated($"[grey]round {round + 1}/{repeat}[/] (load {LoadAverage()})");
                var (off, on, control) = (set.Servers[0], set.Servers[1], set.Servers.Length > 2 ? set.Servers[2] : null);
                foreach (var kind in kinds)
                {
                    // Each server measured twice, mirrored (ABBA), and over the rounds in every position: with a control
                    // the three are rotated round by round (off-on-control, on-control-off, control-off-on), so no
                    // server keeps the middle place, the one between two others' runs, throughout.
                    Server[] order = control is null
                        ? round % 2 == 0 ? [off, on, on, off] : [on, off, off, on]
                        : Mirrored(Rotated([off, on, control], round));
                    var pair = set.Servers.ToDictionary(s => s.Name, _ => new List<Measurement>());
                    if (settings.Together)
                    {
                        var all = await Task.WhenAll(set.Servers.Select(s => s.RunAsync(kind, documentId, uploadBytes, duration, ct)));
                        for (var i = 0; i < set.Servers.Length; i++) pair[set.Servers[i].Name].Add(all[i]);
                    }
                    else
                        foreach (var server in order)
                        {
                            var run = await server.RunAsync(kind, documentId, uploadBytes, duration, ct);
                            pair[server.Name].Add(run);
                        }
                    foreach (var (name, values) in pair)
                    {
                        rates[kind][name].Add(values.Average(v => v.Rate));
                        cpu[kind][name].Add(values.Average(v => v.CpuMs));
                        threads[kind][name].Add(values.Max(v => v.Threads));
                        gcs[kind][name].Add(values.Average(v => v.GcPerThousand));
                        pauses[kind][name].Add(values.Average(v => v.GcPauseUs));
                    }
                }
            }
        }
        finally
        {
            if (set is not null) audited += await set.DisposeAsync(auditor, ct);
        }

        // 5. The figures.
        var rows = new List<DistributedBench.Row>();
        var worst = 0.0;
        // Each round's servers ran under the same load, one after the other (ABBA), so the cost is taken round by round
        // (the 'on' server against the 'off' server of its own round) and the median of those paired costs is reported:
        // a round the machine made slower moves both sides of its pair, not the figure. The control's paired difference,
        // taken the same way, is the band two identical processes differ by.
        foreach (var kind in kinds)
        {
            var offRate = Median(rates[kind]["off"]);
            var onRate = Median(rates[kind]["on"]);
            var cost = PairedCost(rates[kind]["off"], rates[kind]["on"]);
            worst = Math.Max(worst, cost);
            rows.Add(new DistributedBench.Row($"{Describe(kind)}: auth off / on (req/s)",
                $"{offRate:F0} / {onRate:F0} (rounds off {Runs(rates[kind]["off"])}; on {Runs(rates[kind]["on"])})"));
            rows.Add(new DistributedBench.Row($"{Describe(kind)}: cost of authentication and audit (throughput, median of the rounds' paired costs)",
                $"{cost:+0.0;-0.0} % (rounds {Costs(rates[kind]["off"], rates[kind]["on"])})", $"≤ {TargetPercent:F0} %", cost <= TargetPercent));
            var offCpu = Median(cpu[kind]["off"]);
            var onCpu = Median(cpu[kind]["on"]);
            rows.Add(new DistributedBench.Row($"{Describe(kind)}: server CPU per request, off / on",
                $"{offCpu:F3} / {onCpu:F3} ms, paired {-PairedCost(cpu[kind]["off"], cpu[kind]["on"]):+0.0;-0.0} % (rounds {CpuCosts(cpu[kind]["off"], cpu[kind]["on"])})"));
            rows.Add(new DistributedBench.Row($"{Describe(kind)}: server threads at the end of the runs, off / on",
                $"off {Runs(threads[kind]["off"])}; on {Runs(threads[kind]["on"])}" + (settings.Control ? $"; control {Runs(threads[kind]["control"])}" : "")));
            rows.Add(new DistributedBench.Row($"{Describe(kind)}: garbage collections per 1,000 requests / collector pause per request (µs), medians",
                string.Join("; ", names.Select(n => $"{n} {Median(gcs[kind][n]):F1} / {Median(pauses[kind][n]):F1}"))));
            if (settings.Control)
            {
                var controlCost = PairedCost(rates[kind]["off"], rates[kind]["control"]);
                var controlCpu = -PairedCost(cpu[kind]["off"], cpu[kind]["control"]);
                rows.Add(new DistributedBench.Row($"{Describe(kind)}: control (a second 'off' server) against off, paired",
                    $"{controlCost:+0.0;-0.0} % throughput (rounds {Costs(rates[kind]["off"], rates[kind]["control"])}), {controlCpu:+0.0;-0.0} % CPU per request (rounds {CpuCosts(cpu[kind]["off"], cpu[kind]["control"])})"));
            }
        }
        rows.Add(new DistributedBench.Row("audit entries written by the 'on' server", audited.ToString("N0", CultureInfo.InvariantCulture)));
        rows.Add(new DistributedBench.Row("load average (1/5/15 min) before / after", $"{loadBefore} / {LoadAverage()}"));
        Write(rows, work);
        return 0;
    }

    private static string Describe(string kind) => kind switch
    {
        "upload" => "upload (POST /api/v1/documents, 202)",
        "result" => "read result (GET /api/v1/documents/{id}/result)",
        _ => "read job record (GET /api/v1/documents/{id})",
    };

    private static Server[] Rotated(Server[] servers, int by) => [.. servers.Skip(by % servers.Length), .. servers.Take(by % servers.Length)];

    private static Server[] Mirrored(Server[] servers) => [.. servers, .. servers.Reverse()];

    /// <summary>The median over rounds of (off − on) / off, in per cent: each round's 'on' against its own round's 'off'.</summary>
    internal static double PairedCost(IReadOnlyList<double> off, IReadOnlyList<double> on) =>
        Median(off.Zip(on, (a, b) => (a - b) / a * 100).ToList());

    private static string Costs(IReadOnlyList<double> off, IReadOnlyList<double> on) =>
        string.Join(" / ", off.Zip(on, (a, b) => Signed((a - b) / a * 100)));

    private static string CpuCosts(IReadOnlyList<double> off, IReadOnlyList<double> on) =>
        string.Join(" / ", off.Zip(on, (a, b) => Signed((b / a - 1) * 100)));

    /// <summary>"+1.2" / "-1.2"; a value that rounds to zero is "+0.0" (not "-+0.0", what a negative section prints then).</summary>
    internal static string Signed(double percent) => (Math.Round(percent, 1) + 0.0).ToString("+0.0;-0.0;+0.0", CultureInfo.InvariantCulture);

    private static string Runs(List<double> values) => string.Join(" / ", values.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)));


    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>The document processed once (the smallest text-layer PDF of the corpus), and the one uploaded.</summary>
    private static (string Processed, string Uploaded) SmallDocuments(string corpus, string work)
    {
        if (!Directory.Exists(corpus))
        {
            corpus = Path.Combine(work, "samples");
            if (!Directory.Exists(corpus)) SampleCorpus.Generate(corpus, SampleCorpus.DefaultSeed);
        }
        var pdfs = ProductProcess.Corpus(corpus).Where(f => f.Path.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase))
            .Select(f => f.Path).OrderBy(p => new FileInfo(p).Length).ToList();
        var digital = pdfs.Where(p => Path.GetFileName(p).Contains("digital", StringComparison.Ordinal)).ToList();
        if (pdfs.Count == 0) throw new ToolException($"no PDF in {corpus}");
        var processed = digital.FirstOrDefault() ?? pdfs[0];
        return (processed, pdfs[0]);
    }

    /// <summary>`serve --workers 1` on a new store: the document uploaded and processed, the server stopped.</summary>
    private static async Task<string> PrepareAsync(string dir, string document, CancellationToken ct)
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        var port = LoopbackRedis.FreePort();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromMinutes(2) };
        await using var serve = ChildProcess.StartProduct(["serve", "--urls", $"http://127.0.0.1:{port}", "--workers", "1",
            "--database", Path.Combine(dir, "docflow.db"), "--storage", Path.Combine(dir, "blobs")], new Dictionary<string, string> { ["DOCFLOW__DataDirectory"] = dir });
        await WaitReadyAsync(http, serve, ct);
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(await File.ReadAllBytesAsync(document, ct));
        part.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        form.Add(part, "file", Path.GetFileName(document));
        using var response = await http.PostAsync("api/v1/documents", form, ct);
        if (response.StatusCode != HttpStatusCode.Accepted)
            throw new ToolException($"the prepared upload answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(JsonSerializerOptions.Web, ct)).GetProperty("id").GetString()!;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = (await http.GetFromJsonAsync<JsonElement>($"api/v1/documents/{id}", JsonSerializerOptions.Web, ct)).GetProperty("status").GetString();
            if (status == "succeeded") break;
            if (status == "failed") throw new ToolException($"the prepared document {id} failed");
            if (clock.Elapsed > TimeSpan.FromMinutes(2)) throw new ToolException($"the prepared document {id} is still {status} after 2 minutes");
            await Task.Delay(100, ct);
        }
        await serve.StopAsync(TimeSpan.FromSeconds(30));
        return id;
    }

    private static string Copy(string from, string to)
    {
        if (Directory.Exists(to)) Directory.Delete(to, recursive: true);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return to;
    }

    /// <summary>A key (the bench's requests: submitter, uploads and reads) made as an operator makes one: `docflow keys create`.</summary>
    private static async Task<string> CreateKeyAsync(string dir, string role, CancellationToken ct)
    {
        await using var create = ChildProcess.StartProduct(["keys", "create", "--role", role, "--name", "bench", "--database", Path.Combine(dir, "docflow.db")]);
        var code = await create.WaitForExitAsync(TimeSpan.FromMinutes(1), ct);
        var key = create.Output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("dfk_", StringComparison.Ordinal));
        return code == 0 && key is not null ? key : throw new ToolException($"docflow keys create failed ({code}):\n{create.Tail()}");
    }

    internal static async Task WaitReadyAsync(HttpClient http, ChildProcess serve, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (serve.HasExited) throw new ToolException($"docflow serve exited:\n{serve.Tail()}");
            try
            {
                using var r = await http.GetAsync("readyz", ct);
                if (r.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            if (clock.Elapsed > TimeSpan.FromMinutes(1)) throw new ToolException($"docflow serve not ready after 1 minute:\n{serve.Tail()}");
            await Task.Delay(100, ct);
        }
    }

    /// <summary>The servers of a round, each on its own new copy of its store.</summary>
    private sealed class ServerSet
    {
        private ServerSet(Server[] servers, string[] dirs)
        {
            Servers = servers;
            _dirs = dirs;
        }

        private readonly string[] _dirs;

        /// <summary>off, on, and the control when asked for.</summary>
        public Server[] Servers { get; }

        public static async Task<ServerSet> StartAsync(string work, int round, string offTemplate, string onTemplate, string key, string auditor, string operatorKey, BenchSettings settings, CancellationToken ct)
        {
            var offDir = Copy(offTemplate, Path.Combine(work, $"off-{round}"));
            var onDir = Copy(onTemplate, Path.Combine(work, $"on-{round}"));
            string[] dirs = settings.Control ? [offDir, onDir, Copy(offTemplate, Path.Combine(work, $"control-{round}"))] : [offDir, onDir];
            var servers = new List<Server>();
            try
            {
                servers.Add(await Server.StartAsync("off", offDir, null, settings.Connections, ct));
                var on = await Server.StartAsync("on", onDir, key, settings.Connections, ct);
                on.AuditorKey = auditor;
                on.OperatorKey = operatorKey;
                servers.Add(on);
                if (settings.Control) servers.Add(await Server.StartAsync("control", dirs[2], null, settings.Connections, ct));
                return new ServerSet([.. servers], dirs);
            }
            catch
            {
                foreach (var server in servers) await server.DisposeAsync();
                throw;
            }
        }

        /// <summary>Stops the servers and removes their stores; returns the audit entries the 'on' server wrote.</summary>
        public async Task<long> DisposeAsync(string auditorKey, CancellationToken ct)
        {
            var audited = await Servers[1].AuditCountAsync(auditorKey, ct);
            foreach (var server in Servers) await server.DisposeAsync();
            foreach (var dir in _dirs)
            {
                try
                {
                    Directory.Delete(dir, recursive: true);
                }
                catch (IOException)
                {
                    // a scratch folder; the bench's own is removed with it later
                }
            }
            return Math.Max(0, audited);
        }
    }

    /// <summary>One of the two servers, and a client with N connections to it.</summary>
    private sealed class Server : IAsyncDisposable
    {
        private readonly ChildProcess _process;
        private readonly HttpClient _http;
        private readonly int _connections;
        private long _nonce;

        private Server(string name, ChildProcess process, HttpClient http, int connections)
        {
            Name = name;
            _process = process;
            _http = http;
            _connections = connections;
        }

        public string Name { get; }

        /// <summary>The 'on' server's auditor key: each run ends when the audit entries its requests handed over are
        /// written (GET /api/v1/audit waits for them), so the writer's work is charged to the requests that caused it
        /// and not to the next kind's run (before session 13 a job-record read after the result reads paid for the
        /// result reads' audit entries: +7.1 % CPU against +3.3 % run alone).</summary>
        public string? AuditorKey { get; set; }

        /// <summary>The 'on' server's operator key, for its /metrics.</summary>
        public string? OperatorKey { get; set; }

        public static async Task<Server> StartAsync(string name, string dir, string? key, int connections, CancellationToken ct)
        {
            var port = LoopbackRedis.FreePort();
            var env = new Dictionary<string, string>
            {
                ["DOCFLOW__DataDirectory"] = dir,
                // Never refused for volume: what is measured is the API's own work.
                ["DOCFLOW__MaxQueueDepth"] = "1000000000",
                ["DOCFLOW__RateLimit__UploadsPerMinute"] = "0",
                ["DOCFLOW__RateLimit__FilesPerMinute"] = "0",
                ["DOCFLOW__RateLimit__UploadBytesPerMinute"] = "0",
                ["DOCFLOW__RateLimit__ExpensiveReadsPerMinute"] = "0",
                // Request logging would be the same on both sides; quiet keeps the bench's own output readable.
                ["Logging__LogLevel__Default"] = "Warning",
            };
            if (key is null) env["DOCFLOW__Audit__Enabled"] = "false";
            else env["DOCFLOW__Auth__Required"] = "true";
            var process = ChildProcess.StartProduct(["serve", "--urls", $"http://127.0.0.1:{port}", "--workers", "0",
                "--database", Path.Combine(dir, "docflow.db"), "--storage", Path.Combine(dir, "blobs")], env);
            var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
            var http = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromMinutes(1) };
            if (key is not null) http.DefaultRequestHeaders.Add("X-Api-Key", key);
            var server = new Server(name, process, http, connections);
            try
            {
                await WaitReadyAsync(http, process, ct);
                // The mode is what the bench says it is.
                using var anonymous = new HttpClient { BaseAddress = http.BaseAddress };
                using var probe = await anonymous.GetAsync("api/v1/jobs", ct);
                var expected = key is null ? HttpStatusCode.OK : HttpStatusCode.Unauthorized;
                if (probe.StatusCode != expected)
                    throw new ToolException($"the '{name}' server answered an anonymous GET /api/v1/jobs with {(int)probe.StatusCode}, not {(int)expected}");
                return server;
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }

        /// <summary>Requests of one kind on every connection for <paramref name="duration"/>; successful requests per second.
        /// Any other answer stops the bench.</summary>
        public async Task<Measurement> RunAsync(string kind, string documentId, byte[] upload, TimeSpan duration, CancellationToken ct)
        {
            long done = 0;
            var gcBefore = await GcAsync(ct);
            var cpuBefore = CpuSeconds(_process.Id);
            var clock = Stopwatch.StartNew();
            var loops = Enumerable.Range(0, _connections).Select(async _ =>
            {
                while (clock.Elapsed < duration)
                {
                    using var request = Request(kind, documentId, upload);
                    using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
                    var expected = kind == "upload" ? HttpStatusCode.Accepted : HttpStatusCode.OK;
                    if (response.StatusCode != expected)
                        throw new ToolException($"{Name}: {request.Method} {request.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
                    Interlocked.Increment(ref done);
                }
            }).ToList();
            await Task.WhenAll(loops);
            if (AuditorKey is not null && await AuditCountAsync(AuditorKey, ct) < 0)
                throw new ToolException($"{Name}: the audit log could not be read with the auditor key");
            var seconds = clock.Elapsed.TotalSeconds;
            var cpu = CpuSeconds(_process.Id) - cpuBefore;
            var gcAfter = await GcAsync(ct);
            return new Measurement(done / seconds, done == 0 ? double.NaN : cpu * 1000 / done, Threads(_process.Id),
                done == 0 ? double.NaN : (gcAfter.Collections - gcBefore.Collections) * 1000.0 / done,
                done == 0 ? double.NaN : (gcAfter.PauseSeconds - gcBefore.PauseSeconds) * 1e6 / done);
        }

        /// <summary>The server's garbage collections so far (all generations) and the collector's total pause, from its
        /// /metrics (the runtime's own meters); NaN when they cannot be read.</summary>
        private async Task<(double Collections, double PauseSeconds)> GcAsync(CancellationToken ct)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "metrics");
                if (OperatorKey is not null) request.Headers.Add("X-Api-Key", OperatorKey);
                using var response = await _http.SendAsync(request, ct);
                if (!response.IsSuccessStatusCode) return (double.NaN, double.NaN);
                return GcOf(await response.Content.ReadAsStringAsync(ct));
            }
            catch (HttpRequestException)
            {
                return (double.NaN, double.NaN);
            }
        }

        /// <summary>The sum of <c>dotnet_gc_collections_total</c> over its generations and <c>dotnet_gc_pause_time_seconds_total</c>
        /// in a Prometheus text exposition.</summary>
        internal static (double Collections, double PauseSeconds) GcOf(string metrics)
        {
            double collections = 0, pause = double.NaN;
            var seen = false;
            foreach (var line in metrics.Split('\n'))
            {
                if (line.StartsWith("dotnet_gc_collections_total", StringComparison.Ordinal))
                {
                    collections += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
                    seen = true;
                }
                else if (line.StartsWith("dotnet_gc_pause_time_seconds_total", StringComparison.Ordinal))
                    pause = double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
            return (seen ? collections : double.NaN, pause);
        }

        /// <summary>The process's threads now (/proc/PID/status), 0 when unknown: the thread pool grows when requests
        /// block (SQLite's calls are synchronous), and a process with more threads switches more.</summary>
        private static int Threads(int pid)
        {
            try
            {
                var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("Threads:", StringComparison.Ordinal));
                return line is null ? 0 : int.Parse(line["Threads:".Length..].Trim(), CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                return 0;
            }
        }

        /// <summary>CPU time (user + system) the process has used so far, from /proc/PID/stat.</summary>
        private static double CpuSeconds(int pid)
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After "pid (comm) ": state is field 3, utime 14 and stime 15 (1-based), in clock ticks (100 a second on Linux).
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        }

        private HttpRequestMessage Request(string kind, string documentId, byte[] upload)
        {
            switch (kind)
            {
                case "upload":
                    // A unique document per request (a PDF comment after %%EOF), as real uploads are.
                    var nonce = Encoding.ASCII.GetBytes($"\n% bench {Name} {Interlocked.Increment(ref _nonce)} {Guid.NewGuid():N}\n");
                    var part = new ByteArrayContent([.. upload, .. nonce]);
                    part.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
                    return new HttpRequestMessage(HttpMethod.Post, "api/v1/documents") { Content = new MultipartFormDataContent { { part, "file", "bench.pdf" } } };
                case "result":
                    return new HttpRequestMessage(HttpMethod.Get, $"api/v1/documents/{documentId}/result");
                default:
                    return new HttpRequestMessage(HttpMethod.Get, $"api/v1/documents/{documentId}");
            }
        }

        /// <summary>Entries in the audit log: the sequence of the newest (GET /api/v1/audit?limit=1 with an auditor key).</summary>
        public async Task<long> AuditCountAsync(string auditorKey, CancellationToken ct)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/audit?limit=1");
            request.Headers.Add("X-Api-Key", auditorKey);
            using var response = await _http.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode) return -1;
            var items = (await response.Content.ReadFromJsonAsync<JsonElement>(JsonSerializerOptions.Web, ct)).GetProperty("items");
            return items.GetArrayLength() == 0 ? 0 : items[0].GetProperty("sequence").GetInt64();
        }

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            await _process.DisposeAsync();
        }
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

    private static void Write(List<DistributedBench.Row> rows, string work)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Measure").AddColumn("Result").AddColumn("Target").AddColumn("");
        foreach (var r in rows)
            table.AddRow(Markup.Escape(r.Measure), Markup.Escape(r.Result), Markup.Escape(r.Target),
                r.Met switch { true => "[green]met[/]", false => "[red]NOT met[/]", null => "" });
        AnsiConsole.Write(table);
        var md = Path.Combine(work, "bench-api.md");
        File.WriteAllLines(md, ["| measure | result | target | |", "| --- | --- | --- | --- |",
            .. rows.Select(r => $"| {r.Measure} | {r.Result} | {r.Target} | {r.Verdict} |")]);
        AnsiConsole.MarkupLineInterpolated($"Figures also written to [blue]{md}[/]");
    }
}
