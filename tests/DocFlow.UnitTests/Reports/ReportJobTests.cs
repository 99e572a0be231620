using System.Collections.Concurrent;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Reports;
using DocFlow.UnitTests.Reports.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace DocFlow.UnitTests.Reports;

public sealed class ReportJobTests : IDisposable
{
    private static readonly RetryOptions FastRetry = new() { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) };
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "docflow-report-" + Guid.NewGuid().ToString("N"));

    private sealed class Source(Func<JobTicket, BatchReport> load) : IBatchReportSource
    {
        public ConcurrentQueue<string> Loaded { get; } = new();

        public Task<BatchReport> LoadAsync(JobTicket ticket, CancellationToken cancellationToken)
        {
            Loaded.Enqueue(ticket.Source);
            return Task.FromResult(load(ticket));
        }
    }

    private static async Task<ReportOutcome> RunReportJob(IBatchReportSource source, string directory)
    {
        var outcome = new TaskCompletionSource<ReportOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = new InProcessJobQueue();
        await queue.EnqueueAsync(new JobTicket("batch-1-report", JobRoute.Report, JobPriority.Normal, directory) { BatchId = "batch-1" }, CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var loop = new WorkerLoop(queue, new ReportJobHandler(source, o => outcome.TrySetResult(o)), FastRetry, NullLogger<WorkerLoop>.Instance);
        var running = loop.RunAsync([JobRoute.Report], 1, stop.Token);
        var result = await outcome.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await running;
        return result;
    }

    [Fact]
    public async Task ReportRoute_JobRunsThroughWorkerLoop_AndWritesTheThreeFiles()
    {
        var doc = Some.Invoice("Acme", "A-1", 10m, 2m, "EUR");
        var rows = new[] { Some.Row("a.pdf", fields: KeyFields.From(doc)), Some.Row("b.pdf", status: "failed", errorCode: "corrupt", errorMessage: "bad") };
        var source = new Source(t => Some.Report(rows, new Dictionary<string, DocFlow.Documents.Document> { ["a.pdf"] = doc }, t.Source));

        var outcome = await RunReportJob(source, _directory);

        Assert.Equal("succeeded", outcome.Status);
        Assert.Equal([_directory], source.Loaded);
        Assert.Equal(["results.csv", "results.json", "report.pdf"], outcome.Files);
        Assert.All(outcome.Files, f => Assert.True(new FileInfo(Path.Combine(_directory, f)).Length > 0, f));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(_directory, "results.csv")).Length);
        Assert.Empty(Directory.EnumerateFiles(_directory, "*.tmp"));
    }

    [Fact]
    public async Task ReportRoute_FailingJob_IsRetriedThenRecordedAsFailed()
    {
        var source = new Source(_ => throw new IOException("disk full"));

        var outcome = await RunReportJob(source, _directory);

        Assert.Equal("failed", outcome.Status);
        Assert.Equal(FastRetry.MaxAttempts, source.Loaded.Count);
        Assert.Contains("disk full", outcome.Error);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }
}
