using System.Collections.Concurrent;
using DocFlow.Documents;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Storage;

namespace DocFlow.UnitTests.Processing;

/// <summary>An engine whose page N reads "page N"; counts the pages it reads. Content is the page count as text.</summary>
internal sealed class CountingEngine : IDocumentEngine, IPageRangeEngine
{
    public ConcurrentBag<int> PagesRead { get; } = [];
    public int WholeDocuments;
    public Func<PageRange, Exception?> FailRange { get; set; } = _ => null;

    private static int PageCount(DocumentInput input) => int.Parse(System.Text.Encoding.ASCII.GetString(input.Content.Span), System.Globalization.CultureInfo.InvariantCulture);

    public static PageLayout Layout(int n)
    {
        var words = new[] { new WordLayout("page", new Box(10, 10, 50, 30), 0.9f), new WordLayout(n.ToString(System.Globalization.CultureInfo.InvariantCulture), new Box(60, 10, 80, 30), 0.8f) };
        var line = new LineLayout(words, Box.Union(words.Select(w => w.Box)), 0.85f);
        var paragraph = new ParagraphLayout([line], line.Box, 0.85f);
        return new PageLayout(n, 1000, 1400, "pixels", [new BlockLayout([paragraph], paragraph.Box, 0.85f)], n % 2 == 0 ? PageSource.Ocr : PageSource.TextLayer)
        {
            RotationApplied = n == 3 ? 90 : 0,
            Confidence = 0.85f,
            LanguageCode = "en",
        };
    }

    public async Task<DocumentResult> ProcessAsync(DocumentInput input, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref WholeDocuments);
        var all = await ProcessPagesAsync(input, new PageRange(1, PageCount(input)), cancellationToken);
        return Finish(all.MimeType, all.Layouts, all.RasterizedPages, TimeSpan.Zero, cancellationToken);
    }

    public DocumentOutline Inspect(DocumentInput input) => new("application/pdf", PageCount(input));

    public Task<PageRangeResult> ProcessPagesAsync(DocumentInput input, PageRange pages, CancellationToken cancellationToken)
    {
        if (FailRange(pages) is { } failure) throw failure;
        var numbers = Enumerable.Range(pages.First, pages.Count).ToList();
        foreach (var n in numbers) PagesRead.Add(n);
        return Task.FromResult(new PageRangeResult("application/pdf", [.. numbers.Select(Layout)], [.. numbers.Where(n => n % 4 == 0)]));
    }

    public DocumentResult Finish(string mimeType, IReadOnlyList<PageLayout> layouts, IReadOnlyCollection<int> rasterizedPages, TimeSpan elapsed, CancellationToken cancellationToken)
    {
        var document = DocumentAssembler.Assemble(mimeType, layouts);
        var ordered = layouts.OrderBy(l => l.PageNumber).ToList();
        return new DocumentResult(document, new ProcessingStats(mimeType, ordered.Count,
            [.. ordered.Where(l => l.Source == PageSource.Ocr).Select(l => l.PageNumber)], [.. rasterizedPages.Order()],
            ordered.Where(l => l.RotationApplied != 0).ToDictionary(l => l.PageNumber, l => l.RotationApplied), elapsed));
    }
}

/// <summary><see cref="IJobProcessingStore"/> (the worker's port) in memory, with the same compare-and-set rules.</summary>
internal sealed class MemoryJobStore : IJobProcessingStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, JobRecord> _jobs = [];
    public ConcurrentDictionary<string, (Document Document, ProcessingStats Stats)> Results { get; } = new();
    public int ResultWrites;

    public void Add(JobRecord job)
    {
        lock (_gate) _jobs[job.Id] = job with { History = [new JobStatusChange(job.Status, DateTimeOffset.UtcNow)] };
    }

    public Task<JobRecord?> GetJobAsync(string jobId, CancellationToken cancellationToken)
    {
        lock (_gate) return Task.FromResult(_jobs.GetValueOrDefault(jobId));
    }

    public Task<bool> TryTransitionAsync(string jobId, JobStatus from, JobStatus to, StatusDetails? details, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_jobs.TryGetValue(jobId, out var job) || job.Status != from) return Task.FromResult(false);
            _jobs[jobId] = job with
            {
                Status = to,
                StartedAt = to == JobStatus.Processing ? DateTimeOffset.UtcNow : job.StartedAt,
                ErrorCode = details?.ErrorCode,
                ErrorMessage = details?.ErrorMessage,
                History = [.. job.History, new JobStatusChange(to, DateTimeOffset.UtcNow)],
            };
            return Task.FromResult(true);
        }
    }

    public Task RecordAttemptAsync(string jobId, int attempts, CancellationToken cancellationToken)
    {
        lock (_gate)
            if (_jobs.TryGetValue(jobId, out var job) && job.Attempts < attempts) _jobs[jobId] = job with { Attempts = attempts };
        return Task.CompletedTask;
    }

    public Task SaveResultAsync(string jobId, Document document, ProcessingStats stats, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref ResultWrites);
        Results[jobId] = (document, stats);
        return Task.CompletedTask;
    }
}

/// <summary><see cref="IJobPartStore"/> in memory, with the same claim rule as the EF store.</summary>
internal sealed class MemoryPartStore : IJobPartStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (List<JobPart> Parts, Dictionary<int, PartResult> Results, int? Finisher)> _splits = [];
    public int Plans;

    public Task<IReadOnlyList<JobPart>> PlanPartsAsync(string jobId, IReadOnlyList<PageRange> ranges, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_splits.ContainsKey(jobId))
            {
                Plans++;
                _splits[jobId] = ([.. ranges.Select((r, i) => new JobPart(i, r, false, null, null))], [], null);
            }
        }
        return GetPartsAsync(jobId, cancellationToken);
    }

    public Task<IReadOnlyList<JobPart>> GetPartsAsync(string jobId, CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<JobPart>>(_splits.TryGetValue(jobId, out var s)
                ? [.. s.Parts.Select(p => s.Results.TryGetValue(p.Index, out var r) ? p with { Done = true, ProcessedBy = r.ProcessedBy } : p)]
                : []);
    }

    public Task SavePartAsync(string jobId, int part, PartResult result, CancellationToken cancellationToken)
    {
        lock (_gate) _splits[jobId].Results[part] = result;
        return Task.CompletedTask;
    }

    public Task<bool> TryClaimFinishAsync(string jobId, int part, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var s = _splits[jobId];
            if (s.Finisher is null && s.Results.Count == s.Parts.Count) _splits[jobId] = s with { Finisher = part };
            return Task.FromResult(_splits[jobId].Finisher == part);
        }
    }

    public Task<IReadOnlyList<PartResult>> GetPartResultsAsync(string jobId, CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<PartResult>>([.. _splits[jobId].Results.OrderBy(r => r.Key).Select(r => r.Value)]);
    }
}
