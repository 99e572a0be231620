using DocFlow.Data;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Data.Entities;
using DocFlow.Security.Encryption;
using DocFlow.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace DocFlow.IntegrationTests.Data;

/// <summary>The store's contract, run against each provider by a subclass.</summary>
public abstract class JobStoreTests : IAsyncLifetime
{
    private readonly CommandCapture _capture = new();
    private IReadOnlyList<string> _appliedAtStart = [];

    internal FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
    internal DocFlowDatabase Database { get; private set; } = null!;
    internal EfJobStore Store { get; private set; } = null!;

    /// <summary>A connection string to a new, empty database.</summary>
    protected abstract Task<string> CreateEmptyDatabaseAsync();

    protected abstract Task DeleteDatabaseAsync();

    public async Task InitializeAsync()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        Database = new DocFlowDatabase(new DatabaseOptions { ConnectionString = connectionString }, o => o.AddInterceptors(_capture));
        _appliedAtStart = await Database.MigrateAsync(CancellationToken.None);
        Store = new EfJobStore(Database, Time);
    }

    public async Task DisposeAsync()
    {
        await Database.DisposeAsync();
        await DeleteDatabaseAsync();
    }

    [Fact]
    public async Task Migrate_FromEmpty_AppliesInitialOnceAndIsRepeatable()
    {
        // Every migration, in order, from an empty database.
        Assert.Collection(_appliedAtStart,
            first => Assert.EndsWith("_Initial", first),
            second => Assert.EndsWith("_SplitJobParts", second),
            third => Assert.EndsWith("_DashboardFinishedAtIndex", third),
            fourth => Assert.EndsWith("_BatchReports", fourth),
            fifth => Assert.EndsWith("_ApiKeys", fifth),
            sixth => Assert.EndsWith("_AuditLog", sixth),
            seventh => Assert.EndsWith("_Tenants", seventh),
            eighth => Assert.EndsWith("_ErasureAndRetention", eighth),
            ninth => Assert.EndsWith("_PageSelectionAndOperations", ninth),
            tenth => Assert.EndsWith("_WebhooksAndIdempotency", tenth),
            eleventh => Assert.EndsWith("_CloudEngines", eleventh),
            twelfth => Assert.EndsWith("_ResultTenant", twelfth));
        Assert.Empty(await Database.MigrateAsync(CancellationToken.None));
        await using var db = Database.CreateDbContext();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        await Store.PingAsync(CancellationToken.None);
    }

    [Fact]
    public async Task SealedResultsAndLayouts_AreSealedInTheirRows_ReadBack_AndRotate()
    {
        var none = CancellationToken.None;
        var k1 = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var k2 = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        AtRestEncryption With(string? active, params (string Id, byte[] Key)[] keys) => new(new KeyRing(keys.ToDictionary(k => k.Id, k => k.Key), active));
        var sealer = With("k1", ("k1", k1));
        var store = new EfJobStore(Database, Time, encryption: sealer);
        var parts = new EfJobPartStore(Database, Time, sealer);
        var job = Some.Job();
        await store.CreateBatchAsync(Some.NewId("batch"), [job], none);
        await store.SaveResultAsync(job.Id, Some.Document("Sealed MARKER7F3A"), Some.Stats(), none);
        await parts.PlanPartsAsync(job.Id, [new PageRange(1, 2)], none);
        await parts.SavePartAsync(job.Id, 0, new PartResult("application/pdf", """[{"text":"MARKER7F3A"}]""", [], "w1"), none);

        async Task<(string Result, string Layouts)> RawAsync()
        {
            await using var db = Database.CreateDbContext();
            // jsonb on PostgreSQL holds the sealed value as a JSON string; TEXT on SQLite the same characters.
            var result = await db.Database.SqlQuery<string>($"SELECT CAST(document AS TEXT) AS \"Value\" FROM job_results WHERE job_id = {job.Id}").SingleAsync();
            var layouts = await db.Database.SqlQuery<string>($"SELECT layouts AS \"Value\" FROM job_parts WHERE job_id = {job.Id}").SingleAsync();
            return (result, layouts);
        }
        var (result, layouts) = await RawAsync();
        Assert.StartsWith(AtRestEncryption.RecordPrefix, result);
        Assert.StartsWith(AtRestEncryption.RecordPrefix, layouts);
        Assert.DoesNotContain("MARKER7F3A", result + layouts);
        Assert.Equal("Sealed MARKER7F3A", (await store.GetResultAsync(job.Id, none))!.Text);
        Assert.Contains("MARKER7F3A", Assert.Single(await parts.GetPartResultsAsync(job.Id, none)).LayoutsJson);
        var e = await Assert.ThrowsAsync<SealedDataException>(() => new EfJobStore(Database, Time).GetResultAsync(job.Id, none));
        Assert.Contains($"the result of job {job.Id}", e.Message);
        Assert.Contains("'k1'", e.Message);

        var rotation = new EfRecordKeyRotation(Database, With("k2", ("k1", k1), ("k2", k2)));
        Assert.Equal(new RewrapCounts(2, 0, 0), await rotation.RewrapAllAsync(sealPlaintext: false, none));
        Assert.Equal(new RewrapCounts(0, 2, 0), await rotation.RewrapAllAsync(sealPlaintext: false, none));
        var k2Only = With("k2", ("k2", k2));
        Assert.Equal("Sealed MARKER7F3A", (await new EfJobStore(Database, Time, encryption: k2Only).GetResultAsync(job.Id, none))!.Text);
        Assert.Contains("MARKER7F3A", Assert.Single(await new EfJobPartStore(Database, Time, k2Only).GetPartResultsAsync(job.Id, none)).LayoutsJson);
        Assert.NotEqual(result, (await RawAsync()).Result);
    }

    [Fact]
    public async Task AuditLog_ConcurrentAppendsChainWithoutForks_FiltersPage_AndAChangedRowBreaksTheChain()
    {
        var log = new EfAuditLog(Database);
        var ct = CancellationToken.None;
        Assert.Equal(new DocFlow.Security.AuditVerification(0, null, null), await log.VerifyAsync(ct));
        var start = Time.GetUtcNow();
        // 40 appends from 8 concurrent writers: one chain, sequence 1..40, every link intact.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 5; i++)
                await log.AppendAsync(new DocFlow.Security.AuditEvent(start.AddSeconds(w * 5 + i), w % 2 == 0 ? "dfk_even" : "dfk_odd", "admin",
                    i == 0 ? "POST /api/v1/keys" : "GET /api/v1/documents/{id}/text", $"id=doc{w}-{i}", 200, "127.0.0.1", $"req-{w}-{i}"), ct);
        })));
        var verified = await log.VerifyAsync(ct);
        Assert.True(verified.Intact, verified.Reason);
        Assert.Equal(40, verified.Count);

        var newest = await log.QueryAsync(new DocFlow.Security.AuditQuery(null, null, null, null, null, 10), ct);
        Assert.Equal(Enumerable.Range(31, 10).Reverse().Select(i => (long)i), newest.Select(e => e.Sequence));
        var next = await log.QueryAsync(new DocFlow.Security.AuditQuery(null, null, null, null, newest[^1].Sequence, 10), ct);
        Assert.Equal(30, next[0].Sequence);
        Assert.Equal(8, (await log.QueryAsync(new DocFlow.Security.AuditQuery(null, null, "POST /api/v1/keys", null, null, 100), ct)).Count);
        Assert.All(await log.QueryAsync(new DocFlow.Security.AuditQuery(null, null, null, "dfk_odd", null, 100), ct), e => Assert.Equal("dfk_odd", e.Principal));
        Assert.Equal(10, (await log.QueryAsync(new DocFlow.Security.AuditQuery(start, start.AddSeconds(10), null, null, null, 100), ct)).Count);

        await using (var db = Database.CreateDbContext())
            await db.Set<AuditEntryEntity>().Where(e => e.Sequence == 17).ExecuteUpdateAsync(u => u.SetProperty(e => e.Action, "GET /healthz"));
        var broken = await log.VerifyAsync(ct);
        Assert.Equal(17, broken.FirstBroken);
        Assert.Equal(16, broken.Count);
    }

    [Fact]
    public async Task AuditLog_AppendManyAcrossSeveralInsertStatements_KeepsOrderNullsAndTenants_OnAnIntactChain()
    {
        var log = new EfAuditLog(Database);
        var ct = CancellationToken.None;
        var start = Time.GetUtcNow();
        // Two full multi-row statements and a tail on PostgreSQL, a statement run again for each row on SQLite
        // (EfAuditLog.RowsPerStatementOf), then one more batch after them.
        var count = 2 * EfAuditLog.RowsPerStatementOf(Database.Provider) + 7;
        var events = Enumerable.Range(0, count).Select(i => new DocFlow.Security.AuditEvent(start.AddMilliseconds(i), $"dfk_{i:D4}",
            i % 3 == 0 ? null : "reader", "GET /api/v1/documents/{id}/result", i % 5 == 0 ? null : $"id=d{i}", 200 + i % 2,
            i % 7 == 0 ? null : "127.0.0.1", i % 11 == 0 ? null : $"req-{i}") { Tenant = i % 2 == 0 ? "default" : "acme" }).ToList();

        var stored = await log.AppendManyAsync(events, ct);
        await log.AppendManyAsync([events[0] with { Principal = "after" }], ct);

        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), stored.Select(e => e.Sequence));
        var read = (await log.QueryAsync(new DocFlow.Security.AuditQuery(null, null, null, null, null, 1000), ct)).Reverse().ToList();
        Assert.Equal(count + 1, read.Count);
        for (var i = 0; i < count; i++)
        {
            var (e, r) = (events[i], read[i]);
            Assert.Equal((e.Principal, e.Role, e.Action, e.Target, e.Outcome, e.ClientAddress, e.RequestId, e.Tenant),
                (r.Principal, r.Role, r.Action, r.Target, r.Outcome, r.ClientAddress, r.RequestId, r.Tenant));
            Assert.Equal(stored[i].Hash, r.Hash);
        }
        Assert.Equal("after", read[^1].Principal);
        var verified = await log.VerifyAsync(ct);
        Assert.True(verified.Intact, verified.Reason);
        Assert.Equal(count + 1, verified.Count);
    }

    [Fact]
    public async Task ApiKeys_KeepTheHash_ListNewestFirst_AndRevokeOnce()
    {
        var keys = new EfApiKeyStore(Database);
        var ct = CancellationToken.None;
        Assert.False(await keys.AnyActiveAsync(ct));
        var (first, firstKey) = await DocFlow.Security.ApiKeys.CreateAsync(keys, "operator", "ops", Time.GetUtcNow(), ct);
        Time.Advance(TimeSpan.FromMinutes(1));
        var (second, _) = await DocFlow.Security.ApiKeys.CreateAsync(keys, "reader", null, Time.GetUtcNow(), ct);

        var found = await keys.FindAsync(first.Id, ct);
        Assert.NotNull(found);
        Assert.Equal((DocFlow.Security.ApiKeyFormat.Hash(firstKey), "operator", "ops", Time.GetUtcNow() - TimeSpan.FromMinutes(1)),
            (found.Hash, found.Role, found.Name, found.CreatedAt));
        Assert.Null(found.RevokedAt);
        Assert.Null(await keys.FindAsync("nosuchid", ct));
        Assert.Equal([second.Id, first.Id], (await keys.ListAsync(ct)).Select(k => k.Id));

        await keys.TouchAsync(first.Id, Time.GetUtcNow(), ct);
        Assert.Equal(Time.GetUtcNow(), (await keys.FindAsync(first.Id, ct))!.LastUsedAt);

        Assert.True(await keys.RevokeAsync(first.Id, Time.GetUtcNow(), ct));
        Assert.False(await keys.RevokeAsync(first.Id, Time.GetUtcNow(), ct));
        Assert.Equal(Time.GetUtcNow(), (await keys.FindAsync(first.Id, ct))!.RevokedAt);
        Assert.True(await keys.AnyActiveAsync(ct));
        Assert.True(await keys.RevokeAsync(second.Id, Time.GetUtcNow(), ct));
        Assert.False(await keys.AnyActiveAsync(ct));
    }

    [Fact]
    public async Task BatchReport_IsRecordedOncePerBatch_AndReplacedBySavingAgain()
    {
        var batchId = Some.NewId("batch");
        await Store.CreateBatchAsync(batchId, [Some.Job()], CancellationToken.None);
        var reports = new EfBatchReportStore(Database);
        Assert.Null(await reports.GetReportAsync(batchId, CancellationToken.None));

        await reports.SaveReportAsync(new BatchReportRecord(batchId, false, new Dictionary<string, string>(), "disk full", Time.GetUtcNow()), CancellationToken.None);
        await reports.SaveReportAsync(new BatchReportRecord(batchId, true,
            new Dictionary<string, string> { ["report.pdf"] = new string('a', 64), ["results.csv"] = new string('b', 64) }, null, Time.GetUtcNow()),
            CancellationToken.None);

        var stored = await reports.GetReportAsync(batchId, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.True(stored.Succeeded);
        Assert.Null(stored.Error);
        Assert.Equal(new string('a', 64), stored.Files["report.pdf"]);
        Assert.Equal(2, stored.Files.Count);
    }

    [Fact]
    public async Task BatchCompletion_EnqueuesTheReportJob_OnlyWhenEveryDocumentHasEnded()
    {
        var batchId = Some.NewId("batch");
        var (first, second) = (Some.Job(), Some.Job());
        await Store.CreateBatchAsync(batchId, [first, second], CancellationToken.None);
        var queue = new InProcessJobQueue(Time);
        var completion = new BatchCompletion(Store, queue, Time);

        await Store.TryTransitionAsync(first.Id, JobStatus.Queued, JobStatus.Failed, new StatusDetails("corrupt", "bad"), CancellationToken.None);
        Assert.False(await completion.JobEndedAsync(batchId, CancellationToken.None));
        Assert.Equal(0, (await queue.GetStatisticsAsync(CancellationToken.None)).TotalDepth);

        await Store.TryTransitionAsync(second.Id, JobStatus.Queued, JobStatus.Processing, null, CancellationToken.None);
        await Store.TryTransitionAsync(second.Id, JobStatus.Processing, JobStatus.Succeeded, null, CancellationToken.None);
        Assert.True(await completion.JobEndedAsync(batchId, CancellationToken.None));

        await using var fetched = await queue.FetchAsync([JobRoute.Report], CancellationToken.None);
        Assert.Equal((BatchCompletion.ReportJobId(batchId), batchId), (fetched.Ticket.JobId, fetched.Ticket.BatchId));
    }

    [Fact]
    public async Task CreateBatch_RecordsQueuedJobsInSubmissionOrder()
    {
        var batchId = Some.NewId("batch");
        var jobs = Enumerable.Range(0, 5).Select(_ => Some.Job()).ToList();

        var created = await Store.CreateBatchAsync(batchId, jobs, CancellationToken.None);

        Assert.Equal(5, created.Total);
        var batch = await Store.GetBatchAsync(batchId, CancellationToken.None);
        Assert.NotNull(batch);
        Assert.Equal((5, 5, 0, 0, 0), (batch.Total, batch.Queued, batch.Processing, batch.Succeeded, batch.Failed));
        Assert.Equal(BatchStatus.Running, batch.Status);
        Assert.Equal(Time.GetUtcNow(), batch.CreatedAt);
        Assert.Null(batch.FinishedAt);

        var page = await Store.ListJobsAsync(new JobQuery(BatchId: batchId), CancellationToken.None);
        Assert.Equal(jobs.Select(j => j.Id), page.Items.Select(j => j.Id));
        Assert.Null(page.NextCursor);

        var job = await Store.GetJobAsync(jobs[0].Id, CancellationToken.None);
        Assert.NotNull(job);
        Assert.Equal(JobStatus.Queued, job.Status);
        Assert.Equal("scan.pdf", job.FileName);
        Assert.Equal("application/pdf", job.MimeType);
        Assert.Equal(Queueing.JobRoute.Pdf, job.Route);
        Assert.Equal([new JobStatusChange(JobStatus.Queued, Time.GetUtcNow())], job.History);
        Assert.Null(await Store.GetBatchAsync("no-such-batch", CancellationToken.None));
        Assert.Null(await Store.GetJobAsync("no-such-job", CancellationToken.None));
    }

    [Fact]
    public async Task Transition_MovesForwardOnly()
    {
        var job = Some.Job();
        await Store.CreateBatchAsync(Some.NewId("batch"), [job], CancellationToken.None);

        Time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await Store.TryTransitionAsync(job.Id, JobStatus.Queued, JobStatus.Processing, null, CancellationToken.None));
        Time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await Store.TryTransitionAsync(job.Id, JobStatus.Processing, JobStatus.Succeeded, null, CancellationToken.None));

        // A late duplicate delivery finds the job no longer queued/processing and changes nothing.
        Assert.False(await Store.TryTransitionAsync(job.Id, JobStatus.Queued, JobStatus.Processing, null, CancellationToken.None));
        Assert.False(await Store.TryTransitionAsync(job.Id, JobStatus.Processing, JobStatus.Failed, new("internal", "late"), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() =>
            Store.TryTransitionAsync(job.Id, JobStatus.Succeeded, JobStatus.Queued, null, CancellationToken.None));
        Assert.False(await Store.TryTransitionAsync("no-such-job", JobStatus.Queued, JobStatus.Processing, null, CancellationToken.None));

        var stored = await Store.GetJobAsync(job.Id, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal(JobStatus.Succeeded, stored.Status);
        Assert.Null(stored.ErrorCode);
        Assert.Equal([JobStatus.Queued, JobStatus.Processing, JobStatus.Succeeded], stored.History.Select(h => h.Status));
        Assert.Equal(Time.GetUtcNow().AddSeconds(-2), stored.StartedAt);
        Assert.Equal(Time.GetUtcNow(), stored.FinishedAt);
    }

    [Fact]
    public async Task Transition_RetryGoesBackToQueuedWithTheReason_AndAttemptsOnlyGrow()
    {
        var job = Some.Job();
        await Store.CreateBatchAsync(Some.NewId("batch"), [job], CancellationToken.None);

        Assert.True(await Store.TryTransitionAsync(job.Id, JobStatus.Queued, JobStatus.Processing, null, CancellationToken.None));
        await Store.RecordAttemptAsync(job.Id, 1, CancellationToken.None);
        Assert.True(await Store.TryTransitionAsync(job.Id, JobStatus.Processing, JobStatus.Queued, new("internal", "worker crashed"), CancellationToken.None));
        Assert.True(await Store.TryTransitionAsync(job.Id, JobStatus.Queued, JobStatus.Processing, null, CancellationToken.None));
        await Store.RecordAttemptAsync(job.Id, 2, CancellationToken.None);
        await Store.RecordAttemptAsync(job.Id, 1, CancellationToken.None); // a stale redelivery of the first try
        Assert.True(await Store.TryTransitionAsync(job.Id, JobStatus.Processing, JobStatus.Failed, new("corrupt", "The PDF is damaged."), CancellationToken.None));

        var stored = await Store.GetJobAsync(job.Id, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal(2, stored.Attempts);
        Assert.Equal(JobStatus.Failed, stored.Status);
        Assert.Equal(("corrupt", "The PDF is damaged."), (stored.ErrorCode, stored.ErrorMessage));
        Assert.Equal(
            [JobStatus.Queued, JobStatus.Processing, JobStatus.Queued, JobStatus.Processing, JobStatus.Failed],
            stored.History.Select(h => h.Status));
    }

    [Fact]
    public async Task RequeueFailed_IsTheOperatorsWayBack_AndOnlyFromFailed()
    {
        var job = Some.Job();
        await Store.CreateBatchAsync(Some.NewId("batch"), [job], CancellationToken.None);
        Assert.False(await Store.RequeueFailedAsync(job.Id, CancellationToken.None));
        Assert.True(await Store.TryTransitionAsync(job.Id, JobStatus.Queued, JobStatus.Processing, null, CancellationToken.None));
        Assert.True(await Store.TryTransitionAsync(job.Id, JobStatus.Processing, JobStatus.Failed, new("internal", "failed 3 times"), CancellationToken.None));

        Assert.True(await Store.RequeueFailedAsync(job.Id, CancellationToken.None));
        Assert.False(await Store.RequeueFailedAsync(job.Id, CancellationToken.None));

        var stored = await Store.GetJobAsync(job.Id, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal(JobStatus.Queued, stored.Status);
        Assert.Null(stored.ErrorCode);
        Assert.Null(stored.FinishedAt);
        Assert.Equal(JobStatus.Queued, stored.History[^1].Status);
    }

    [Fact]
    public async Task Transition_WhenRacing_ExactlyOneWins()
    {
        var job = Some.Job();
        await Store.CreateBatchAsync(Some.NewId("batch"), [job], CancellationToken.None);

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
            Store.TryTransitionAsync(job.Id, JobStatus.Queued, JobStatus.Processing, null, CancellationToken.None))));

        Assert.Single(results, won => won);
        var stored = await Store.GetJobAsync(job.Id, CancellationToken.None);
        Assert.Single(stored!.History, h => h.Status == JobStatus.Processing);
    }

    [Fact]
    public async Task SaveResult_RedeliveredConcurrently_KeepsOneResult()
    {
        var job = Some.Job();
        await Store.CreateBatchAsync(Some.NewId("batch"), [job], CancellationToken.None);

        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
            Store.SaveResultAsync(job.Id, Some.Document(), Some.Stats(), CancellationToken.None))));
        await Store.SaveResultAsync(job.Id, Some.Document("Invoice 42 (again)"), Some.Stats(), CancellationToken.None);

        await using (var db = Database.CreateDbContext())
            Assert.Equal(1, await db.Set<JobResultEntity>().CountAsync(r => r.JobId == job.Id));
        var document = await Store.GetResultAsync(job.Id, CancellationToken.None);
        Assert.Equal("Invoice 42 (again)", document?.Text);
        Assert.Null(await Store.GetResultAsync("no-such-job", CancellationToken.None));

        var stored = await Store.GetJobAsync(job.Id, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal((3, "mixed", "invoice", 1234L), (stored.Pages, stored.EnginePath, stored.DocumentType, stored.DurationMs));
        Assert.Equal([2, 3], stored.OcrPages);
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Store.SaveResultAsync("no-such-job", Some.Document(), Some.Stats(), CancellationToken.None));
    }

    [Fact]
    public async Task Batch_IsRunningUntilEveryDocumentIsTerminal_ThenCompleted()
    {
        var batchId = Some.NewId("batch");
        var jobs = Enumerable.Range(0, 3).Select(_ => Some.Job()).ToList();
        await Store.CreateBatchAsync(batchId, jobs, CancellationToken.None);

        await Store.TryTransitionAsync(jobs[0].Id, JobStatus.Queued, JobStatus.Processing, null, CancellationToken.None);
        await Store.TryTransitionAsync(jobs[1].Id, JobStatus.Queued, JobStatus.Failed, new("unsupported_type", "Not a PDF."), CancellationToken.None);
        var running = await Store.GetBatchAsync(batchId, CancellationToken.None);
        Assert.Equal((1, 1, 0, 1), (running!.Queued, running.Processing, running.Succeeded, running.Failed));
        Assert.True(await Store.HasOpenJobsAsync(batchId, CancellationToken.None));
        Assert.Equal(BatchStatus.Running, running.Status);
        Assert.Null(running.FinishedAt);

        Time.Advance(TimeSpan.FromSeconds(5));
        await Store.TryTransitionAsync(jobs[0].Id, JobStatus.Processing, JobStatus.Succeeded, null, CancellationToken.None);
        await Store.TryTransitionAsync(jobs[2].Id, JobStatus.Queued, JobStatus.Processing, null, CancellationToken.None);
        Assert.True(await Store.HasOpenJobsAsync(batchId, CancellationToken.None)); // jobs[2] still processing
        Time.Advance(TimeSpan.FromSeconds(5));
        await Store.TryTransitionAsync(jobs[2].Id, JobStatus.Processing, JobStatus.Succeeded, null, CancellationToken.None);

        Assert.False(await Store.HasOpenJobsAsync(batchId, CancellationToken.None));
        Assert.False(await Store.HasOpenJobsAsync("no-such-batch", CancellationToken.None));
        var done = await Store.GetBatchAsync(batchId, CancellationToken.None);
        Assert.Equal((3, 0, 0, 2, 1), (done!.Total, done.Queued, done.Processing, done.Succeeded, done.Failed));
        Assert.Equal(BatchStatus.Completed, done.Status);
        Assert.Equal("completed", done.Status.ToWireName());
        Assert.Equal(Time.GetUtcNow(), done.FinishedAt);
    }

    [Fact]
    public async Task FindSucceeded_MatchesContentHashAndOptions()
    {
        var hash = new string('a', 64);
        var first = Some.Job(sha256: hash, optionsKey: "ocr=eng");
        var pending = Some.Job(sha256: hash, optionsKey: "ocr=eng");
        await Store.CreateBatchAsync(Some.NewId("batch"), [first, pending], CancellationToken.None);
        Assert.Null(await Store.FindSucceededAsync(hash, "ocr=eng", CancellationToken.None));

        await Store.TryTransitionAsync(first.Id, JobStatus.Queued, JobStatus.Processing, null, CancellationToken.None);
        await Store.SaveResultAsync(first.Id, Some.Document(), Some.Stats(), CancellationToken.None);
        await Store.TryTransitionAsync(first.Id, JobStatus.Processing, JobStatus.Succeeded, null, CancellationToken.None);

        Assert.Equal(first.Id, (await Store.FindSucceededAsync(hash, "ocr=eng", CancellationToken.None))?.Id);
        Assert.Null(await Store.FindSucceededAsync(hash, "ocr=deu", CancellationToken.None));
        Assert.Null(await Store.FindSucceededAsync(new string('b', 64), "ocr=eng", CancellationToken.None));
    }

    [Fact]
    public async Task ListJobs_NewestFirstAndByStatus_PageAcrossBatches()
    {
        var older = Enumerable.Range(0, 3).Select(_ => Some.Job()).ToList();
        await Store.CreateBatchAsync(Some.NewId("batch"), older, CancellationToken.None);
        Time.Advance(TimeSpan.FromMinutes(1));
        var newer = Enumerable.Range(0, 3).Select(_ => Some.Job()).ToList();
        await Store.CreateBatchAsync(Some.NewId("batch"), newer, CancellationToken.None);
        await Store.TryTransitionAsync(older[1].Id, JobStatus.Queued, JobStatus.Processing, null, CancellationToken.None);

        var recent = await ReadAllAsync(new JobQuery(Limit: 2, NewestFirst: true));
        Assert.Equal(
            newer.Select(j => j.Id).Order(StringComparer.Ordinal).Reverse().Concat(older.Select(j => j.Id).Order(StringComparer.Ordinal).Reverse()),
            recent.Select(j => j.Id));

        var queued = await ReadAllAsync(new JobQuery(Status: JobStatus.Queued, Limit: 2));
        Assert.Equal(5, queued.Count);
        Assert.DoesNotContain(queued, j => j.Id == older[1].Id);
        Assert.Equal(older.Where(j => j.Id != older[1].Id).Select(j => j.Id).Order(StringComparer.Ordinal), queued.Take(2).Select(j => j.Id));
    }

    [Fact]
    public async Task ListJobs_With10000Jobs_PagesThroughIndexes()
    {
        var batchId = Some.NewId("batch");
        var jobs = Enumerable.Range(0, 10_000).Select(i => Some.Job(id: $"job-{i:D5}-{Guid.NewGuid():N}")).ToList();
        await Store.CreateBatchAsync(batchId, jobs, CancellationToken.None);
        await using (var db = Database.CreateDbContext())
            await db.Database.ExecuteSqlRawAsync("ANALYZE");

        var all = await ReadAllAsync(new JobQuery(BatchId: batchId, Limit: 1000));
        Assert.Equal(jobs.Select(j => j.Id), all.Select(j => j.Id));

        var first = await Store.ListJobsAsync(new JobQuery(BatchId: batchId, Limit: 50), CancellationToken.None);
        await AssertIndexedAsync(() => Store.ListJobsAsync(new JobQuery(BatchId: batchId, Limit: 50, Cursor: first.NextCursor), CancellationToken.None),
            "IX_jobs_batch_id_ordinal");
        var queued = await Store.ListJobsAsync(new JobQuery(Status: JobStatus.Queued, Limit: 50), CancellationToken.None);
        await AssertIndexedAsync(() => Store.ListJobsAsync(new JobQuery(Status: JobStatus.Queued, Limit: 50, Cursor: queued.NextCursor), CancellationToken.None));
        var recent = await Store.ListJobsAsync(new JobQuery(Limit: 50, NewestFirst: true), CancellationToken.None);
        await AssertIndexedAsync(() => Store.ListJobsAsync(new JobQuery(Limit: 50, Cursor: recent.NextCursor, NewestFirst: true), CancellationToken.None));

        // Scoped to a tenant (a reader's lists): still a seek in an index, no sort (here every job is the tenant's, so the
        // planner may take either (created_at, id) or (tenant, created_at, id)).
        var scoped = new EfJobStore(Database, Time, new DocFlow.Security.FixedTenantScope(DocFlow.Security.Tenants.Default));
        var mine = await scoped.ListJobsAsync(new JobQuery(Limit: 50, NewestFirst: true), CancellationToken.None);
        await AssertIndexedAsync(() => scoped.ListJobsAsync(new JobQuery(Limit: 50, Cursor: mine.NextCursor, NewestFirst: true), CancellationToken.None));

        var batch = await Store.GetBatchAsync(batchId, CancellationToken.None);
        Assert.Equal(10_000, batch!.Queued);
    }

    [Fact]
    public async Task ListJobs_WithForeignCursor_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ListJobsAsync(new JobQuery(BatchId: "b", Cursor: "t1.x"), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ListJobsAsync(new JobQuery(Cursor: "o5"), CancellationToken.None));
    }

    /// <summary>Runs the store call, then asks the planner how it ran the query: through an index, with no sort or full scan.</summary>
    private async Task AssertIndexedAsync(Func<Task> storeCall, string? index = null)
    {
        await storeCall();
        var (sql, parameters) = _capture.Last ?? throw new InvalidOperationException("No query was captured.");

        await using var db = Database.CreateDbContext();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = db.ExplainPrefix + sql;
        foreach (var (name, value) in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            command.Parameters.Add(p);
        }
        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                plan.Add(reader.GetString(reader.FieldCount - 1));
        var text = string.Join('\n', plan);

        Assert.True(PlanUsesIndex(text, index), $"Expected an index{(index is null ? "" : " " + index)} in the plan of\n{sql}\n---\n{text}");
    }

    /// <summary>Whether the plan reads jobs through an index (and <paramref name="index"/> when given) without sorting.</summary>
    [Fact]
    public async Task MigrationTenants_GivesRowsFromBeforeTenantsTheDefaultTenant()
    {
        var ct = CancellationToken.None;
        await using (var db = Database.CreateDbContext())
        {
            var migrations = db.Database.GetMigrations().ToList();
            var beforeTenants = migrations[migrations.FindIndex(m => m.EndsWith("_Tenants", StringComparison.Ordinal)) - 1];
            await db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>().MigrateAsync(beforeTenants, ct);
            // Rows as a server before tenants wrote them (no tenant column yet).
            var at = db.ToDbTime(Time.GetUtcNow());
            await db.Database.ExecuteSqlAsync($"INSERT INTO batches (id, created_at, total) VALUES ('b-old', {at}, 1)", ct);
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO jobs (id, batch_id, ordinal, file_name, blob_key, route, priority, status, attempts, created_at) VALUES ('d-old', 'b-old', 0, 'old.pdf', {new string('a', 64)}, 'pdf', 'normal', 'queued', 0, {at})", ct);
        }
        await Database.MigrateAsync(ct);

        var job = await Store.GetJobAsync("d-old", ct);
        Assert.Equal(DocFlow.Security.Tenants.Default, job!.Tenant);
        Assert.Equal(DocFlow.Security.Tenants.Default, (await Store.GetBatchAsync("b-old", ct))!.Tenant);
        var defaultOnly = new EfJobStore(Database, Time, new DocFlow.Security.FixedTenantScope(DocFlow.Security.Tenants.Default));
        Assert.NotNull(await defaultOnly.GetJobAsync("d-old", ct));
        Assert.Null(await new EfJobStore(Database, Time, new DocFlow.Security.FixedTenantScope("acme")).GetJobAsync("d-old", ct));
    }

    [Fact]
    public async Task PooledContexts_CarryNoTenantScopeOrTrackedRowsIntoTheNextUnitOfWork()
    {
        var ct = CancellationToken.None;
        var acmeJob = Some.Job();
        var globexJob = Some.Job();
        await Store.CreateBatchAsync(Some.NewId("batch"), "acme", [acmeJob], ct);
        await Store.CreateBatchAsync(Some.NewId("batch"), "globex", [globexJob], ct);
        var acme = new EfJobStore(Database, Time, new DocFlow.Security.FixedTenantScope("acme"));

        // Units of work in both scopes, interleaved and several at once: contexts go back to the pool and come out again.
        var reads = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i => i % 2 == 0
            ? await acme.GetJobAsync(globexJob.Id, ct) is null && await acme.GetJobAsync(acmeJob.Id, ct) is not null
            : await Store.GetJobAsync(globexJob.Id, ct) is not null && await Store.GetJobAsync(acmeJob.Id, ct) is not null));
        Assert.All(reads, Assert.True);

        // Every context comes out of the pool unscoped and with nothing tracked, whatever its last user left on it.
        var returned = new List<DocFlowDbContext>();
        for (var i = 0; i < 8; i++)
        {
            var db = Database.RentDbContext();
            db.TenantFilter = "acme";
            db.Set<JobEntity>().Attach(new JobEntity { Id = Some.NewId("tracked"), BatchId = "b", FileName = "f", BlobKey = "k", Sha256 = "s", OptionsKey = "o", MimeType = "m" });
            returned.Add(db);
        }
        foreach (var db in returned) await db.DisposeAsync();
        // The pool hands out the longest-waiting context first: take more than the units of work above can have left there.
        var rented = Enumerable.Range(0, 100).Select(_ => Database.RentDbContext()).ToList();
        Assert.Contains(rented, db => returned.Contains(db));
        Assert.All(rented, db => Assert.Null(db.TenantFilter));
        Assert.All(rented, db => Assert.Empty(db.ChangeTracker.Entries()));
        foreach (var db in rented) await db.DisposeAsync();
    }

    [Fact]
    public async Task StoreScopedToOneTenant_CannotReadAnotherTenantsBatchJobOrResult()
    {
        var ct = CancellationToken.None;
        string acmeBatch = Some.NewId("batch"), globexBatch = Some.NewId("batch");
        var acmeJob = Some.Job();
        var globexJob = Some.Job();
        await Store.CreateBatchAsync(acmeBatch, "acme", [acmeJob], ct);
        await Store.CreateBatchAsync(globexBatch, "globex", [globexJob], ct);
        Assert.True(await Store.TryTransitionAsync(globexJob.Id, JobStatus.Queued, JobStatus.Processing, null, ct));
        await Store.SaveResultAsync(globexJob.Id, Some.Document("globex secret"), Some.Stats(), ct);
        Assert.True(await Store.TryTransitionAsync(globexJob.Id, JobStatus.Processing, JobStatus.Succeeded, null, ct));

        var acme = new EfJobStore(Database, Time, new DocFlow.Security.FixedTenantScope("acme"));
        Assert.Null(await acme.GetJobAsync(globexJob.Id, ct));
        Assert.Null(await acme.GetBatchAsync(globexBatch, ct));
        Assert.Null(await acme.GetResultAsync(globexJob.Id, ct));
        Assert.Empty((await acme.ListJobsAsync(new JobQuery(BatchId: globexBatch), ct)).Items);
        Assert.Equal([acmeJob.Id], (await acme.ListJobsAsync(new JobQuery(NewestFirst: true), ct)).Items.Select(j => j.Id));
        Assert.Equal([acmeBatch], (await acme.ListBatchesAsync(new BatchQuery(), ct)).Items.Select(b => b.Id));
        Assert.Empty(await acme.ListFinishedSinceAsync(Time.GetUtcNow().AddHours(-1), ct));
        // Its own are there, stamped with the tenant.
        Assert.Equal("acme", (await acme.GetJobAsync(acmeJob.Id, ct))!.Tenant);
        Assert.Equal("acme", (await acme.GetBatchAsync(acmeBatch, ct))!.Tenant);
        Assert.Equal("globex secret", (await new EfJobStore(Database, Time, new DocFlow.Security.FixedTenantScope("globex")).GetResultAsync(globexJob.Id, ct))!.Text);

        // A scope that sees nothing (an unauthenticated request) reads nothing.
        var nobody = new EfJobStore(Database, Time, new DocFlow.Security.FixedTenantScope(""));
        Assert.Null(await nobody.GetJobAsync(acmeJob.Id, ct));
        Assert.Empty((await nobody.ListBatchesAsync(new BatchQuery(), ct)).Items);
        Assert.Null(await nobody.GetResultAsync(globexJob.Id, ct));

        // Unscoped (workers, admin, operator): both tenants.
        Assert.Equal("globex", (await Store.GetJobAsync(globexJob.Id, ct))!.Tenant);
        Assert.Equal("globex secret", (await Store.GetResultAsync(globexJob.Id, ct))!.Text);
        Assert.Equal(2, (await Store.ListBatchesAsync(new BatchQuery(), ct)).Items.Count);
    }

    [Fact]
    public async Task Results_CarryTheirJobsTenant_WhicheverWayTheyAreSaved_AndAreReadOnlyInThatTenantsScope()
    {
        var ct = CancellationToken.None;
        // Saved while processing (SaveResultAsync), in the winning compare-and-set (TrySucceedAsync), saved again on a
        // redelivery (the upsert), and of the default tenant.
        var (saved, succeeded, again, plain) = (Some.Job(), Some.Job(), Some.Job(), Some.Job());
        await Store.CreateBatchAsync(Some.NewId("batch"), "acme", [saved, succeeded, again], ct);
        await Store.CreateBatchAsync(Some.NewId("batch"), [plain], ct);
        foreach (var job in new[] { saved, succeeded, again, plain })
            Assert.True(await Store.TryTransitionAsync(job.Id, JobStatus.Queued, JobStatus.Processing, null, ct));
        await Store.SaveResultAsync(saved.Id, Some.Document("saved"), Some.Stats(), ct);
        Assert.True(await Store.TrySucceedAsync(succeeded.Id, Some.Document("succeeded"), Some.Stats(), ct));
        await Store.SaveResultAsync(again.Id, Some.Document("first"), Some.Stats(), ct);
        await Store.SaveResultAsync(again.Id, Some.Document("second"), Some.Stats(), ct);
        await Store.SaveResultAsync(plain.Id, Some.Document("plain"), Some.Stats(), ct);

        await using (var db = Database.CreateDbContext())
        {
            var rows = await db.Set<JobResultEntity>().IgnoreQueryFilters().AsNoTracking().ToDictionaryAsync(r => r.JobId, r => r.Tenant, ct);
            Assert.Equal(4, rows.Count);
            Assert.Equal("acme", rows[saved.Id]);
            Assert.Equal("acme", rows[succeeded.Id]);
            Assert.Equal("acme", rows[again.Id]);
            Assert.Equal(DocFlow.Security.Tenants.Default, rows[plain.Id]);
            // Every result row's tenant is its job's.
            var mismatched = await db.Set<JobResultEntity>().IgnoreQueryFilters()
                .CountAsync(r => db.Set<JobEntity>().IgnoreQueryFilters().Any(j => j.Id == r.JobId && j.Tenant != r.Tenant), ct);
            Assert.Equal(0, mismatched);
        }

        var acme = new EfJobStore(Database, Time, new DocFlow.Security.FixedTenantScope("acme"));
        var globex = new EfJobStore(Database, Time, new DocFlow.Security.FixedTenantScope("globex"));
        var defaultOnly = new EfJobStore(Database, Time, new DocFlow.Security.FixedTenantScope(DocFlow.Security.Tenants.Default));
        var nobody = new EfJobStore(Database, Time, new DocFlow.Security.FixedTenantScope(""));
        Assert.Equal("saved", (await acme.GetResultAsync(saved.Id, ct))!.Text);
        Assert.Equal("succeeded", (await acme.GetResultAsync(succeeded.Id, ct))!.Text);
        Assert.Equal("second", (await acme.GetResultAsync(again.Id, ct))!.Text);
        Assert.Null(await acme.GetResultAsync(plain.Id, ct));
        Assert.Equal("plain", (await defaultOnly.GetResultAsync(plain.Id, ct))!.Text);
        foreach (var job in new[] { saved, succeeded, again })
        {
            Assert.Null(await globex.GetResultAsync(job.Id, ct));
            Assert.Null(await defaultOnly.GetResultAsync(job.Id, ct));
            Assert.Null(await nobody.GetResultAsync(job.Id, ct));
        }
        // The read is one statement on job_results, no sub-query on jobs (docs/benchmarks.md, session 9). On SQLite it is
        // the store's own command (the result read as UTF-8 bytes, session 10), which EF's command interceptors do not see.
        var sqlite = Database.Provider == DatabaseProvider.Sqlite;
        Assert.NotNull(await acme.GetResultAsync(saved.Id, ct));
        var read = sqlite ? EfJobStore.ResultScopedSql : _capture.Last!.Value.Sql;
        Assert.Contains("job_results", read, StringComparison.Ordinal);
        Assert.DoesNotContain("jobs", read.Replace("job_results", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("tenant", read, StringComparison.Ordinal);
        // Unscoped (workers, admin), the read leaves the filter out.
        Assert.Equal("saved", (await Store.GetResultAsync(saved.Id, ct))!.Text);
        Assert.DoesNotContain("tenant", sqlite ? EfJobStore.ResultUnscopedSql : _capture.Last!.Value.Sql, StringComparison.Ordinal);

        // Erasing a tenant's document removes its result row too.
        Assert.True(await Store.TryTransitionAsync(saved.Id, JobStatus.Processing, JobStatus.Succeeded, null, ct));
        Assert.Equal(ErasureOutcome.Erased, (await Eraser.EraseJobAsync(saved.Id, null, ct)).Outcome);
        await using (var db = Database.CreateDbContext())
            Assert.False(await db.Set<JobResultEntity>().IgnoreQueryFilters().AnyAsync(r => r.JobId == saved.Id, ct));
    }

    [Fact]
    public async Task MigrationResultTenant_GivesResultsFromBeforeItTheirJobsTenant()
    {
        var ct = CancellationToken.None;
        await using (var db = Database.CreateDbContext())
        {
            var migrations = db.Database.GetMigrations().ToList();
            var before = migrations[migrations.FindIndex(m => m.EndsWith("_ResultTenant", StringComparison.Ordinal)) - 1];
            await db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>().MigrateAsync(before, ct);
            // Rows as a server before the column wrote them: jobs of two tenants, their results without a tenant.
            var at = db.ToDbTime(Time.GetUtcNow());
            foreach (var (tenant, id) in new[] { ("acme", "acme"), (DocFlow.Security.Tenants.Default, "dflt") })
            {
                var (batch, job) = ($"b-{id}", $"d-{id}");
                await db.Database.ExecuteSqlAsync($"INSERT INTO batches (id, tenant, created_at, total) VALUES ({batch}, {tenant}, {at}, 1)", ct);
                await db.Database.ExecuteSqlAsync(
                    $"INSERT INTO jobs (id, batch_id, tenant, ordinal, file_name, blob_key, route, priority, status, attempts, bytes, created_at) VALUES ({job}, {batch}, {tenant}, 0, 'old.pdf', {new string('a', 64)}, 'pdf', 'normal', 'succeeded', 1, 0, {at})", ct);
            }
        }
        await using (var db = Database.CreateDbContext())
        {
            foreach (var (id, text) in new[] { ("d-acme", "acme's"), ("d-dflt", "default's") })
            {
                var sql = System.Runtime.CompilerServices.FormattableStringFactory.Create(
                    "INSERT INTO job_results (job_id, document, saved_at) VALUES ({0}, " + (db is PostgresDocFlowDbContext ? "CAST({1} AS jsonb)" : "{1}") + ", {2})",
                    id, DocFlow.Documents.DocumentJson.Serialize(Some.Document(text)), db.ToDbTime(Time.GetUtcNow()));
                await db.Database.ExecuteSqlAsync(sql, ct);
            }
        }
        await Database.MigrateAsync(ct);

        var acme = new EfJobStore(Database, Time, new DocFlow.Security.FixedTenantScope("acme"));
        var defaultOnly = new EfJobStore(Database, Time, new DocFlow.Security.FixedTenantScope(DocFlow.Security.Tenants.Default));
        Assert.Equal("acme's", (await acme.GetResultAsync("d-acme", ct))!.Text);
        Assert.Null(await defaultOnly.GetResultAsync("d-acme", ct));
        Assert.Equal("default's", (await defaultOnly.GetResultAsync("d-dflt", ct))!.Text);
        Assert.Null(await acme.GetResultAsync("d-dflt", ct));
        await using (var db = Database.CreateDbContext())
            Assert.Equal("acme", await db.Set<JobResultEntity>().IgnoreQueryFilters().Where(r => r.JobId == "d-acme").Select(r => r.Tenant).SingleAsync(ct));
    }

    [Fact]
    public async Task FindSucceeded_AnswersOnlyFromTheSameTenant()
    {
        var ct = CancellationToken.None;
        var sha = new string('a', 64);
        var job = Some.Job(sha256: sha, optionsKey: "opts");
        await Store.CreateBatchAsync(Some.NewId("batch"), "acme", [job], ct);
        Assert.True(await Store.TryTransitionAsync(job.Id, JobStatus.Queued, JobStatus.Processing, null, ct));
        await Store.SaveResultAsync(job.Id, Some.Document(), Some.Stats(), ct);
        Assert.True(await Store.TryTransitionAsync(job.Id, JobStatus.Processing, JobStatus.Succeeded, null, ct));

        Assert.Equal(job.Id, (await Store.FindSucceededAsync("acme", sha, "opts", ct))?.Id);
        Assert.Null(await Store.FindSucceededAsync("globex", sha, "opts", ct));
        Assert.Null(await Store.FindSucceededAsync(sha, "opts", ct)); // the default tenant
    }

    [Fact]
    public async Task TenantUsage_CountsTodaysDocuments_BytesStored_AndActiveJobs()
    {
        var ct = CancellationToken.None;
        var yesterday = Some.Job() with { Bytes = 1000 };
        await Store.CreateBatchAsync(Some.NewId("batch"), "acme", [yesterday], ct);
        Time.Advance(TimeSpan.FromDays(1));
        var dayStart = new DateTimeOffset(Time.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);
        List<NewJob> today = [Some.Job() with { Bytes = 10 }, Some.Job() with { Bytes = 20 }, Some.Job() with { Bytes = 30 }];
        await Store.CreateBatchAsync(Some.NewId("batch"), "acme", today, ct);
        await Store.CreateBatchAsync(Some.NewId("batch"), "globex", [Some.Job() with { Bytes = 5000 }], ct);
        Assert.True(await Store.TryTransitionAsync(today[0].Id, JobStatus.Queued, JobStatus.Processing, null, ct));
        Assert.True(await Store.TryTransitionAsync(today[0].Id, JobStatus.Processing, JobStatus.Failed, new StatusDetails("x", "y"), ct));

        var usage = await Store.GetTenantUsageAsync("acme", dayStart, ct);
        Assert.Equal(new TenantUsage(DocumentsSince: 3, BytesStored: 1060, ActiveJobs: 3), usage);
        Assert.Equal(new TenantUsage(0, 0, 0), await Store.GetTenantUsageAsync("initech", dayStart, ct));
    }

    protected abstract bool PlanUsesIndex(string plan, string? index);

    private async Task<List<JobRecord>> ReadAllAsync(JobQuery query)
    {
        var all = new List<JobRecord>();
        for (var q = query; ;)
        {
            var page = await Store.ListJobsAsync(q, CancellationToken.None);
            Assert.True(page.Items.Count <= query.Limit);
            all.AddRange(page.Items);
            if (page.NextCursor is null) return all;
            q = q with { Cursor = page.NextCursor };
        }
    }

    // ---- erasure, holds and retention (IJobErasureStore) ---------------------------------------------------------

    private static readonly CancellationToken No = CancellationToken.None;

    private EfErasureStore Eraser => new(Database, Time);

    private async Task FinishAsync(string jobId, JobStatus to = JobStatus.Succeeded)
    {
        Assert.True(await Store.TryTransitionAsync(jobId, JobStatus.Queued, JobStatus.Processing, null, No));
        if (to == JobStatus.Succeeded) await Store.SaveResultAsync(jobId, Some.Document(), Some.Stats(), No);
        Assert.True(await Store.TryTransitionAsync(jobId, JobStatus.Processing, to, to == JobStatus.Failed ? new StatusDetails("x", "y") : null, No));
    }

    private async Task<int> RowsOfAsync(string jobId)
    {
        await using var db = Database.CreateDbContext();
        return await db.Set<JobStatusChangeEntity>().CountAsync(h => h.JobId == jobId)
             + await db.Set<JobResultEntity>().CountAsync(r => r.JobId == jobId)
             + await db.Set<JobSplitEntity>().CountAsync(r => r.JobId == jobId)
             + await db.Set<JobPartEntity>().CountAsync(r => r.JobId == jobId)
             + await db.Set<JobEntity>().CountAsync(j => j.Id == jobId);
    }

    [Fact]
    public async Task EraseJob_RemovesEveryRowOfIt_ShrinksItsBatch_AndRemovesTheBatchWithItsLastDocument()
    {
        var (batchId, sha1, sha2) = (Some.NewId("b"), new string('1', 64), new string('2', 64));
        var (first, second) = (Some.Job(sha256: sha1, optionsKey: "o"), Some.Job(sha256: sha2, optionsKey: "o"));
        await Store.CreateBatchAsync(batchId, [first, second], No);
        await FinishAsync(first.Id);
        await FinishAsync(second.Id);
        var parts = new EfJobPartStore(Database, Time);
        await parts.PlanPartsAsync(first.Id, [new PageRange(1, 2), new PageRange(3, 3)], No);
        await parts.SavePartAsync(first.Id, 0, new PartResult("application/pdf", "[]", [], "host:1"), No);
        var reports = new EfBatchReportStore(Database);
        await reports.SaveReportAsync(new BatchReportRecord(batchId, true, new Dictionary<string, string> { ["report.pdf"] = "k1", ["results.csv"] = "k2" }, null, Time.GetUtcNow()), No);
        Assert.True(await RowsOfAsync(first.Id) > 5);

        var erased = await Eraser.EraseJobAsync(first.Id, null, No);

        Assert.Equal(ErasureOutcome.Erased, erased.Outcome);
        Assert.Equal([new ErasedJob(first.Id, batchId, first.BlobKey, sha1)], erased.Jobs);
        Assert.False(erased.BatchRemoved);
        Assert.Equal(["k1", "k2"], erased.ReportBlobKeys.Order());
        Assert.Equal(0, await RowsOfAsync(first.Id));
        Assert.Null(await Store.FindSucceededAsync(sha1, "o", No)); // no dedup entry left: the same bytes are processed afresh
        Assert.Null(await reports.GetReportAsync(batchId, No));     // the report showed it: made again for the rest
        var batch = await Store.GetBatchAsync(batchId, No);
        Assert.Equal((1, 1, BatchStatus.Completed), (batch!.Total, batch.Succeeded, batch.Status));

        var last = await Eraser.EraseJobAsync(second.Id, null, No);
        Assert.True(last.BatchRemoved);
        Assert.Null(await Store.GetBatchAsync(batchId, No));
        Assert.Equal(ErasureOutcome.NotFound, (await Eraser.EraseJobAsync(second.Id, null, No)).Outcome);
    }

    [Fact]
    public async Task Erase_RefusesAProcessingOrHeldDocument_AndAHeldBatch_UntilTheHoldIsLifted()
    {
        var batchId = Some.NewId("b");
        var job = Some.Job();
        await Store.CreateBatchAsync(batchId, [job], No);
        Assert.True(await Store.TryTransitionAsync(job.Id, JobStatus.Queued, JobStatus.Processing, null, No));
        Assert.Equal(ErasureOutcome.Processing, (await Eraser.EraseJobAsync(job.Id, null, No)).Outcome);
        Assert.Equal(ErasureOutcome.Processing, (await Eraser.EraseBatchAsync(batchId, null, No)).Outcome);
        Assert.True(await Store.TryTransitionAsync(job.Id, JobStatus.Processing, JobStatus.Failed, new StatusDetails("x", "y"), No));

        Assert.True(await Eraser.SetJobHoldAsync(job.Id, true, No));
        Assert.True((await Store.GetJobAsync(job.Id, No))!.LegalHold);
        Assert.Equal(ErasureOutcome.Held, (await Eraser.EraseJobAsync(job.Id, null, No)).Outcome);
        Assert.Equal(ErasureOutcome.Held, (await Eraser.EraseBatchAsync(batchId, null, No)).Outcome);
        Assert.True(await Eraser.SetJobHoldAsync(job.Id, false, No));
        Assert.True(await Eraser.SetBatchHoldAsync(batchId, true, No));
        Assert.True((await Store.GetBatchAsync(batchId, No))!.LegalHold);
        Assert.Equal(ErasureOutcome.Held, (await Eraser.EraseJobAsync(job.Id, null, No)).Outcome);
        Assert.NotNull(await Store.GetJobAsync(job.Id, No));
        Assert.False(await Eraser.SetBatchHoldAsync("no-such-batch", true, No));
        Assert.False(await Eraser.SetJobHoldAsync("no-such-job", true, No));

        Assert.True(await Eraser.SetBatchHoldAsync(batchId, false, No));
        var erased = await Eraser.EraseBatchAsync(batchId, null, No);
        Assert.Equal((ErasureOutcome.Erased, true), (erased.Outcome, erased.BatchRemoved));
        Assert.Equal(0, await RowsOfAsync(job.Id));
        Assert.Equal(ErasureOutcome.NotFound, (await Eraser.EraseBatchAsync(batchId, null, No)).Outcome);
    }

    [Fact]
    public async Task BlobReference_LastsWhileAnyJobUsesTheKey()
    {
        var sha = new string('a', 64);
        var (a, b) = (Some.Job(sha256: sha), Some.Job(sha256: sha));
        await Store.CreateBatchAsync(Some.NewId("b"), [a], No);
        await Store.CreateBatchAsync(Some.NewId("b"), [b], No);
        Assert.Equal(a.BlobKey, b.BlobKey);
        Assert.Empty((await Eraser.EraseJobAsync(a.Id, null, No)).FreedBlobKeys);
        Assert.True(await Eraser.IsBlobReferencedAsync(a.BlobKey, No));
        Assert.Equal([b.BlobKey], (await Eraser.EraseJobAsync(b.Id, null, No)).FreedBlobKeys);
        Assert.False(await Eraser.IsBlobReferencedAsync(a.BlobKey, No));
    }

    [Fact]
    public async Task Erase_WhoseCleanUpFails_RemovesNothing_SoItCanBeSentAgain()
    {
        var batchId = Some.NewId("b");
        var job = Some.Job(sha256: new string('c', 64), optionsKey: "o");
        await Store.CreateBatchAsync(batchId, [job], No);
        await FinishAsync(job.Id);
        Storage.Erasure? seen = null;

        await Assert.ThrowsAsync<IOException>(() => Eraser.EraseJobAsync(job.Id, (e, _) =>
        {
            seen = e;
            throw new IOException("blob store unreachable");
        }, No));

        Assert.Equal([job.BlobKey], seen!.FreedBlobKeys);
        Assert.NotNull(await Store.GetJobAsync(job.Id, No));
        Assert.NotNull(await Store.GetResultAsync(job.Id, No));
        Assert.NotNull(await Store.GetBatchAsync(batchId, No));
        await Assert.ThrowsAsync<IOException>(() => Eraser.EraseBatchAsync(batchId, (_, _) => throw new IOException("again"), No));
        Assert.NotNull(await Store.GetJobAsync(job.Id, No));
        var erased = await Eraser.EraseJobAsync(job.Id, (_, _) => Task.CompletedTask, No);
        Assert.Equal(ErasureOutcome.Erased, erased.Outcome);
        Assert.Equal(0, await RowsOfAsync(job.Id));
    }

    [Fact]
    public async Task RetentionSweep_ErasesWhatEndedBeforeThePeriod_SparesHeldAndRecentDocuments_AndAuditsEachErasure()
    {
        var blobs = new DocFlow.Blobs.FileSystemBlobStore(Support.Repo.NewTempDirectory("retention-blobs"));
        var queue = new InProcessJobQueue(Time);
        var log = new EfAuditLog(Database);
        var service = new DocFlow.Server.Erasure.ErasureService(Eraser, Store, blobs, queue,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<DocFlow.Server.Erasure.ErasureService>.Instance);
        var options = new DocFlow.Server.Erasure.RetentionOptions { Days = 30, Tenants = { ["other"] = new() { Days = 1 } } };
        var sweeper = new DocFlow.Server.Erasure.RetentionSweeper(Eraser, service, log, Microsoft.Extensions.Options.Options.Create(options), Time,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<DocFlow.Server.Erasure.RetentionSweeper>.Instance);

        async Task<(string Id, string Key)> DocumentAsync(JobStatus end, string tenant = "default")
        {
            var key = (await blobs.PutAsync(new MemoryStream(Guid.NewGuid().ToByteArray()), No)).Key;
            var job = new NewJob(Some.NewId("d"), "private.pdf", key, JobRoute.Pdf, JobPriority.Normal) { Sha256 = key };
            await Store.CreateBatchAsync(Some.NewId("b"), tenant, [job], No);
            await FinishAsync(job.Id, end);
            return (job.Id, key);
        }
        var old = await DocumentAsync(JobStatus.Succeeded);
        var oldFailed = await DocumentAsync(JobStatus.Failed);
        var held = await DocumentAsync(JobStatus.Succeeded);
        await Eraser.SetJobHoldAsync(held.Id, true, No);
        Time.Advance(TimeSpan.FromDays(20));
        var recent = await DocumentAsync(JobStatus.Succeeded);
        var otherTenants = await DocumentAsync(JobStatus.Succeeded, "other"); // "other" keeps documents 1 day
        var running = Some.Job();
        await Store.CreateBatchAsync(Some.NewId("b"), [running], No); // queued: never swept, however old
        Time.Advance(TimeSpan.FromDays(11)); // old ones ended 31 days ago, the recent ones 11

        Assert.Equal(3, await sweeper.SweepAsync(No));

        Assert.Null(await Store.GetJobAsync(otherTenants.Id, No));

        Assert.Null(await Store.GetJobAsync(old.Id, No));
        Assert.Null(await Store.GetJobAsync(oldFailed.Id, No));
        Assert.False(await blobs.ExistsAsync(old.Key, No));
        Assert.NotNull(await Store.GetJobAsync(held.Id, No));
        Assert.True(await blobs.ExistsAsync(held.Key, No));
        Assert.NotNull(await Store.GetJobAsync(recent.Id, No));
        Assert.NotNull(await Store.GetJobAsync(running.Id, No));
        var entries = await log.QueryAsync(new DocFlow.Security.AuditQuery(null, null, null, null, null, 10), No);
        Assert.Equal(3, entries.Count);
        Assert.Equal("other", Assert.Single(entries, e => e.Target!.Contains($"id={otherTenants.Id}", StringComparison.Ordinal)).Tenant);
        Assert.All(entries, e => Assert.Equal(("system:retention", "retention-erase", 204), (e.Principal, e.Action, e.Outcome)));
        Assert.Contains(entries, e => e.Target!.Contains($"id={old.Id}", StringComparison.Ordinal) && e.Target.Contains($"sha256={old.Key}", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.Target!.Contains("private.pdf", StringComparison.Ordinal));
        Assert.True((await log.VerifyAsync(No)).Intact);

        Assert.Equal(0, await sweeper.SweepAsync(No)); // nothing more is due
        Time.Advance(TimeSpan.FromDays(20));
        Assert.Equal(1, await sweeper.SweepAsync(No)); // the recent one is due now; the held one never
        await Eraser.SetJobHoldAsync(held.Id, false, No);
        Assert.Equal(1, await sweeper.SweepAsync(No));
        Assert.Null(await Store.GetJobAsync(held.Id, No));
        Assert.NotNull(await Store.GetJobAsync(running.Id, No));
    }

    [Fact]
    public async Task RetentionSweeper_AsAHostedService_ErasesWhatExpiredOnItsClock_AndGoesOnPastADocumentItCannotErase()
    {
        var blobs = new DocFlow.Blobs.FileSystemBlobStore(Support.Repo.NewTempDirectory("retention-hosted"));
        var log = new EfAuditLog(Database);
        var service = new DocFlow.Server.Erasure.ErasureService(Eraser, Store, blobs, new InProcessJobQueue(Time),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<DocFlow.Server.Erasure.ErasureService>.Instance);
        var options = new DocFlow.Server.Erasure.RetentionOptions { Days = 1, SweepInterval = TimeSpan.FromHours(6) };
        var logger = new ListLogger<DocFlow.Server.Erasure.RetentionSweeper>();
        using var sweeper = new DocFlow.Server.Erasure.RetentionSweeper(Eraser, service, log, Microsoft.Extensions.Options.Options.Create(options), Time, logger);
        var key = (await blobs.PutAsync(new MemoryStream([1, 2, 3]), No)).Key;
        var job = new NewJob(Some.NewId("d"), "a.pdf", key, JobRoute.Pdf, JobPriority.Normal) { Sha256 = key };
        await Store.CreateBatchAsync(Some.NewId("b"), [job], No);
        await FinishAsync(job.Id);
        var broken = Some.Job(); // its blob key is not one the store accepts: its erasure fails and rolls back
        await Store.CreateBatchAsync(Some.NewId("b"), [broken], No);
        await FinishAsync(broken.Id);

        await sweeper.StartAsync(No); // sweeps at once (nothing is a day old), then every 6 hours of its clock
        for (var i = 0; i < 5; i++) Time.Advance(TimeSpan.FromHours(6)); // 30 hours: past the period and a tick

        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        bool Tried() { lock (logger.Lines) return logger.Lines.Any(l => l.Contains(broken.Id, StringComparison.Ordinal)); }
        while (await Store.GetJobAsync(job.Id, No) is not null || !Tried())
        {
            Assert.False(patience.IsCancellationRequested, "not swept: " + string.Join("\n", logger.Lines));
            await Task.Delay(50, No);
        }
        await sweeper.StopAsync(No);
        Assert.False(await blobs.ExistsAsync(key, No));
        Assert.NotNull(await Store.GetJobAsync(broken.Id, No)); // rolled back whole, tried again at the next sweep
        var entry = Assert.Single(await log.QueryAsync(new DocFlow.Security.AuditQuery(null, null, "retention-erase", null, null, 10), No));
        Assert.Contains($"id={job.Id}", entry.Target, StringComparison.Ordinal);
    }

    [Fact]
    public void RetentionOptions_TenantPeriodOverridesTheDefault_AndNoPeriodMeansOff()
    {
        var options = new DocFlow.Server.Erasure.RetentionOptions { Days = 30, Tenants = { ["acme"] = new() { Days = 7 } } };
        Assert.Equal((7, 30), (options.DaysFor("acme"), options.DaysFor("default")));
        Assert.False(new DocFlow.Server.Erasure.RetentionOptions().Enabled);
        Assert.Null(new DocFlow.Server.Erasure.RetentionOptions().DaysFor("default"));
    }
}
