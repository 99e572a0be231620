using System.Text;
using DocFlow.Blobs;
using DocFlow.Documents;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DocFlow.UnitTests.Processing;

public sealed class SplitPlannerTests
{
    [Theory]
    [InlineData(9, 4, "1-4,5-8,9-9")]
    [InlineData(40, 4, "1-4,5-8,9-12,13-16,17-20,21-24,25-28,29-32,33-36,37-40")]
    [InlineData(10, 5, "1-5,6-10")]
    [InlineData(3, 8, "1-3")]
    public void Plan_CoversEveryPageOnce_InOrder(int pages, int rangeSize, string expected)
    {
        var plan = SplitPlanner.Plan(pages, rangeSize);

        Assert.Equal(expected, string.Join(',', plan));
        Assert.Equal(Enumerable.Range(1, pages), plan.SelectMany(r => Enumerable.Range(r.First, r.Count)));
    }

    [Theory]
    [InlineData(8, 8, false)]
    [InlineData(8, 9, true)]
    [InlineData(0, 500, false)]
    [InlineData(1, 2, true)]
    public void ShouldSplit_OnlyAboveTheThreshold_AndNeverWhenZero(int threshold, int pages, bool split) =>
        Assert.Equal(split, new SplitOptions { PageThreshold = threshold }.ShouldSplit(pages));

    [Fact]
    public void PageRange_RoundTripsItsWireForm()
    {
        Assert.Equal(new PageRange(5, 8), PageRange.Parse("5-8"));
        Assert.Equal("37-40", new PageRange(37, 40).ToString());
        Assert.Throws<FormatException>(() => PageRange.Parse("8-5"));
        Assert.Throws<FormatException>(() => PageRange.Parse("0-3"));
    }

    [Fact]
    public void RangeTicket_RoundTripsThroughARedisEntry()
    {
        var ticket = new JobTicket("job-1#2", JobRoute.Pdf, JobPriority.Normal, "blob", Attempt: 1)
        {
            ParentJobId = "job-1",
            Part = 2,
            Pages = new PageRange(9, 12),
            EnqueuedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_000),
        };

        var entry = DocFlow.Redis.TicketFields.ToEntry(ticket);

        Assert.Equal(ticket, DocFlow.Redis.TicketFields.Parse(DocFlow.Redis.TicketFields.Pairs(entry)).Ticket);
        Assert.Contains(entry, f => f.Name == "pages" && f.Value == "9-12");
    }

    [Fact]
    public void PageLayoutJson_RoundTrip_AssemblesTheSameDocument()
    {
        var layouts = Enumerable.Range(1, 5).Select(CountingEngine.Layout).Select(l => l with
        {
            Rulings = [new Ruling(1.1f, 2.2f, 300.33f, 2.2f)],
            Confidence = 0.123456789f,
        }).ToList();

        var back = PageLayoutJson.Deserialize(PageLayoutJson.Serialize(layouts));

        Assert.Equal(DocumentJson.Serialize(DocumentAssembler.Assemble("application/pdf", layouts)),
            DocumentJson.Serialize(DocumentAssembler.Assemble("application/pdf", back)));
        Assert.Equal(layouts.Select(l => l.Rulings[0]), back.Select(l => l.Rulings[0]));
    }

    [Fact]
    public void Assemble_LayoutsOutOfOrder_MergesInPageOrder()
    {
        var layouts = Enumerable.Range(1, 12).Select(CountingEngine.Layout).ToList();
        var shuffled = layouts.Skip(8).Concat(layouts.Take(4)).Concat(layouts.Skip(4).Take(4)).ToList();

        Assert.Equal(DocumentJson.Serialize(DocumentAssembler.Assemble("application/pdf", layouts)),
            DocumentJson.Serialize(DocumentAssembler.Assemble("application/pdf", shuffled)));
    }
}

public sealed class DocumentJobHandlerSplitTests : IDisposable
{
    private readonly string _blobDir = Path.Combine(Path.GetTempPath(), "docflow-split-" + Guid.NewGuid().ToString("N"));
    private readonly MemoryJobStore _store = new();
    private readonly MemoryPartStore _parts = new();
    private readonly InProcessJobQueue _queue = new();
    private readonly CountingEngine _engine = new();
    private readonly FileSystemBlobStore _blobs;

    public DocumentJobHandlerSplitTests() => _blobs = new FileSystemBlobStore(_blobDir);

    public void Dispose() => Directory.Delete(_blobDir, recursive: true);

    private DocumentJobHandler Handler(int threshold = 8, int rangeSize = 4) => new(_store, _blobs, _engine,
        NullLogger<DocumentJobHandler>.Instance, _queue, _parts, Options.Create(new SplitOptions { PageThreshold = threshold, RangeSize = rangeSize }));

    private async Task<JobTicket> SubmitAsync(int pages)
    {
        var blob = await _blobs.PutAsync(new MemoryStream(Encoding.ASCII.GetBytes(pages.ToString(System.Globalization.CultureInfo.InvariantCulture))), default);
        var id = "job-" + Guid.NewGuid().ToString("N")[..8];
        _store.Add(new JobRecord { Id = id, BatchId = "b", FileName = "big.pdf", BlobKey = blob.Key, Route = JobRoute.Pdf, Status = JobStatus.Queued });
        return new JobTicket(id, JobRoute.Pdf, JobPriority.Express, blob.Key) { BatchId = "b", FileName = "big.pdf" };
    }

    private async Task<List<JobTicket>> DrainAsync()
    {
        var tickets = new List<JobTicket>();
        while ((await _queue.GetStatisticsAsync(default)).TotalDepth > 0)
        {
            await using var fetched = await _queue.FetchAsync(JobRoutes.All, default);
            tickets.Add(fetched.Ticket);
            await fetched.AcknowledgeAsync(default);
        }
        return tickets;
    }

    [Fact]
    public async Task LargeDocument_IsSplitIntoRangeTickets_InsteadOfProcessed()
    {
        var parent = await SubmitAsync(10);

        await Handler().HandleAsync(parent, default);

        var ranges = await DrainAsync();
        Assert.Equal(0, _engine.WholeDocuments);
        Assert.Empty(_engine.PagesRead);
        Assert.Equal(["1-4", "5-8", "9-10"], ranges.Select(t => t.Pages.ToString()));
        Assert.All(ranges, t =>
        {
            Assert.Equal(parent.JobId, t.ParentJobId);
            Assert.Equal(JobPriority.Express, t.Priority);
            Assert.Equal(JobRoute.Pdf, t.Route);
            Assert.Equal($"{parent.JobId}#{t.Part}", t.JobId);
        });
        Assert.Equal(JobStatus.Processing, (await _store.GetJobAsync(parent.JobId, default))!.Status);
    }

    [Fact]
    public async Task DocumentAtTheThreshold_IsProcessedWhole()
    {
        var parent = await SubmitAsync(8);

        await Handler().HandleAsync(parent, default);

        Assert.Equal(1, _engine.WholeDocuments);
        Assert.Empty(await DrainAsync());
        Assert.Equal(JobStatus.Succeeded, (await _store.GetJobAsync(parent.JobId, default))!.Status);
    }

    [Fact]
    public async Task RangesOutOfOrder_AndRedelivered_MergeIntoTheOneDocumentOfOnePiece()
    {
        var parent = await SubmitAsync(10);
        var handler = Handler();
        await handler.HandleAsync(parent, default);
        await handler.HandleAsync(parent, default); // the parent redelivered: the plan stands, ranges come again
        var ranges = await DrainAsync();
        Assert.Equal(1, _parts.Plans);

        // Last range first, the middle one twice (a redelivery), and every duplicate after the job is done.
        foreach (var t in ranges.OrderByDescending(t => t.Part))
            await handler.HandleAsync(t, default);

        var job = (await _store.GetJobAsync(parent.JobId, default))!;
        Assert.Equal(JobStatus.Succeeded, job.Status);
        Assert.Single(job.History, h => h.Status == JobStatus.Succeeded);
        Assert.Equal(1, _store.ResultWrites);
        Assert.Equal(Enumerable.Range(1, 10), _engine.PagesRead.Order()); // each page read once: duplicates were skipped

        var whole = await new CountingEngine().ProcessAsync(new DocumentInput("big.pdf", Encoding.ASCII.GetBytes("10")), default);
        var (document, stats) = _store.Results[parent.JobId];
        Assert.Equal(DocumentJson.Serialize(whole.Document), DocumentJson.Serialize(document));
        Assert.Equal(10, stats.Pages);
        Assert.Equal(whole.Stats.OcrPages, stats.OcrPages);
        Assert.Equal(whole.Stats.RasterizedPages, stats.RasterizedPages);
        Assert.Equal(whole.Stats.RotatedPages, stats.RotatedPages);
    }

    [Fact]
    public async Task FinisherRedelivered_AfterItClaimed_FinishesTheJobOnce()
    {
        var parent = await SubmitAsync(9);
        var handler = Handler();
        await handler.HandleAsync(parent, default);
        var ranges = await DrainAsync();
        foreach (var t in ranges.Take(2)) await handler.HandleAsync(t, default);
        // The last range claims the finish, then its worker "dies" before storing a result.
        _engine.FailRange = _ => null;
        await _parts.SavePartAsync(parent.JobId, 2, new PartResult("application/pdf", PageLayoutJson.Serialize([CountingEngine.Layout(9)]), [], "dead:1"), default);
        Assert.True(await _parts.TryClaimFinishAsync(parent.JobId, 2, default));
        Assert.False(await _parts.TryClaimFinishAsync(parent.JobId, 0, default));

        await handler.HandleAsync(ranges[0] with { Deliveries = 2 }, default); // another range cannot finish it
        Assert.Equal(JobStatus.Processing, (await _store.GetJobAsync(parent.JobId, default))!.Status);
        await handler.HandleAsync(ranges[2] with { Deliveries = 2 }, default); // the winner's redelivery does

        Assert.Equal(JobStatus.Succeeded, (await _store.GetJobAsync(parent.JobId, default))!.Status);
        Assert.Equal(1, _store.ResultWrites);
        Assert.Equal(9, _store.Results[parent.JobId].Stats.Pages);
    }

    [Fact]
    public async Task PermanentFailureOfARange_FailsTheJob_AndOtherRangesStop()
    {
        var parent = await SubmitAsync(12);
        var handler = Handler();
        await handler.HandleAsync(parent, default);
        var ranges = await DrainAsync();
        _engine.FailRange = r => r.First == 5 ? new DocumentException(DocumentErrorCode.Corrupt, "page 6 is damaged") : null;

        foreach (var t in ranges) await handler.HandleAsync(t, default);

        var job = (await _store.GetJobAsync(parent.JobId, default))!;
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal("corrupt", job.ErrorCode);
        Assert.Equal(Enumerable.Range(1, 4), _engine.PagesRead.Order()); // the range after the failure was not read
        Assert.Empty(_store.Results);
    }

    [Fact]
    public async Task TransientFailureOfARange_IsThrownForARetryOfThatRangeOnly()
    {
        var parent = await SubmitAsync(9);
        var handler = Handler();
        await handler.HandleAsync(parent, default);
        var ranges = await DrainAsync();
        var failures = 1;
        _engine.FailRange = r => r.First == 5 && failures-- > 0 ? new DocumentException(DocumentErrorCode.Internal, "flaky") : null;

        foreach (var t in ranges)
        {
            if (t.Part == 1) await Assert.ThrowsAsync<DocumentException>(() => handler.HandleAsync(t, default));
            else await handler.HandleAsync(t, default);
        }
        Assert.Equal(JobStatus.Processing, (await _store.GetJobAsync(parent.JobId, default))!.Status);
        await handler.HandleAsync(ranges[1] with { Attempt = 1 }, default);

        Assert.Equal(JobStatus.Succeeded, (await _store.GetJobAsync(parent.JobId, default))!.Status);
        Assert.Equal(Enumerable.Range(1, 9), _engine.PagesRead.Order());
    }

    [Fact]
    public async Task DeterministicInternalFailure_FailsTheJobAtOnce_WithoutARetry()
    {
        var parent = await SubmitAsync(9);
        var handler = Handler();
        await handler.HandleAsync(parent, default);
        var ranges = await DrainAsync();
        // Tesseract refusing these very pixels: the code stays "internal", but trying again would fail the same way.
        _engine.FailRange = r => r.First == 5
            ? new DocumentException(DocumentErrorCode.Internal, "Tesseract failed to recognise page 6 (code -1).") { Deterministic = true }
            : null;

        foreach (var t in ranges) await handler.HandleAsync(t, default); // nothing thrown: no retry is asked for

        var job = (await _store.GetJobAsync(parent.JobId, default))!;
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal("internal", job.ErrorCode);
        Assert.Contains("page 6", job.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeadLetteredRange_FailsItsJob()
    {
        var parent = await SubmitAsync(9);
        await Handler().HandleAsync(parent, default);
        var ranges = await DrainAsync();

        await Handler().OnDeadLetteredAsync(ranges[1], "failed 3 times", default);

        var job = (await _store.GetJobAsync(parent.JobId, default))!;
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Contains("pages 5-8", job.ErrorMessage, StringComparison.Ordinal);
    }
}
