using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace DocFlow.Tools.Bench;

/// <summary>
/// The corpus through the real platform, in real processes: `docflow serve` with embedded workers, or
/// `docflow serve --workers 0` plus `docflow worker` processes on Redis. All share one SQLite store and one blob
/// folder. Each batch is uploaded in one request and polled until it completes (upload → completed, as a client sees it).
/// </summary>
internal sealed class PlatformThroughput : IAsyncDisposable
{
    private readonly List<ChildProcess> _processes = [];
    private readonly HttpClient _http;
    private IReadOnlyList<string> _common = [];
    private IReadOnlyDictionary<string, string> _environment = new Dictionary<string, string>();

    private PlatformThroughput(HttpClient http) => _http = http;

    public sealed record Run(int Docs, int Pages, double Seconds, int Failed, int MaxAttempts)
    {
        /// <summary>Every timed run's seconds, when this is the median of several.</summary>
        public IReadOnlyList<double> AllSeconds { get; init; } = [];

        /// <summary>Seconds of the first batch the set-up processed after it started (NaN when not measured).</summary>
        public double ColdSeconds { get; init; } = double.NaN;

        public double DocsPerSecond => Docs / Seconds;
    }

    /// <param name="embeddedSlots">Worker slots inside `serve` (embedded mode), or 0 for the API alone.</param>
    /// <param name="redis">The broker, when distributed.</param>
    /// <param name="workerSlots">One `docflow worker` process per entry, with that many slots.</param>
    /// <param name="enginesPerWorker">OCR engines of each worker process (Engine:Slots), or null for the default (one per core).</param>
    public static async Task<PlatformThroughput> StartAsync(string dir, int embeddedSlots, string? redis, IReadOnlyList<int> workerSlots,
        int? enginesPerWorker, CancellationToken ct)
    {
        Directory.CreateDirectory(dir);
        var database = Path.Combine(dir, "docflow.db");
        var storage = Path.Combine(dir, "blobs");
        var port = LoopbackRedis.FreePort();
        var env = new Dictionary<string, string>
        {
            ["DOCFLOW__DataDirectory"] = dir,
            // Every timed batch is processed again, not answered from the results of the warm-up.
            ["DOCFLOW__Deduplicate"] = "false",
            ["DOCFLOW__Queue__Redis__KeyPrefix"] = $"bench-{Path.GetFileName(dir)}",
        };
        var common = new List<string> { "--database", database, "--storage", storage };
        if (redis is not null) common.AddRange(["--redis", redis]);

        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromMinutes(5) };
        var platform = new PlatformThroughput(http) { _common = common, _environment = env };
        try
        {
            var serve = ChildProcess.StartProduct(["serve", "--urls", $"http://127.0.0.1:{port}", "--workers", embeddedSlots.ToString(CultureInfo.InvariantCulture), .. common], env);
            platform._processes.Add(serve);
            await platform.WaitHealthyAsync(serve, ct); // serve migrates the SQLite store before the workers open it
            if (embeddedSlots > 0) await serve.WaitForLineAsync(l => l.Contains("Worker started", StringComparison.Ordinal), TimeSpan.FromMinutes(1), ct);
            // Workers start as a user starts them (one OCR engine per core), unless the set-up shares the cores out.
            var workerEnv = new Dictionary<string, string>(env);
            if (enginesPerWorker is { } engines) workerEnv["DOCFLOW__Engine__Slots"] = engines.ToString(CultureInfo.InvariantCulture);
            foreach (var slots in workerSlots)
            {
                var worker = ChildProcess.StartProduct(["worker", "--slots", slots.ToString(CultureInfo.InvariantCulture), .. common], workerEnv);
                platform._processes.Add(worker);
                await worker.WaitForLineAsync(l => l.Contains("Worker started", StringComparison.Ordinal), TimeSpan.FromMinutes(1), ct);
            }
            return platform;
        }
        catch
        {
            await platform.DisposeAsync();
            throw;
        }
    }

    private sealed record Accepted(string BatchId);
    private sealed record BatchBody(string Id, string Status, int Total, int Succeeded, int Failed);
    private sealed record DocBody(string Id, string Status, int? Pages, int Attempts);

    /// <summary>Starts one more `docflow worker` process with <paramref name="slots"/> slots on this platform's store,
    /// blobs and broker, without waiting for it (the caller times its start-up); it is stopped with the platform.</summary>
    public ChildProcess StartWorker(int slots)
    {
        var worker = ChildProcess.StartProduct(["worker", "--slots", slots.ToString(CultureInfo.InvariantCulture), .. _common],
            new Dictionary<string, string>(_environment));
        _processes.Add(worker);
        return worker;
    }

    /// <summary>Uploads the corpus as one batch and times it until the batch is completed.</summary>
    public async Task<Run> RunBatchAsync(IReadOnlyList<CorpusFile> corpus, CancellationToken ct)
    {
        var (batchId, clock) = await SubmitAsync(corpus, ct);
        return await WaitCompletedAsync(batchId, clock, ct);
    }

    /// <summary>Uploads the corpus as one batch; the batch id and a clock started just before the upload.</summary>
    public async Task<(string BatchId, Stopwatch Clock)> SubmitAsync(IReadOnlyList<CorpusFile> corpus, CancellationToken ct)
    {
        using var form = new MultipartFormDataContent();
        foreach (var input in corpus)
        {
            var part = new ByteArrayContent(await File.ReadAllBytesAsync(input.Path, ct));
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "files", input.RelativeName);
        }
        var clock = Stopwatch.StartNew();
        using var response = await _http.PostAsync("api/v1/batches", form, ct);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"upload answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        return ((await response.Content.ReadFromJsonAsync<Accepted>(JsonSerializerOptions.Web, ct))!.BatchId, clock);
    }

    /// <summary>Polls the batch until it is completed; its figures, timed by <paramref name="clock"/>.</summary>
    public async Task<Run> WaitCompletedAsync(string batchId, Stopwatch clock, CancellationToken ct)
    {
        BatchBody batch;
        while ((batch = (await _http.GetFromJsonAsync<BatchBody>($"api/v1/batches/{batchId}", JsonSerializerOptions.Web, ct))!).Status != "completed")
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException($"batch {batchId} not completed after 10 minutes");
            await Task.Delay(25, ct);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var docs = (await _http.GetFromJsonAsync<List<DocBody>>($"api/v1/batches/{batchId}/documents", JsonSerializerOptions.Web, ct))!;
        return new Run(batch.Total, docs.Sum(d => d.Pages ?? 0), seconds, batch.Failed, docs.Count == 0 ? 0 : docs.Max(d => d.Attempts));
    }

    private async Task WaitHealthyAsync(ChildProcess serve, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (serve.HasExited) throw new InvalidOperationException($"docflow serve exited:\n{serve.Tail()}");
            try
            {
                using var r = await _http.GetAsync("readyz", ct);
                if (r.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            if (clock.Elapsed > TimeSpan.FromMinutes(1)) throw new InvalidOperationException($"docflow serve not ready after 1 minute:\n{serve.Tail()}");
            await Task.Delay(100, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        // Workers first (SIGTERM: they finish nothing, the queue is empty), then the API.
        for (var i = _processes.Count - 1; i >= 0; i--) await _processes[i].DisposeAsync();
    }
}
