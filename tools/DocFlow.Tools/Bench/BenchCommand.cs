using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using DocFlow.Engine;
using DocFlow.Engine.Imaging;
using DocFlow.Engine.Sniffing;
using DocFlow.Processing;
using DocFlow.Samples;
using Spectre.Console;
using ValidationResult = Spectre.Console.ValidationResult;
using Spectre.Console.Cli;

namespace DocFlow.Tools.Bench;

public sealed class BenchSettings : CommandSettings
{
    public const string DefaultCorpus = "samples";

    /// <summary>`docflow bench api`: the word in place of the corpus folder.</summary>
    public const string ApiMode = "api";

    /// <summary>`docflow bench cloud`: the cloud engine against a fake Document AI endpoint (docs/engines.md).</summary>
    public const string CloudMode = "cloud";

    [CommandArgument(0, "[DIR]")]
    [Description("Corpus folder; `api` to measure what authentication and the audit trail cost the HTTP API (uploads and reads against `docflow serve` with auth off and on); `cloud` for the cloud engine against a fake Document AI endpoint (quota, RSS, an outage); `outputs` for the searchable PDF's cost and size against OCR (a 20-page scan). Default: samples (made when missing).")]
    public string Directory { get; init; } = DefaultCorpus;

    [CommandOption("--connections <N>")]
    [Description("api: concurrent HTTP connections of the client. Default: 16.")]
    [DefaultValue(16)]
    public int Connections { get; init; } = 16;

    [CommandOption("--seconds <S>")]
    [Description("api: seconds of each timed run (one kind of request against one server). Default: 5.")]
    [DefaultValue(5.0)]
    public double Seconds { get; init; } = 5;

    [CommandOption("--keep-servers")]
    [Description("api: the same server processes for every round (default: new processes on new copies of the stores every round, so the medians average over what sets one process apart from another).")]
    public bool KeepServers { get; init; }

    [CommandOption("--control")]
    [Description("api: a third server set up exactly as 'off', measured in the same rounds: how much two identical processes differ (the noise band of the cost).")]
    public bool Control { get; init; }

    [CommandOption("--together")]
    [Description("api: load both servers at the same time (N connections each) instead of one after the other: on a shared, busy machine both see the same load.")]
    public bool Together { get; init; }

    [CommandOption("--repeat <N>")]
    [Description("Runs per measurement; the median is reported. Default: 1.")]
    [DefaultValue(1)]
    public int Repeat { get; init; } = 1;

    [CommandOption("--work <DIR>")]
    [Description("Scratch folder for outputs. Default: a new temporary folder.")]
    public string? Work { get; init; }

    [CommandOption("--sandbox <MODE>")]
    [Description("Engine sandbox of the `docflow process` runs: off (its default), on, or compare: only the corpus through `docflow process` with the sandbox off and on, runs interleaved, side by side (docs/benchmarks.md, \"Engine sandbox\").")]
    [DefaultValue("off")]
    public string Sandbox { get; init; } = "off";

    [CommandOption("--warm <N>")]
    [Description("--sandbox compare: besides the cold `docflow process` runs, the steady state: N passes of the corpus through two running `docflow serve` (sandbox off and on, passes interleaved) after a first pass that is left out; 0 skips it. Default: 5.")]
    [DefaultValue(5)]
    public int Warm { get; init; } = 5;

    [CommandOption("--distributed")]
    [Description("Measure the distributed platform instead: broker overhead (vs the Celery peer), documents embedded vs 1 and 2 worker processes on Redis, a simulated remote engine, the express lane. Starts its own redis-server.")]
    public bool Distributed { get; init; }

    [CommandOption("--warmup <N>")]
    [Description("--distributed: untimed batches of the corpus each platform set-up processes before the timed ones, so every worker process runs warm, as long-running workers do. Default: 5.")]
    [DefaultValue(5)]
    public int Warmup { get; init; } = 5;

    [CommandOption("--only <PARTS>")]
    [Description("--distributed: comma-separated parts to run: broker, documents, remote, express, split. api: request kinds: upload, result, metadata. Default: all.")]
    public string? Only { get; init; }

    [CommandOption("--split-pages <N>")]
    [Description("--distributed: pages of the long scan split across worker processes (a sample scan repeated). Default: 40.")]
    [DefaultValue(40)]
    public int SplitPages { get; init; } = 40;

    [CommandOption("--jobs <N>")]
    [Description("--distributed: no-op jobs through the Redis queue. Default: 20000.")]
    [DefaultValue(20_000)]
    public int Jobs { get; init; } = 20_000;

    [CommandOption("--celery-jobs <N>")]
    [Description("--distributed: no-op tasks for the Celery peer (run.sh --noop N; about 40 tasks/s, so fewer than --jobs); 0 skips it. Default: 1000.")]
    [DefaultValue(1_000)]
    public int CeleryJobs { get; init; } = 1_000;

    [CommandOption("--celery <DIR>")]
    [Description("--distributed: the Celery peer's folder (with run.sh). Default: DOCFLOW_CELERY_PEER; without either the row says \"n/a: peer not given\".")]
    public string? Celery { get; init; }

    [CommandOption("--remote-docs <N>")]
    [Description("--distributed: documents through the simulated remote engine (2.3 s each). Default: 1000.")]
    [DefaultValue(1_000)]
    public int RemoteDocs { get; init; } = 1_000;

    [CommandOption("--remote-slots <N>")]
    [Description("--distributed: slots of the worker process in front of the simulated remote engine. Default: 256.")]
    [DefaultValue(256)]
    public int RemoteSlots { get; init; } = 256;

    [CommandOption("--express-normal <N>")]
    [Description("--distributed: normal jobs queued ahead of the express jobs. Default: 10000.")]
    [DefaultValue(10_000)]
    public int ExpressNormal { get; init; } = 10_000;

    [CommandOption("--quota <N>")]
    [Description("cloud: requests per minute allowed to the cloud engine. Default: 600 (Google's online quota).")]
    [DefaultValue(600)]
    public int Quota { get; init; } = 600;

    [CommandOption("--cloud-latency-ms <MS>")]
    [Description("cloud: latency of the fake Document AI endpoint. Default: 2300.")]
    [DefaultValue(2300)]
    public int CloudLatencyMs { get; init; } = 2300;

    [CommandOption("--outage <S>")]
    [Description("cloud: seconds the fake is down in the outage run. Default: 60.")]
    [DefaultValue(60)]
    public int Outage { get; init; } = 60;

    [CommandOption("--cloud-rate <R>")]
    [Description("cloud: documents a second arriving in the outage run (0 in the child: all at once). Default: 8.")]
    [DefaultValue(8.0)]
    public double CloudRate { get; init; } = 8;

    [CommandOption("--cloud-docs <N>")]
    [Description("cloud: documents of the run within the quota (enough for more than a minute, so its busiest 60 s is a whole window). Default: 9000.")]
    [DefaultValue(9_000)]
    public int CloudDocs { get; init; } = 9_000;

    [CommandOption("--pack-pages <N>")]
    [Description("cloud: request packing, most pages in one request (Engines:Cloud:NAME:PackPages); 0 = one request per document. Default: 15.")]
    [DefaultValue(15)]
    public int PackPages { get; init; } = 15;

    [CommandOption("--pack-window-ms <MS>")]
    [Description("cloud: request packing, longest wait for a pack to fill (Engines:Cloud:NAME:PackWindowMs). Default: 100.")]
    [DefaultValue(100)]
    public int PackWindowMs { get; init; } = 100;

    // The child process of `docflow bench cloud`, started by the bench itself.
    [CommandOption("--cloud-engine-worker", IsHidden = true)]
    public bool CloudEngineWorker { get; init; }

    [CommandOption("--fake-url <URL>", IsHidden = true)]
    public string? FakeUrl { get; init; }

    [CommandOption("--cloud-wait", IsHidden = true)]
    public bool CloudWait { get; init; }

    // The child process of the remote-engine measurement (`bench --remote-engine-worker`), started by the bench itself.
    [CommandOption("--remote-engine-worker", IsHidden = true)]
    public bool RemoteEngineWorker { get; init; }

    [CommandOption("--redis <HOST:PORT>", IsHidden = true)]
    public string? Redis { get; init; }

    [CommandOption("--key-prefix <PREFIX>", IsHidden = true)]
    public string? KeyPrefix { get; init; }

    public override ValidationResult Validate()
    {
        if (Connections < 1 || Seconds <= 0) return ValidationResult.Error("--connections must be at least 1 and --seconds above 0.");
        if (Quota < 1 || CloudLatencyMs < 0 || Outage < 0 || CloudRate < 0 || CloudDocs < 1 || PackPages is < 0 or 1 or > 15 || PackWindowMs < 0)
            return ValidationResult.Error("--quota and --cloud-docs must be at least 1; --cloud-latency-ms, --outage, --cloud-rate and --pack-window-ms at least 0; --pack-pages 0 (off) or 2-15.");
        if (Jobs < 1 || RemoteDocs < 1 || RemoteSlots < 1 || ExpressNormal < 1 || CeleryJobs < 0)
            return ValidationResult.Error("--jobs, --remote-docs, --remote-slots and --express-normal must be at least 1 (--celery-jobs at least 0).");
        if (RemoteEngineWorker && (Redis is null || KeyPrefix is null))
            return ValidationResult.Error("--remote-engine-worker needs --redis and --key-prefix.");
        if (Sandbox is not ("on" or "off" or "compare"))
            return ValidationResult.Error($"--sandbox '{Sandbox}': give on, off or compare.");
        return ValidationResult.Success();
    }
}

/// <summary>docflow bench: sequential vs parallel `docflow process`, text-layer speed, and OCR against the raw tesseract CLI;
/// with --distributed, the distributed platform (<see cref="DistributedBench"/>).</summary>
public sealed class BenchCommand : AsyncCommand<BenchSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, BenchSettings settings, CancellationToken cancellationToken)
    {
        if (settings.RemoteEngineWorker)
            return await Bench.RemoteEngineWorker.RunAsync(settings.Redis!, settings.KeyPrefix!, settings.RemoteSlots, settings.RemoteDocs,
                SimulatedRemoteEngine.ProposalLatency, cancellationToken);
        if (settings.CloudEngineWorker)
            return await CloudEngines.CloudBench.WorkerAsync(new Uri(settings.FakeUrl!), settings.RemoteDocs, settings.RemoteSlots, settings.Quota,
                settings.CloudRate, settings.CloudWait, settings.PackPages, settings.PackWindowMs, cancellationToken);
        if (settings.Directory == BenchSettings.CloudMode && !System.IO.Directory.Exists(BenchSettings.CloudMode))
            return await CloudEngines.CloudBench.RunAsync(settings, cancellationToken);
        if (settings.Directory == BenchSettings.ApiMode && !System.IO.Directory.Exists(BenchSettings.ApiMode))
        {
            var api = settings.Work ?? Path.Combine(Path.GetTempPath(), $"docflow-bench-api-{Environment.ProcessId}");
            System.IO.Directory.CreateDirectory(api);
            return await ApiBench.RunAsync(settings, api, cancellationToken);
        }
        if (settings.Directory == OutputsBench.Mode && !System.IO.Directory.Exists(OutputsBench.Mode))
        {
            var outputs = settings.Work ?? Path.Combine(Path.GetTempPath(), $"docflow-bench-outputs-{Environment.ProcessId}");
            System.IO.Directory.CreateDirectory(outputs);
            return await OutputsBench.RunAsync(settings, outputs, cancellationToken);
        }
        if (settings.Distributed)
        {
            var scratch = settings.Work ?? Path.Combine(Path.GetTempPath(), $"docflow-bench-distributed-{Environment.ProcessId}");
            System.IO.Directory.CreateDirectory(scratch);
            return await DistributedBench.RunAsync(settings, scratch, cancellationToken);
        }
        if (!System.IO.Directory.Exists(settings.Directory))
            SampleCorpus.Generate(settings.Directory, SampleCorpus.DefaultSeed);
        var work = settings.Work ?? Path.Combine(Path.GetTempPath(), $"docflow-bench-{Environment.ProcessId}");
        System.IO.Directory.CreateDirectory(work);
        var cores = Environment.ProcessorCount;
        var repeat = Math.Max(1, settings.Repeat);
        var inputs = ProductProcess.Corpus(settings.Directory);
        AnsiConsole.MarkupLineInterpolated($"Corpus: [blue]{settings.Directory}[/], {inputs.Count} files; {cores} cores; median of {repeat} run(s)");

        // 1. The whole corpus through `docflow process`, in a child process so its peak memory is its own.
        if (settings.Sandbox == "compare")
            return await CompareSandboxAsync(settings.Directory, work, cores, repeat, Math.Max(0, settings.Warm), cancellationToken);
        var sandbox = settings.Sandbox;
        var seq = await MedianRunAsync(() => RunProcessAsync(settings.Directory, Path.Combine(work, "seq"), 1, cancellationToken, sandbox), repeat);
        var par = await MedianRunAsync(() => RunProcessAsync(settings.Directory, Path.Combine(work, "par"), cores, cancellationToken, sandbox), repeat);

        // 2. Text-layer PDFs alone, one slot: pages per second per core.
        var textPdfs = par.Summary.Files.Where(f => f.Status == "succeeded" && f.MimeType == "application/pdf" && f.OcrPages.Count == 0)
            .Select(f => inputs.First(i => i.RelativeName == f.File).Path).ToList();
        var textRate = await TextLayerRateAsync(textPdfs, repeat, cancellationToken);

        // 3. OCR: the same images through our engine and through `tesseract` one process per core.
        var images = await CollectOcrImagesAsync(inputs, par.Summary, Path.Combine(work, "ocr-images"), cancellationToken);
        var imagePages = images.Sum(i => PixImage.CountFrames(File.ReadAllBytes(i)));
        var oursOneSlot = Median(await RepeatAsync(() => OurOcrSecondsAsync(images, 1, cancellationToken), repeat));
        var ours = Median(await RepeatAsync(() => OurOcrSecondsAsync(images, cores, cancellationToken), repeat));
        var cli = Median(await RepeatAsync(() => TesseractCliSecondsAsync(images, cores, cancellationToken), repeat));

        // 4. One long scan: pages, not files, are the unit of parallel work.
        var scanned = par.Summary.Files.Where(f => f.Status == "succeeded" && f.MimeType == "application/pdf" && f.OcrPages.Count == f.Pages)
            .Select(f => inputs.First(i => i.RelativeName == f.File).Path).FirstOrDefault();
        (double One, double All)? longScan = null;
        if (scanned is not null)
        {
            var big = LargeDocuments.Repeat(File.ReadAllBytes(scanned), LongScanPages);
            longScan = (Median(await RepeatAsync(() => OneDocumentSecondsAsync(big, 1, cancellationToken), repeat)),
                        Median(await RepeatAsync(() => OneDocumentSecondsAsync(big, cores, cancellationToken), repeat)));
        }

        // 5. Understanding: the parallel run's Documents against the corpus' ground truth.
        var accuracy = Accuracy(settings.Directory, Path.Combine(work, "par"));

        var t = par.Summary.Totals;
        var rows = new List<(string Name, string Value)>
        {
            ("corpus", $"{t.Files} docs, {t.Pages} pages ({t.OcrPages} OCR'd)"),
            ("sequential (1 slot)", Rate(seq)),
            ($"parallel ({cores} slots)", Rate(par)),
            ("speedup parallel/sequential", $"{seq.Seconds / par.Seconds:F2}x"),
            ("peak RSS sequential / parallel", $"{seq.PeakRssMb:F0} MB / {par.PeakRssMb:F0} MB"),
            ("text-layer pages/s per core", textRate is null ? "n/a (no text-layer PDFs)" : $"{textRate:F1} pages/s"),
            ("OCR: DocFlow, 1 slot", $"{imagePages / oursOneSlot:F3} pages/s ({imagePages} pages in {oursOneSlot:F2} s)"),
            ($"OCR: DocFlow, {cores} slots", $"{imagePages / ours:F3} pages/s ({imagePages} pages in {ours:F2} s)"),
            ("OCR-heavy samples: speedup, warm engines", $"{oursOneSlot / ours:F2}x"),
            ($"OCR: tesseract CLI, {cores} processes", $"{imagePages / cli:F3} pages/s ({imagePages} pages in {cli:F2} s)"),
            ("OCR ratio DocFlow/CLI", $"{cli / ours:F2}x"),
            ("key fields and entities exact (ground truth)", accuracy.Entities),
            ("table cells exact (ground truth)", accuracy.Tables),
            ("form fields exact (ground truth)", accuracy.Forms),
            ($"one {LongScanPages}-page scanned PDF, 1 slot / {cores} slots",
                longScan is { } ls ? $"{ls.One:F2} s / {ls.All:F2} s = {ls.One / ls.All:F2}x" : "n/a (no scanned PDF in the corpus)"),
        };
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Measure").AddColumn("Result");
        foreach (var (name, value) in rows) table.AddRow(Markup.Escape(name), Markup.Escape(value));
        AnsiConsole.Write(table);
        var report = Path.Combine(work, "bench.txt");
        await File.WriteAllLinesAsync(report, rows.Select(r => $"{r.Name}: {r.Value}"), cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"Figures also written to [blue]{report}[/]");
        return 0;

        static string Rate(ProcessRun r) =>
            $"{r.Summary.Totals.Files / r.Seconds:F3} docs/s, {r.Summary.Totals.Pages / r.Seconds:F3} pages/s ({r.Seconds:F2} s)";
    }

    private const int LongScanPages = 20;

    /// <summary>Entity, table-cell and form-field accuracy of the Documents in <paramref name="output"/> against the
    /// ground truth beside the corpus' documents (NAME.truth.json), as the accuracy tests score them.</summary>
    private static (string Entities, string Tables, string Forms) Accuracy(string corpus, string output)
    {
        int[] e = [0, 0], tb = [0, 0], f = [0, 0];
        foreach (var truthFile in System.IO.Directory.EnumerateFiles(corpus, "*.truth.json"))
        {
            var truth = GroundTruth.Load(truthFile);
            var json = Path.Combine(output, truth.File + ".json");
            if (!File.Exists(json)) continue;
            var document = DocFlow.Documents.DocumentJson.Deserialize(File.ReadAllText(json));
            Add(e, DocFlow.Samples.Evaluation.EntityScore.Score(truth, document));
            Add(tb, DocFlow.Samples.Evaluation.TableScore.Score(truth, document));
            Add(f, DocFlow.Samples.Evaluation.FormScore.Score(truth, document));
        }
        return (Format(e), Format(tb), Format(f));

        static void Add(int[] sum, (int Correct, int Total, IReadOnlyList<string> Misses) score)
        {
            sum[0] += score.Correct;
            sum[1] += score.Total;
        }

        static string Format(int[] sum) => sum[1] == 0 ? "n/a (no ground truth)" : $"{100.0 * sum[0] / sum[1]:F1} % ({sum[0]}/{sum[1]})";
    }

    private static async Task<double> OneDocumentSecondsAsync(byte[] pdf, int slots, CancellationToken ct)
    {
        using var engine = new LocalDocumentEngine(new EngineOptions { Slots = slots });
        var clock = Stopwatch.StartNew();
        var result = await engine.ProcessAsync(new DocumentInput("long-scan.pdf", pdf), ct);
        if (result.Stats.OcrPages.Count != LongScanPages) throw new InvalidOperationException("the long scan was not OCR'd page by page");
        return clock.Elapsed.TotalSeconds;
    }

    private sealed record ProcessRun(double Seconds, double PeakRssMb, ProcessSummary Summary)
    {
        /// <summary>The child process from start to exit (start-up, engine hosts and all).</summary>
        public double WallSeconds { get; init; }

        /// <summary>CPU time (user + system) of the child and of the processes it started (engine hosts, pdftoppm).</summary>
        public double CpuSeconds { get; init; }
    }

    private static async Task<ProcessRun> MedianRunAsync(Func<Task<ProcessRun>> run, int repeat)
    {
        var runs = await RepeatAsync(run, repeat);
        return runs.OrderBy(r => r.Seconds).ElementAt(runs.Count / 2);
    }

    private static async Task<List<T>> RepeatAsync<T>(Func<Task<T>> run, int repeat)
    {
        var results = new List<T>();
        for (var i = 0; i < repeat; i++) results.Add(await run());
        return results;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>The corpus through `docflow process` with the engine sandbox off and on, interleaved (off, on, off, on, …) so
    /// that both see the same load of a shared machine; medians of the whole child process's wall time, of its batch and of
    /// its CPU time (with its hosts': on a shared machine the CPU time moves less with the other load than the wall time).
    /// Then, beside these cold runs (every run starts its runtime and hosts), the steady state of long-running servers and
    /// workers: <paramref name="warm"/> passes through two running <c>docflow serve</c> (<see cref="SandboxWarmBench"/>).</summary>
    private static async Task<int> CompareSandboxAsync(string corpus, string work, int cores, int repeat, int warm, CancellationToken ct)
    {
        var off = new List<ProcessRun>();
        var on = new List<ProcessRun>();
        var loadBefore = ChildProcess.LoadAverage();
        for (var i = 0; i < repeat; i++)
        {
            off.Add(await RunProcessAsync(corpus, Path.Combine(work, "sandbox-off"), cores, ct, "off", LauncherProcessEnvironment()));
            on.Add(await RunProcessAsync(corpus, Path.Combine(work, "sandbox-on"), cores, ct, "on", LauncherProcessEnvironment()));
        }
        var offWall = Median([.. off.Select(r => r.WallSeconds)]);
        var onWall = Median([.. on.Select(r => r.WallSeconds)]);
        var offBatch = Median([.. off.Select(r => r.Seconds)]);
        var onBatch = Median([.. on.Select(r => r.Seconds)]);
        var loadAfter = ChildProcess.LoadAverage();
        var offCpu = Median([.. off.Select(r => r.CpuSeconds)]);
        var onCpu = Median([.. on.Select(r => r.CpuSeconds)]);
        var totals = off[0].Summary.Totals;
        var failedOn = on.Max(r => r.Summary.Files.Count(f => f.Status == "failed"));
        var rows = new List<(string Name, string Value)>
        {
            ("corpus", $"{totals.Files} docs, {totals.Pages} pages ({totals.OcrPages} OCR'd), {cores} slots, median of {repeat}"),
            ("cold: docflow process runs as ./docflow process starts it", string.Join(", ", LauncherProcessEnvironment().Select(e => $"{e.Key}={Path.GetFileName(e.Value)}"))),
            ("sandbox off: process wall / batch", $"{offWall:F2} s / {offBatch:F2} s, {totals.Pages / offWall:F3} pages/s"),
            ("sandbox on: process wall / batch", $"{onWall:F2} s / {onBatch:F2} s, {totals.Pages / onWall:F3} pages/s"),
            ("sandbox cost (wall)", $"{100 * (onWall / offWall - 1):+0.0;-0.0} %"),
            ("sandbox cost (batch, hosts started before)", $"{100 * (onBatch / offBatch - 1):+0.0;-0.0} %"),
            ("CPU, user + system, docflow and its hosts, off / on", $"{offCpu:F2} s / {onCpu:F2} s"),
            ("sandbox cost (CPU)", $"{100 * (onCpu / offCpu - 1):+0.0;-0.0} %"),
            ("peak RSS of docflow itself off / on", $"{Median([.. off.Select(r => r.PeakRssMb)]):F0} MB / {Median([.. on.Select(r => r.PeakRssMb)]):F0} MB"),
            ("failed documents off / on", $"{off.Max(r => r.Summary.Files.Count(f => f.Status == "failed"))} / {failedOn}"),
            ("runs off (wall s)", string.Join(", ", off.Select(r => r.WallSeconds.ToString("F2", CultureInfo.InvariantCulture)))),
            ("runs on (wall s)", string.Join(", ", on.Select(r => r.WallSeconds.ToString("F2", CultureInfo.InvariantCulture)))),
            ("runs off (CPU s)", string.Join(", ", off.Select(r => r.CpuSeconds.ToString("F2", CultureInfo.InvariantCulture)))),
            ("runs on (CPU s)", string.Join(", ", on.Select(r => r.CpuSeconds.ToString("F2", CultureInfo.InvariantCulture)))),
            ("load average (1 min) before / after", string.Create(CultureInfo.InvariantCulture, $"{loadBefore:F2} / {loadAfter:F2}")),
        };
        if (warm > 0)
        {
            var (warmOff, warmOn) = await SandboxWarmBench.RunAsync(corpus, work, warm, ct);
            var offPass = Median([.. warmOff.Select(p => p.WallSeconds)]);
            var onPass = Median([.. warmOn.Select(p => p.WallSeconds)]);
            var offPassCpu = Median([.. warmOff.Select(p => p.CpuSeconds)]);
            var onPassCpu = Median([.. warmOn.Select(p => p.CpuSeconds)]);
            rows.AddRange(
            [
                ($"warm: docflow serve, a batch of the corpus, median of {warm} passes after the first: wall off / on",
                    $"{offPass:F2} s / {onPass:F2} s, {totals.Pages / offPass:F3} / {totals.Pages / onPass:F3} pages/s"),
                ("warm: sandbox cost (wall)", $"{100 * (onPass / offPass - 1):+0.0;-0.0} %"),
                ("warm: CPU of serve and its hosts per pass, off / on", $"{offPassCpu:F2} s / {onPassCpu:F2} s"),
                ("warm: sandbox cost (CPU)", $"{100 * (onPassCpu / offPassCpu - 1):+0.0;-0.0} %"),
                ("warm: failed documents off / on", $"{warmOff.Max(p => p.Failed)} / {warmOn.Max(p => p.Failed)}"),
                ("warm: passes off (wall s / CPU s)", string.Join(", ", warmOff.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.WallSeconds:F2}/{p.CpuSeconds:F2}")))),
                ("warm: passes on (wall s / CPU s)", string.Join(", ", warmOn.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.WallSeconds:F2}/{p.CpuSeconds:F2}")))),
                ("load average (1 min) after the warm passes", ChildProcess.LoadAverage().ToString("F2", CultureInfo.InvariantCulture)),
            ]);
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Measure").AddColumn("Result");
        foreach (var (name, value) in rows) table.AddRow(Markup.Escape(name), Markup.Escape(value));
        AnsiConsole.Write(table);
        var report = Path.Combine(work, "bench-sandbox.txt");
        await File.WriteAllLinesAsync(report, rows.Select(r => $"{r.Name}: {r.Value}"), ct);
        AnsiConsole.MarkupLineInterpolated($"Figures also written to [blue]{report}[/]");
        return 0;
    }

    /// <summary>What the launcher adds to the environment of <c>./docflow process</c> (and nothing else): no tiered
    /// re-compilation, jemalloc when installed; a value the bench itself was given wins.</summary>
    private static Dictionary<string, string> LauncherProcessEnvironment()
    {
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_TieredCompilation"] = Environment.GetEnvironmentVariable("DOTNET_TieredCompilation") ?? "0",
        };
        var jemalloc = $"/usr/lib/{(System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "aarch64" : "x86_64")}-linux-gnu/libjemalloc.so.2";
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("LD_PRELOAD")) && File.Exists(jemalloc)) environment["LD_PRELOAD"] = jemalloc;
        return environment;
    }

    /// <summary>The corpus through the product's `docflow process`, in a child process so its peak memory and CPU time are its own.</summary>
    private static async Task<ProcessRun> RunProcessAsync(string corpus, string output, int jobs, CancellationToken ct, string sandbox = "on",
        IDictionary<string, string>? environment = null)
    {
        var cpuBefore = ChildProcess.ReapedChildrenCpuSeconds();
        var wall = Stopwatch.StartNew();
        await using var process = ChildProcess.StartProduct(
            ["process", corpus, "--out", output, "--jobs", jobs.ToString(CultureInfo.InvariantCulture), "--force", "--quiet", "--sandbox", sandbox], environment);
        long peakKb = 0;
        while (!process.HasExited)
        {
            peakKb = Math.Max(peakKb, process.PeakRssKb());
            await Task.Delay(20, ct);
        }
        var code = await process.WaitForExitAsync(TimeSpan.FromMinutes(1), ct);
        var wallSeconds = wall.Elapsed.TotalSeconds;
        if (code != 0) throw new InvalidOperationException($"docflow process failed ({code}):\n{process.Tail()}");
        var summary = ProcessSummary.Load(output);
        return new ProcessRun(summary.ElapsedMs / 1000.0, peakKb / 1024.0, summary)
        {
            WallSeconds = wallSeconds,
            CpuSeconds = ChildProcess.ReapedChildrenCpuSeconds() - cpuBefore,
        };
    }

    private static async Task<double?> TextLayerRateAsync(List<string> pdfs, int repeat, CancellationToken ct)
    {
        if (pdfs.Count == 0) return null;
        using var engine = new LocalDocumentEngine(new EngineOptions { Slots = 1 });
        var contents = pdfs.Select(File.ReadAllBytes).ToList();
        var rounds = 20 * repeat;
        var pages = 0;
        await engine.ProcessAsync(new DocumentInput("warm-up", contents[0]), ct);
        var clock = Stopwatch.StartNew();
        for (var r = 0; r < rounds; r++)
            foreach (var c in contents)
                pages += (await engine.ProcessAsync(new DocumentInput("bench", c), ct)).Stats.Pages;
        return pages / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Image files of the corpus as they are, and its scanned PDF pages rasterised to PNG at 300 dpi (an image both sides accept).</summary>
    private static async Task<List<string>> CollectOcrImagesAsync(IReadOnlyList<CorpusFile> inputs, ProcessSummary summary, string dir, CancellationToken ct)
    {
        System.IO.Directory.CreateDirectory(dir);
        var images = new List<string>();
        foreach (var input in inputs)
        {
            var head = File.ReadAllBytes(input.Path);
            var kind = FileSniffer.Sniff(head).Kind;
            if (kind == InputKind.Image) images.Add(input.Path);
            if (kind != InputKind.Pdf) continue;
            var entry = summary.Files.FirstOrDefault(f => f.File == input.RelativeName);
            foreach (var page in entry?.OcrPages ?? [])
            {
                var prefix = Path.Combine(dir, $"{Path.GetFileNameWithoutExtension(input.Path)}-{page}");
                var psi = new ProcessStartInfo("pdftoppm") { ArgumentList = { "-r", "300", "-gray", "-png", "-f", $"{page}", "-l", $"{page}", "-singlefile", input.Path, prefix } };
                using var p = Process.Start(psi)!;
                await p.WaitForExitAsync(ct);
                images.Add(prefix + ".png");
            }
        }
        // Both sides get the images in the same order, largest first.
        return [.. images.OrderByDescending(i => new FileInfo(i).Length)];
    }

    private static async Task<double> OurOcrSecondsAsync(List<string> images, int cores, CancellationToken ct)
    {
        using var engine = new LocalDocumentEngine(new EngineOptions { Slots = cores });
        var contents = images.Select(File.ReadAllBytes).ToList();
        // Warm up: every engine in the pool initialised once, as in a long-running worker.
        await Task.WhenAll(contents.Take(cores).Select(c => engine.ProcessAsync(new DocumentInput("warm-up", c), ct)));
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(contents.Select(c => engine.ProcessAsync(new DocumentInput("bench", c), ct)));
        return clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> TesseractCliSecondsAsync(List<string> images, int cores, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(images, new ParallelOptions { MaxDegreeOfParallelism = cores, CancellationToken = ct }, async (image, token) =>
        {
            var psi = new ProcessStartInfo("tesseract") { RedirectStandardOutput = true, RedirectStandardError = true, ArgumentList = { image, "stdout", "-l", "eng", "tsv" } };
            psi.Environment["OMP_THREAD_LIMIT"] = "1";
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEndAsync(token);
            _ = p.StandardError.ReadToEndAsync(token);
            await p.WaitForExitAsync(token);
            await output;
            if (p.ExitCode != 0) throw new InvalidOperationException($"tesseract failed on {image}");
        });
        return clock.Elapsed.TotalSeconds;
    }
}
