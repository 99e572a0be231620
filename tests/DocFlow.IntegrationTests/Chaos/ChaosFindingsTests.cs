using DocFlow.Blobs;
using DocFlow.Data;
using DocFlow.Documents;
using DocFlow.IntegrationTests.Data;
using DocFlow.IntegrationTests.Support;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace DocFlow.IntegrationTests.Chaos;

/// <summary>
/// Regressions for what the chaos run found (tools/chaos, docs/benchmarks.md "Chaos run"). A worker SIGKILLed, or the
/// store or queue gone, between the last document's final status move and the batch's report ticket left the batch
/// completed without a report for ever (report.pdf answered 202 + Retry-After indefinitely), because the redelivered
/// ticket found its job final and returned at once. A redelivery of a finished job now queues the report again.
/// </summary>
public sealed class ChaosFindingsTests(PostgresServerFixture postgres) : IClassFixture<PostgresServerFixture>
{
    [Fact]
    public async Task RedeliveryOfTheLastFinishedDocument_QueuesTheBatchReportItsDeadWorkerNeverQueued()
    {
        var ct = CancellationToken.None;
        await using var database = new DocFlowDatabase(new DatabaseOptions { ConnectionString = await postgres.CreateDatabaseAsync("report_after_crash") });
        await database.MigrateAsync(ct);
        var store = new EfJobStore(database, TimeProvider.System);
        var queue = new InProcessJobQueue();
        var batchId = Some.NewId("batch");
        var job = Some.Job();
        await store.CreateBatchAsync(batchId, [job], ct);

        // The first delivery's worker got as far as the final move, then died before BatchCompletion ran.
        Assert.True(await store.TryTransitionAsync(job.Id, JobStatus.Queued, JobStatus.Processing, null, ct));
        await store.SaveResultAsync(job.Id, Some.Document(), Some.Stats(), ct);
        Assert.True(await store.TryTransitionAsync(job.Id, JobStatus.Processing, JobStatus.Succeeded, null, ct));
        Assert.Equal(0, (await queue.GetStatisticsAsync(ct)).TotalDepth);

        // Its ticket comes back (the dead consumer's pending entry claimed by another worker).
        var blobs = new FileSystemBlobStore(Repo.NewTempDirectory("report-after-crash"));
        var handler = new DocumentJobHandler(store, blobs, new NeverRunEngine(), NullLogger<DocumentJobHandler>.Instance,
            queue, completion: new BatchCompletion(store, queue));
        await handler.HandleAsync(new JobTicket(job.Id, JobRoute.Pdf, JobPriority.Normal, job.BlobKey) { BatchId = batchId, Deliveries = 2 }, ct);

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var fetched = await queue.FetchAsync([JobRoute.Report], wait.Token);
        Assert.Equal(BatchCompletion.ReportJobId(batchId), fetched.Ticket.JobId);
        Assert.Equal(JobStatus.Succeeded, (await store.GetJobAsync(job.Id, ct))!.Status);
        Assert.Equal(1, (await store.GetJobAsync(job.Id, ct))!.History.Count(h => h.Status == JobStatus.Succeeded));
    }

    /// <summary>
    /// Regression for the long chaos run's "recorded without an answer seen": PostgreSQL went down after the batch was
    /// recorded and before the duplicate check, the client was told 503, sent the files again as a new batch, and recovery
    /// processed the recorded one too. The check is only a saving: an outage there now queues the document and the upload
    /// is answered 202. (The outage is injected into the real store at that one call: no server stops on cue.)
    /// </summary>
    [Fact]
    public async Task StoreOutageAtTheDuplicateCheck_AfterTheBatchIsRecorded_QueuesTheDocumentInsteadOfFailingTheUpload()
    {
        var ct = CancellationToken.None;
        await using var database = new DocFlowDatabase(new DatabaseOptions { ConnectionString = await postgres.CreateDatabaseAsync("dedup_outage") });
        await database.MigrateAsync(ct);
        var store = new DuplicateCheckOutage(new EfJobStore(database, TimeProvider.System));
        var queue = new InProcessJobQueue();
        var handoff = new DocFlow.Server.Ingest.QueueHandoff(queue, store, TimeProvider.System, NullLogger<DocFlow.Server.Ingest.QueueHandoff>.Instance);
        var ingest = new DocFlow.Server.Ingest.IngestService(new FileSystemBlobStore(Repo.NewTempDirectory("dedup-outage")), store, queue, handoff,
            new EngineOptions(), Microsoft.Extensions.Options.Options.Create(new DocFlow.Server.Hosting.PlatformOptions()), TimeProvider.System);

        await using var pdf = File.OpenRead(Path.Combine(Repo.Samples, "invoice-digital.pdf"));
        var batch = await ingest.AcceptAsync([new DocFlow.Server.Ingest.Upload("invoice-digital.pdf", pdf)], JobPriority.Normal, ct);

        Assert.True(store.ChecksRefused > 0);
        var accepted = Assert.Single(batch.Documents);
        Assert.Equal(JobStatus.Queued, accepted.Status);
        Assert.Equal(JobStatus.Queued, (await store.GetJobAsync(accepted.Id, ct))!.Status);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var fetched = await queue.FetchAsync([JobRoute.Pdf], wait.Token);
        Assert.Equal(accepted.Id, fetched.Ticket.JobId);
    }

    /// <summary>The real store, except that the duplicate lookup meets an outage (as a PostgreSQL restart at that moment).</summary>
    private sealed class DuplicateCheckOutage(EfJobStore inner) : IJobIntakeStore
    {
        public int ChecksRefused;

        public Task<JobRecord?> GetJobAsync(string jobId, CancellationToken ct) => inner.GetJobAsync(jobId, ct);
        public Task<BatchRecord> CreateBatchAsync(string batchId, IReadOnlyList<NewJob> jobs, CancellationToken ct) => inner.CreateBatchAsync(batchId, jobs, ct);
        public Task<BatchRecord> CreateBatchAsync(string batchId, string tenant, IReadOnlyList<NewJob> jobs, CancellationToken ct) => inner.CreateBatchAsync(batchId, tenant, jobs, ct);
        public Task<JobRecord?> FindSucceededAsync(string sha256, string optionsKey, CancellationToken ct) => Refuse();
        public Task<JobRecord?> FindSucceededAsync(string tenant, string sha256, string optionsKey, CancellationToken ct) => Refuse();
        public Task<TenantUsage> GetTenantUsageAsync(string tenant, DateTimeOffset since, CancellationToken ct) => inner.GetTenantUsageAsync(tenant, since, ct);
        public Task<Document?> GetResultAsync(string jobId, CancellationToken ct) => inner.GetResultAsync(jobId, ct);
        public Task SaveResultAsync(string jobId, Document document, ProcessingStats stats, CancellationToken ct) => inner.SaveResultAsync(jobId, document, stats, ct);
        public Task<bool> TrySucceedAsync(string jobId, Document document, ProcessingStats stats, CancellationToken ct) => inner.TrySucceedAsync(jobId, document, stats, ct);
        public Task<bool> TryTransitionAsync(string jobId, JobStatus from, JobStatus to, StatusDetails? details, CancellationToken ct) => inner.TryTransitionAsync(jobId, from, to, details, ct);
        public Task<JobPage> ListJobsAsync(JobQuery query, CancellationToken ct) => inner.ListJobsAsync(query, ct);
        public Task<bool> RequeueFailedAsync(string jobId, CancellationToken ct) => inner.RequeueFailedAsync(jobId, ct);

        private Task<JobRecord?> Refuse()
        {
            Interlocked.Increment(ref ChecksRefused);
            throw new StoreUnavailableException("The job store is unavailable (injected at the duplicate check).");
        }
    }

    /// <summary>
    /// Regression for the chaos run's "result written twice": a PostgreSQL crash between the result's write and the final
    /// move left a stored result on a job still processing, and its retry processed the document and wrote it again.
    /// The result is now written only in the transaction that wins the final move.
    /// </summary>
    [Fact]
    public async Task TrySucceed_WritesTheResultOnlyTogetherWithTheFinalMove()
    {
        var ct = CancellationToken.None;
        await using var database = new DocFlowDatabase(new DatabaseOptions { ConnectionString = await postgres.CreateDatabaseAsync("try_succeed") });
        await database.MigrateAsync(ct);
        var store = new EfJobStore(database, TimeProvider.System);
        var job = Some.Job();
        await store.CreateBatchAsync(Some.NewId("batch"), [job], ct);

        // Still queued (a reclaimed delivery put it back): nothing is written.
        Assert.False(await store.TrySucceedAsync(job.Id, Some.Document("early"), Some.Stats(), ct));
        Assert.Null(await store.GetResultAsync(job.Id, ct));

        Assert.True(await store.TryTransitionAsync(job.Id, JobStatus.Queued, JobStatus.Processing, null, ct));
        Assert.True(await store.TrySucceedAsync(job.Id, Some.Document("first"), Some.Stats(), ct));
        // A late second delivery of the same job: no second write, the first result stays.
        Assert.False(await store.TrySucceedAsync(job.Id, Some.Document("second"), Some.Stats(), ct));

        Assert.Equal("first", (await store.GetResultAsync(job.Id, ct))!.Text);
        var record = (await store.GetJobAsync(job.Id, ct))!;
        Assert.Equal(JobStatus.Succeeded, record.Status);
        Assert.Equal(3, record.Pages);
        Assert.Equal(1, record.History.Count(h => h.Status == JobStatus.Succeeded));
    }

    /// <summary>The engine of a job that is already final: never asked to process anything.</summary>
    private sealed class NeverRunEngine : IDocumentEngine
    {
        public Task<DocumentResult> ProcessAsync(DocumentInput input, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("a finished job was processed again");
    }
}
