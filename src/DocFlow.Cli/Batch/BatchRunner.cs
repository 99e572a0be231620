using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using DocFlow.Outputs;
using DocFlow.Documents;
using DocFlow.Engine;
using DocFlow.IO;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Reports;
using DocFlow.Sandbox;
using DocFlow.Server.Ingest;
using DocFlow.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DocFlow.Cli.Batch;

/// <summary>One input file of a batch: where it is, and the name its outputs are written under.</summary>
public sealed record BatchInput(string Path, string RelativeName);

/// <summary>Progress of a running batch, reported after every finished file.</summary>
public sealed record BatchProgress(int Done, int Total, int Pages, TimeSpan Elapsed, FileEntry? Last);

/// <summary>
/// `docflow process`: every input through the platform's own path (<see cref="EmbeddedPlatform"/>): ingest (sniff,
/// content hash, route, resume by deduplication), the in-process queue, worker slots running the
/// <see cref="DocumentJobHandler"/> with retries and dead letters, the job store. Each job that ends is exported as
/// DIR/NAME.json or DIR/NAME.error.json, and the run as DIR/summary.json. When every document job is terminal, one job
/// on the report route writes report.pdf, results.csv and results.json from the store (see <see cref="ReportJobHandler"/>).
/// </summary>
public sealed class BatchRunner(IDocumentEngine engine, string optionsKey, ILoggerFactory? loggerFactory = null)
{
    public const string SummaryFileName = "summary.json";

    /// <summary>Files handled at once; pages beyond this run on the engine's shared slots.</summary>
    public int DocumentSlots { get; init; } = Math.Max(2, Environment.ProcessorCount * 2);

    public RetryOptions Retry { get; init; } = new();

    /// <summary>Files written per document (NAME.json, NAME.searchable.pdf, NAME.hocr, NAME.md, NAME.txt).</summary>
    public OutputFormats Formats { get; init; } = OutputFormats.Json;

    /// <summary>When set, NAME.json carries the chunks (chunkedDocument).</summary>
    public ChunkingOptions? Chunking { get; init; }

    /// <summary>Whether to run the report job after the documents (report.pdf, results.csv, results.json).</summary>
    public bool WriteReport { get; init; } = true;

    /// <summary>Only these pages of every file (their original numbers kept); null reads every page.</summary>
    public PageSelection? Pages { get; init; }

    /// <summary>The engine's options (limits for ingest); by default those of a <see cref="LocalDocumentEngine"/>, else the defaults.</summary>
    public EngineOptions? EngineOptions { get; init; }

    /// <summary>Completes when the engine can take documents (the sandbox's first host); awaited once the store is open, so
    /// that the hosts start while it opens. A failure (a host that cannot start) ends the run with its message.</summary>
    public Task? EngineReady { get; init; }

    /// <summary>The price table of the report's cost per document (results.csv, report.pdf); none by default.
    /// <c>docflow process</c> reads it from the server's environment variables (<see cref="EnginePricesFromEnvironment"/>).</summary>
    public EnginePrices? Prices { get; init; }

    /// <summary>Whether the first documents the queue will hand out (the largest, one per engine slot, or as many as the engine hosts read at once
    /// with the sandbox) start on the engine while the store opens and the inputs are ingested, instead of after. Only on a
    /// fresh run (no store yet, or <c>--force</c>): a resumed run answers most files from its store, and the work would be
    /// thrown away. Their job then takes the result.</summary>
    /// <remarks>With the sandbox the early documents wait for their hosts to start (they start at once, see
    /// <see cref="EngineReady"/>) and go through the same requests, limits and poison ledger as every other document.</remarks>
    public bool PrefetchesFirstDocuments { get; init; } = true;

    /// <summary>How many documents of the last run took the result of an early start (<see cref="PrefetchesFirstDocuments"/>).</summary>
    public int PrefetchedDocuments { get; private set; }

    /// <summary>Where the report job reads the batch from; by default the job store (<see cref="StoreReportSource"/>).</summary>
    public IBatchReportSource? ReportSource { get; init; }

    public async Task<BatchSummary> RunAsync(
        IReadOnlyList<BatchInput> inputs, string outputDirectory, bool force,
        IProgress<BatchProgress>? progress, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(outputDirectory);
        var clock = Stopwatch.StartNew();
        // The OCR engines start (about 100 ms each) while the store opens and the inputs are read and sniffed.
        if (engine is LocalDocumentEngine local) local.WarmUp();
        var summary = new BatchSummary { StartedAt = DateTimeOffset.UtcNow, Options = optionsKey, Slots = DocumentSlots };
        var engineOptions = EngineOptions ?? (engine as LocalDocumentEngine)?.Options ?? new EngineOptions();
        var recording = new RecordingEngine(engine);
        // Until the store is open and every input ingested (about a second for 50 files), the engine's slots would idle:
        // the first documents are read at once, the ones the queue hands out first (see Prefetch).
        if (PrefetchesFirstDocuments && Pages is null && (force || !EmbeddedPlatform.Exists(outputDirectory)))
        {
            // One document per engine slot in-process (its pages then share the slots); with the sandbox, as many as its hosts
            // read at once.
            var early = engine is SandboxedDocumentEngine sandboxed ? sandboxed.Documents : engineOptions.Slots;
            recording.Prefetch(inputs, Math.Max(1, early), engineOptions.MaxFileBytes, cancellationToken);
        }
        await using var platform = await EmbeddedPlatform.OpenAsync(outputDirectory, recording, engineOptions, deduplicate: !force, Retry,
            loggerFactory, cancellationToken).ConfigureAwait(false);
        var exporter = new Exporter(outputDirectory, platform.Store, recording, optionsKey, clock, Formats, Chunking);
        if (EngineReady is not null) await EngineReady.WaitAsync(cancellationToken).ConfigureAwait(false);

        var entries = new ConcurrentDictionary<string, FileEntry>(StringComparer.Ordinal);
        var done = 0;
        var pages = 0;
        var pending = new ConcurrentDictionary<string, BatchInput>(StringComparer.Ordinal);
        var allDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reportDone = new TaskCompletionSource<ReportOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);

        void Finished(FileEntry entry)
        {
            entries[entry.File] = entry;
            var n = Interlocked.Increment(ref done);
            Interlocked.Add(ref pages, entry.Status == "skipped" ? 0 : entry.Pages);
            progress?.Report(new BatchProgress(n, inputs.Count, Volatile.Read(ref pages), clock.Elapsed, entry));
            if (n == inputs.Count) allDone.TrySetResult();
        }

        async Task JobEndedAsync(JobRecord job, CancellationToken ct)
        {
            if (!pending.TryRemove(job.Id, out var input)) return; // exported already (a retry that raced, or the report ticket)
            Finished(await exporter.ExportAsync(job, input, reused: false, ct).ConfigureAwait(false));
        }

        var documents = new ExportingHandler(platform.Documents, platform.Store, JobEndedAsync);
        // The report job is put on the report route by the platform itself when the batch's last document has ended
        // (BatchCompletion): it renders while the last outputs and summary.json are written.
        var reports = WriteReport
            ? new ReportJobHandler(ReportSource ?? new StoreReportSource(platform.Store, Path.GetFullPath(outputDirectory), DocumentSlots, Prices), outcome => reportDone.TrySetResult(outcome))
            : null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<WorkerLoop>();
        var loop = new WorkerLoop(platform.Queue, new JobRouter(documents, reports), Retry, logger, cancellationToken);
        var running = loop.RunAsync(JobRoutes.All, DocumentSlots, stop.Token);

        try
        {
            // Inputs that cannot be opened are failed here, by name; everything else goes through the ingest.
            var uploads = new List<(BatchInput Input, Upload Upload)>();
            foreach (var input in inputs)
            {
                if (Unreadable(input) is { } reason) Finished(await exporter.UnreadableAsync(input, reason, cancellationToken).ConfigureAwait(false));
                else uploads.Add((input, new Upload(input.RelativeName, new DeferredFileStream(input.Path))));
            }

            if (uploads.Count > 0)
            {
                var byName = uploads.ToDictionary(u => u.Input.RelativeName, u => u.Input, StringComparer.Ordinal);
                AcceptedBatch accepted;
                try
                {
                    accepted = await platform.Ingest.AcceptAsync([.. uploads.Select(u => u.Upload)], JobPriority.Normal, Security.Tenants.Default, Pages, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    foreach (var (_, upload) in uploads) await upload.Content.DisposeAsync().ConfigureAwait(false);
                }
                summary.BatchId = accepted.BatchId;
                // Queued ones are awaited; the rest ended at the door: refused input, or a result reused from an earlier run.
                foreach (var document in accepted.Documents.Where(d => d.Status == JobStatus.Queued))
                    pending[document.Id] = byName[document.FileName];
                foreach (var document in accepted.Documents.Where(d => d.Status != JobStatus.Queued))
                    Finished(await exporter.ExportAsync(await exporter.JobAsync(document.Id, cancellationToken).ConfigureAwait(false),
                        byName[document.FileName], reused: document.Status == JobStatus.Succeeded, cancellationToken).ConfigureAwait(false));
                // A job may have ended before it was put in the pending list: look again now that it is complete.
                foreach (var jobId in pending.Keys)
                {
                    var job = await platform.Store.GetJobAsync(jobId, cancellationToken).ConfigureAwait(false);
                    if (job?.Status is JobStatus.Succeeded or JobStatus.Failed) await JobEndedAsync(job, cancellationToken).ConfigureAwait(false);
                }
            }
            if (inputs.Count == 0) allDone.TrySetResult();

            await allDone.Task.WaitAsync(cancellationToken).ConfigureAwait(false);

            // The documents' results are complete and saved before the report runs: a report failure costs nothing else.
            Complete(summary, inputs, entries, clock.Elapsed);
            summary.Save(Path.Combine(outputDirectory, SummaryFileName));
            platform.DropOriginals();

            if (WriteReport && summary.BatchId is not null)
            {
                summary.Report = await reportDone.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                summary.Save(Path.Combine(outputDirectory, SummaryFileName));
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await running.ConfigureAwait(false);
            PrefetchedDocuments = Volatile.Read(ref recording.PrefetchesTaken);
        }
        return summary;
    }

    private static string? Unreadable(BatchInput input)
    {
        try
        {
            using var _ = File.OpenRead(input.Path);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ex.Message;
        }
    }

    /// <summary>Fills in the files in input order, the totals and the aggregate.</summary>
    private void Complete(BatchSummary summary, IReadOnlyList<BatchInput> inputs, ConcurrentDictionary<string, FileEntry> entries, TimeSpan elapsed)
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
        summary.Aggregate = BatchAggregate.Compute([.. summary.Files.Select(f => f.ToResultRow(Prices))], Prices ?? EnginePrices.None);
    }

    /// <summary>Writes each ended job's outcome from the store into the output folder: NAME.json (the stored Document) or
    /// NAME.error.json, atomically, removing the stale opposite; and makes its summary entry.</summary>
    private sealed class Exporter(string outputDirectory, IJobMonitoringStore store, RecordingEngine recording, string optionsKey, Stopwatch batchClock,
        OutputFormats formats, ChunkingOptions? chunking)
    {
        /// <summary>The job's record, which the run itself created.</summary>
        public async Task<JobRecord> JobAsync(string jobId, CancellationToken ct) =>
            await store.GetJobAsync(jobId, ct).ConfigureAwait(false) ?? throw new InvalidOperationException($"Job {jobId} is not in the store.");

        /// <summary>Exports <paramref name="job"/>, as read after it ended (one read of its record per job).</summary>
        public async Task<FileEntry> ExportAsync(JobRecord job, BatchInput input, bool reused, CancellationToken ct)
        {
            var jobId = job.Id;
            var stats = recording.Take(input.RelativeName);
            var entry = new FileEntry
            {
                File = input.RelativeName,
                Sha256 = job.Sha256,
                Options = job.OptionsKey ?? optionsKey,
                MimeType = job.MimeType ?? stats?.MimeType,
                Attempts = job.Attempts,
                Pages = job.Pages ?? 0,
                OcrPages = [.. job.OcrPages],
                EnginePath = job.EnginePath,
                DocumentType = job.DocumentType,
                Milliseconds = job.DurationMs ?? 0,
                FinishedAtMs = batchClock.ElapsedMilliseconds,
            };
            if (job.Status == JobStatus.Succeeded)
            {
                var document = await store.GetResultAsync(jobId, ct).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"Job {jobId} ({input.RelativeName}) succeeded without a stored result.");
                entry.Status = reused ? "skipped" : "succeeded";
                entry.Output = input.RelativeName + OutputFormat.Suffix(formats.HasFlag(OutputFormats.Json) ? OutputFormats.Json : FirstFormat(formats));
                entry.DocumentType ??= KeyFields.DocumentTypeOf(document);
                entry.Fields = KeyFields.From(document);
                if (stats is not null)
                {
                    entry.RasterizedPages = [.. stats.RasterizedPages];
                    entry.RotatedPages = stats.RotatedPages.Count > 0 ? new Dictionary<int, int>(stats.RotatedPages) : null;
                }
                if (chunking is not null)
                    document.ChunkedDocument = Chunker.Chunk(document, chunking);
                if (formats.HasFlag(OutputFormats.Json))
                    await WriteAsync(input.RelativeName + ".json", input.RelativeName + ".error.json",
                        s => DocumentJson.SerializeAsync(s, document, ct), ct).ConfigureAwait(false);
                else
                    File.Delete(Path.Combine(outputDirectory, input.RelativeName + ".error.json"));
                foreach (var format in (OutputFormats[])[OutputFormats.Pdf, OutputFormats.Hocr, OutputFormats.Markdown, OutputFormats.Text])
                {
                    if (!formats.HasFlag(format)) continue;
                    try
                    {
                        await AtomicFile.WriteAsync(Path.Combine(outputDirectory, input.RelativeName + OutputFormat.Suffix(format)),
                            s => OutputFormat.WriteAsync(format, document, c => File.ReadAllBytesAsync(input.Path, c), s, input.RelativeName, ct),
                            ct).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is NotSupportedException or DocumentException or IOException)
                    {
                        // The document itself succeeded; one output it cannot have is said, by file and reason, and the rest go on.
                        await Console.Error.WriteLineAsync(
                            $"{input.RelativeName}: no {OutputFormat.Suffix(format)} written: {ex.Message}").ConfigureAwait(false);
                    }
                }
                return entry;
            }
            return await FailedAsync(entry, input, job.ErrorCode ?? DocumentErrorCode.Internal.ToWireName(),
                job.ErrorMessage ?? $"The job ended {job.Status.ToWireName()}.", ct).ConfigureAwait(false);
        }

        /// <summary>A file that could not even be opened: failed by name, never stored.</summary>
        public Task<FileEntry> UnreadableAsync(BatchInput input, string reason, CancellationToken ct) =>
            FailedAsync(new FileEntry { File = input.RelativeName, Options = optionsKey, FinishedAtMs = batchClock.ElapsedMilliseconds },
                input, "unreadable", $"The file cannot be read: {reason}", ct);

        private async Task<FileEntry> FailedAsync(FileEntry entry, BatchInput input, string code, string message, CancellationToken ct)
        {
            entry.Status = "failed";
            entry.Output = input.RelativeName + ".error.json";
            entry.Error = new ErrorInfo { Code = code, Message = message };
            var file = new ErrorFile { MimeType = entry.MimeType, Error = entry.Error };
            await WriteAsync(entry.Output, input.RelativeName + ".json",
                s => JsonSerializer.SerializeAsync(s, file, BatchJsonContext.Default.ErrorFile, ct), ct).ConfigureAwait(false);
            return entry;
        }

        private async Task WriteAsync(string relative, string staleRelative, Func<Stream, Task> write, CancellationToken ct)
        {
            await AtomicFile.WriteAsync(Path.Combine(outputDirectory, relative), write, ct).ConfigureAwait(false);
            File.Delete(Path.Combine(outputDirectory, staleRelative));
        }
    }

    private static OutputFormats FirstFormat(OutputFormats formats) =>
        Enum.GetValues<OutputFormats>().First(f => f != OutputFormats.None && formats.HasFlag(f));

    /// <summary>The document handler of the platform, telling the run when a job has ended (succeeded, or failed for good).</summary>
    private sealed class ExportingHandler(DocumentJobHandler inner, IJobMonitoringStore store, Func<JobRecord, CancellationToken, Task> ended) : IJobHandler
    {
        public async Task HandleAsync(JobTicket ticket, CancellationToken cancellationToken)
        {
            await inner.HandleAsync(ticket, cancellationToken).ConfigureAwait(false);
            await EndedAsync(ticket, cancellationToken).ConfigureAwait(false);
        }

        public async Task OnDeadLetteredAsync(JobTicket ticket, string reason, CancellationToken cancellationToken)
        {
            await inner.OnDeadLetteredAsync(ticket, reason, cancellationToken).ConfigureAwait(false);
            await EndedAsync(ticket, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Reads the job once; when it has ended, hands that record on to be exported.</summary>
        private async Task EndedAsync(JobTicket ticket, CancellationToken ct)
        {
            var job = await store.GetJobAsync(ticket.JobId, ct).ConfigureAwait(false);
            if (job?.Status is JobStatus.Succeeded or JobStatus.Failed) await ended(job, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The engine, keeping what it reports of each file that the store does not keep (rasterised and turned pages)
    /// until the file's summary entry is made.</summary>
    /// <remarks>It also holds the documents started early (<see cref="Prefetch"/>): the job of such a file, with the same bytes,
    /// takes that result instead of processing the file again; a retry processes it anew.</remarks>
    private sealed class RecordingEngine(IDocumentEngine inner) : IDocumentEngine
    {
        private readonly ConcurrentDictionary<string, ProcessingStats> _stats = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, (ReadOnlyMemory<byte> Content, Task<DocumentResult> Result)> _early = new(StringComparer.Ordinal);

        /// <summary>Number of documents whose job took the result of an early start.</summary>
        public int PrefetchesTaken;

        public async Task<DocumentResult> ProcessAsync(DocumentInput input, CancellationToken cancellationToken)
        {
            DocumentResult result;
            if (input.Pages is null && _early.TryRemove(input.Name, out var early) && early.Content.Span.SequenceEqual(input.Content.Span))
            {
                result = await early.Result.WaitAsync(cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref PrefetchesTaken);
            }
            else
            {
                result = await inner.ProcessAsync(input, cancellationToken).ConfigureAwait(false);
            }
            _stats[input.Name] = result.Stats;
            return result;
        }

        /// <summary>Starts the <paramref name="count"/> largest readable inputs (the ingest queues the largest first) on the engine.</summary>
        public void Prefetch(IReadOnlyList<BatchInput> inputs, int count, long maxBytes, CancellationToken cancellationToken)
        {
            var sized = new List<(BatchInput Input, long Bytes)>();
            foreach (var input in inputs)
            {
                try
                {
                    sized.Add((input, new FileInfo(input.Path).Length));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // left to the ingest, which reports it by name
                }
            }
            // Stable, like the ingest's order, so equal sizes keep the input order.
            foreach (var (input, bytes) in sized.Where(s => s.Bytes <= maxBytes).OrderByDescending(s => s.Bytes).Take(count))
            {
                byte[] content;
                try
                {
                    content = File.ReadAllBytes(input.Path);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    continue;
                }
                var result = Task.Run(() => inner.ProcessAsync(new DocumentInput(input.RelativeName, content), cancellationToken), cancellationToken);
                // A file the ingest refuses (or a changed one) never takes its result: its failure is observed here.
                _ = result.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                _early[input.RelativeName] = (content, result);
            }
        }

        public ProcessingStats? Take(string fileName) => _stats.TryRemove(fileName, out var stats) ? stats : null;
    }

    /// <summary>A file opened at its first read: a batch of thousands of files holds one handle at a time.</summary>
    private sealed class DeferredFileStream(string path) : Stream
    {
        private FileStream? _inner;
        private bool _ended;

        private Stream Inner => _ended ? Null : _inner ??= new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Closing(Inner.Read(buffer, offset, count), count);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Closing(await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false), buffer.Length);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        /// <summary>At the end of the file its handle is closed at once; later reads return nothing.</summary>
        private int Closing(int read, int asked)
        {
            if (read == 0 && asked > 0)
            {
                _inner?.Dispose();
                _ended = true;
            }
            return read;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _inner?.Dispose();
            _inner = null;
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            if (_inner is not null) await _inner.DisposeAsync().ConfigureAwait(false);
            _inner = null;
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
