using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using DocFlow.Documents;
using DocFlow.Engine.Sniffing;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Reports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DocFlow.Cli.Batch;

/// <summary>One input file of a batch: where it is, and the name its outputs are written under.</summary>
public sealed record BatchInput(string Path, string RelativeName);

/// <summary>Progress of a running batch, reported after every finished file.</summary>
public sealed record BatchProgress(int Done, int Total, int Pages, TimeSpan Elapsed, FileEntry? Last);

/// <summary>
/// `docflow process`: every input through the embedded pipeline (in-process queue, worker slots,
/// the engine), each result written as DIR/NAME.json or DIR/NAME.error.json, and DIR/summary.json.
/// When every document job is terminal, one job on the report route writes report.pdf, results.csv and
/// results.json (see <see cref="ReportJobHandler"/>); its outcome is recorded in summary.json.
/// </summary>
public sealed class BatchRunner(IDocumentEngine engine, string optionsKey, ILoggerFactory? loggerFactory = null)
{
    public const string SummaryFileName = "summary.json";

    /// <summary>Files handled at once; pages beyond this run on the engine's shared slots.</summary>
    public int DocumentSlots { get; init; } = Math.Max(2, Environment.ProcessorCount * 2);

    public RetryOptions Retry { get; init; } = new();

    /// <summary>Whether to run the report job after the documents (report.pdf, results.csv, results.json).</summary>
    public bool WriteReport { get; init; } = true;

    /// <summary>Where the report job reads the batch from; by default the summary.json just written.</summary>
    public IBatchReportSource ReportSource { get; init; } = new SummaryReportSource();

    public async Task<BatchSummary> RunAsync(
        IReadOnlyList<BatchInput> inputs, string outputDirectory, bool force,
        IProgress<BatchProgress>? progress, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(outputDirectory);
        var summaryPath = Path.Combine(outputDirectory, SummaryFileName);
        var previous = force ? null : BatchSummary.TryLoad(summaryPath);
        var previousByFile = previous?.Files.GroupBy(f => f.File).ToDictionary(g => g.Key, g => g.Last()) ?? [];

        var summary = new BatchSummary { StartedAt = DateTimeOffset.UtcNow, Options = optionsKey, Slots = DocumentSlots };
        var clock = Stopwatch.StartNew();
        var entries = new ConcurrentDictionary<string, FileEntry>();
        var jobs = new Dictionary<string, (BatchInput Input, string Sha)>();
        var queue = new InProcessJobQueue();
        var done = 0;
        var pages = 0;

        void Finished(FileEntry entry)
        {
            var n = Interlocked.Increment(ref done);
            Interlocked.Add(ref pages, entry.Pages);
            progress?.Report(new BatchProgress(n, inputs.Count, Volatile.Read(ref pages), clock.Elapsed, entry));
        }

        // Largest files first (longest-processing-time-first): a big scan started last would leave
        // the other cores idle at the end of the batch. Outputs and the summary keep the input order.
        var order = Enumerable.Range(0, inputs.Count).OrderByDescending(i => new FileInfo(inputs[i].Path).Length).ThenBy(i => i);
        foreach (var i in order)
        {
            var input = inputs[i];
            var (sha, route) = await HashAndRouteAsync(input.Path, cancellationToken).ConfigureAwait(false);
            if (previousByFile.TryGetValue(input.RelativeName, out var old) && old.Sha256 == sha && old.Options == optionsKey
                && IsFinal(old) && File.Exists(Path.Combine(outputDirectory, old.Output)))
            {
                var skipped = Clone(old);
                skipped.Status = "skipped";
                skipped.FinishedAtMs = clock.ElapsedMilliseconds;
                entries[input.RelativeName] = skipped;
                Finished(new FileEntry { File = skipped.File, Status = "skipped" });
                continue;
            }
            var id = $"job-{i:D6}";
            jobs[id] = (input, sha);
            await queue.EnqueueAsync(new JobTicket(id, route, JobPriority.Normal, input.Path) { FileName = input.RelativeName }, cancellationToken).ConfigureAwait(false);
        }

        var batchId = $"batch-{summary.StartedAt:yyyyMMddHHmmssfff}";
        var allDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reportDone = new TaskCompletionSource<ReportOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var remaining = jobs.Count;
        if (remaining == 0) allDone.TrySetResult();
        var documents = new Handler(engine, outputDirectory, optionsKey, jobs, clock, entry =>
        {
            entries[entry.File] = entry;
            Finished(entry);
            if (Interlocked.Decrement(ref remaining) == 0) allDone.TrySetResult();
        });
        var reports = new ReportJobHandler(ReportSource, outcome => reportDone.TrySetResult(outcome));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<WorkerLoop>();
        var loop = new WorkerLoop(queue, new RouteHandler(documents, reports), Retry, logger, cancellationToken);
        var running = loop.RunAsync(JobRoutes.All, DocumentSlots, stop.Token);
        try
        {
            await allDone.Task.WaitAsync(cancellationToken).ConfigureAwait(false);

            // The documents' results are complete and saved before the report runs: a report failure costs nothing else.
            Complete(summary, inputs, entries, clock.Elapsed);
            summary.Save(summaryPath);

            if (WriteReport)
            {
                await queue.EnqueueAsync(new JobTicket($"{batchId}-report", JobRoute.Report, JobPriority.Normal, outputDirectory)
                {
                    BatchId = batchId,
                    EnqueuedAt = DateTimeOffset.UtcNow,
                }, cancellationToken).ConfigureAwait(false);
                summary.Report = await reportDone.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                summary.Save(summaryPath);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await running.ConfigureAwait(false);
        }
        return summary;
    }

    /// <summary>Fills in the files in input order, the totals and the aggregate.</summary>
    private static void Complete(BatchSummary summary, IReadOnlyList<BatchInput> inputs, ConcurrentDictionary<string, FileEntry> entries, TimeSpan elapsed)
    {
        summary.FinishedAt = DateTimeOffset.UtcNow;
        summary.ElapsedMs = (long)elapsed.TotalMilliseconds;
        summary.Files = [.. inputs.Select(i => entries[i.RelativeName])];
        var t = summary.Totals;
        t.Files = summary.Files.Count;
        t.Succeeded = summary.Files.Count(f => f.Status == "succeeded");
        t.Failed = summary.Files.Count(f => f.Status == "failed");
        t.Skipped = summary.Files.Count(f => f.Status == "skipped");
        var processed = summary.Files.Where(f => f.Status != "skipped").ToList();
        t.Pages = processed.Sum(f => f.Pages);
        t.OcrPages = processed.Sum(f => f.OcrPages.Count);
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-6);
        t.DocsPerSecond = Math.Round(processed.Count / seconds, 3);
        t.PagesPerSecond = Math.Round(t.Pages / seconds, 3);
        summary.Aggregate = BatchAggregate.Compute([.. summary.Files.Select(f => f.ToResultRow())]);
    }

    /// <summary>Whether an earlier outcome would come out the same again: successes, and failures caused by the input itself.</summary>
    private static bool IsFinal(FileEntry entry) =>
        entry.Status is "succeeded" or "skipped"
        || (entry.Status == "failed" && entry.Error?.Code is not (null or "timeout" or "internal"));

    /// <summary>One read of the file: its SHA-256 (the resume key) and, from its first bytes, its route.</summary>
    private static async Task<(string Sha256, JobRoute Route)> HashAndRouteAsync(string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        var head = new byte[1024];
        var n = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(head, 0, n);
        var buffer = new byte[1 << 16];
        int read;
        while ((read = await stream.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            hash.AppendData(buffer, 0, read);
        var route = FileSniffer.Sniff(head.AsSpan(0, n)).Kind == InputKind.Pdf ? JobRoute.Pdf : JobRoute.Image;
        return (Convert.ToHexStringLower(hash.GetHashAndReset()), route);
    }

    private static FileEntry Clone(FileEntry e) =>
        JsonSerializer.Deserialize(JsonSerializer.Serialize(e, BatchJsonContext.Default.FileEntry), BatchJsonContext.Default.FileEntry)!;

    private sealed class Handler(
        IDocumentEngine engine, string outputDirectory, string optionsKey,
        IReadOnlyDictionary<string, (BatchInput Input, string Sha)> jobs, Stopwatch batchClock, Action<FileEntry> finished) : IJobHandler
    {
        public async Task HandleAsync(JobTicket ticket, CancellationToken cancellationToken)
        {
            var (input, sha) = jobs[ticket.JobId];
            var entry = new FileEntry { File = input.RelativeName, Sha256 = sha, Options = optionsKey, Attempts = ticket.Attempt + 1 };
            var clock = Stopwatch.StartNew();
            try
            {
                var content = await File.ReadAllBytesAsync(input.Path, cancellationToken).ConfigureAwait(false);
                var result = await engine.ProcessAsync(new DocumentInput(input.RelativeName, content), cancellationToken).ConfigureAwait(false);
                entry.Status = "succeeded";
                entry.Output = input.RelativeName + ".json";
                entry.MimeType = result.Stats.MimeType;
                entry.DocumentType = result.Stats.DocumentType ?? KeyFields.DocumentTypeOf(result.Document);
                entry.Fields = KeyFields.From(result.Document);
                entry.Pages = result.Stats.Pages;
                entry.OcrPages = [.. result.Stats.OcrPages];
                entry.RasterizedPages = [.. result.Stats.RasterizedPages];
                entry.RotatedPages = result.Stats.RotatedPages.Count > 0 ? new Dictionary<int, int>(result.Stats.RotatedPages) : null;
                entry.EnginePath = result.Stats.EnginePath;
                await WriteAsync(entry.Output, input.RelativeName + ".error.json",
                    s => DocumentJson.SerializeAsync(s, result.Document, cancellationToken), cancellationToken).ConfigureAwait(false);
            }
            catch (DocumentException ex) when (!ex.Code.IsTransient())
            {
                await RecordFailureAsync(entry, input, ex.MimeType, ex.Code.ToWireName(), ex.Message, cancellationToken).ConfigureAwait(false);
            }
            entry.Milliseconds = clock.ElapsedMilliseconds;
            entry.FinishedAtMs = batchClock.ElapsedMilliseconds;
            finished(entry);
        }

        public async Task OnDeadLetteredAsync(JobTicket ticket, string reason, CancellationToken cancellationToken)
        {
            var (input, sha) = jobs[ticket.JobId];
            var entry = new FileEntry { File = input.RelativeName, Sha256 = sha, Options = optionsKey, Attempts = ticket.Attempt + 1 };
            await RecordFailureAsync(entry, input, null, DocumentErrorCode.Internal.ToWireName(), reason, cancellationToken).ConfigureAwait(false);
            entry.FinishedAtMs = batchClock.ElapsedMilliseconds;
            finished(entry);
        }

        private async Task RecordFailureAsync(FileEntry entry, BatchInput input, string? mime, string code, string message, CancellationToken ct)
        {
            entry.Status = "failed";
            entry.MimeType = mime;
            entry.Output = input.RelativeName + ".error.json";
            entry.Error = new ErrorInfo { Code = code, Message = message };
            var file = new ErrorFile { MimeType = mime, Error = entry.Error };
            await WriteAsync(entry.Output, input.RelativeName + ".json",
                s => JsonSerializer.SerializeAsync(s, file, BatchJsonContext.Default.ErrorFile, ct), ct).ConfigureAwait(false);
        }

        /// <summary>Writes an output atomically (temp file, then rename) and removes the stale opposite outcome.</summary>
        private async Task WriteAsync(string relative, string staleRelative, Func<Stream, Task> write, CancellationToken ct)
        {
            var path = Path.Combine(outputDirectory, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temp = path + ".tmp";
            await using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await write(stream).ConfigureAwait(false);
            }
            File.Move(temp, path, overwrite: true);
            File.Delete(Path.Combine(outputDirectory, staleRelative));
            ct.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Sends each job to the handler of its route: documents (image, pdf) or the batch report.</summary>
    private sealed class RouteHandler(IJobHandler documents, IJobHandler reports) : IJobHandler
    {
        private IJobHandler For(JobTicket ticket) => ticket.Route == JobRoute.Report ? reports : documents;

        public Task HandleAsync(JobTicket ticket, CancellationToken cancellationToken) => For(ticket).HandleAsync(ticket, cancellationToken);

        public Task OnDeadLetteredAsync(JobTicket ticket, string reason, CancellationToken cancellationToken) =>
            For(ticket).OnDeadLetteredAsync(ticket, reason, cancellationToken);
    }
}
