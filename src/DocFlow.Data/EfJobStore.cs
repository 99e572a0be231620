using System.Globalization;
using System.Runtime.CompilerServices;
using DocFlow.Data.Entities;
using DocFlow.Documents;
using DocFlow.Processing;
using DocFlow.Security;
using DocFlow.Security.Encryption;
using DocFlow.Storage;
using Microsoft.EntityFrameworkCore;

namespace DocFlow.Data;

/// <summary>The job store on EF Core, all three of its ports on one instance (<see cref="IJobProcessingStore"/> for
/// workers, <see cref="IJobIntakeStore"/> for ingest, <see cref="IJobMonitoringStore"/> for reads): one short-lived
/// context per call, guarded SQL for every state change. With encryption at rest a result is stored sealed
/// (<see cref="AtRestEncryption.SealRecord"/>).</summary>
/// <remarks>Every read sees only the batches, jobs and results of the current <see cref="ITenantScope"/> (EF Core global
/// query filters on the three tables; a result's tenant is its job's, copied when it is saved): another tenant's id is
/// not found. Workers run unscoped.</remarks>
public sealed class EfJobStore(DocFlowDatabase database, TimeProvider timeProvider, ITenantScope? tenantScope = null, AtRestEncryption? encryption = null)
    : IJobProcessingStore, IJobIntakeStore, IJobMonitoringStore
{
    private readonly AtRestEncryption _encryption = encryption ?? AtRestEncryption.Off;

    private const int MaxLimit = 1000;
    private readonly ITenantScope _scope = tenantScope ?? AmbientTenantScope.Instance;

    /// <summary>One unit of work on a context limited to the current tenant scope.</summary>
    private Task<T> Run<T>(Func<DocFlowDbContext, Task<T>> work, CancellationToken cancellationToken)
    {
        var tenant = _scope.Tenant;
        return database.RunAsync(db =>
        {
            db.TenantFilter = tenant;
            return work(db);
        }, cancellationToken);
    }

    public Task<BatchRecord> CreateBatchAsync(string batchId, IReadOnlyList<NewJob> jobs, CancellationToken cancellationToken) =>
        CreateBatchAsync(batchId, Tenants.Default, jobs, cancellationToken);

    public Task<BatchRecord> CreateBatchAsync(string batchId, string tenant, IReadOnlyList<NewJob> jobs, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(batchId);
        ArgumentNullException.ThrowIfNull(jobs);
        Tenants.Validate(tenant, nameof(tenant));
        if (jobs.Count == 0) throw new ArgumentException("A batch needs at least one document.", nameof(jobs));

        return Run(async db =>
        {
            var now = timeProvider.GetUtcNow();
            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            db.Add(new BatchEntity { Id = batchId, Tenant = tenant, CreatedAt = now, Total = jobs.Count });
            for (var i = 0; i < jobs.Count; i++)
            {
                var job = jobs[i];
                db.Add(new JobEntity
                {
                    Id = job.Id,
                    BatchId = batchId,
                    Tenant = tenant,
                    Bytes = job.Bytes,
                    Ordinal = i,
                    FileName = job.FileName,
                    BlobKey = job.BlobKey,
                    Sha256 = job.Sha256,
                    OptionsKey = job.OptionsKey,
                    MimeType = job.MimeType,
                    PageSelection = job.PageSelection,
                    Route = job.Route,
                    Priority = job.Priority,
                    Status = JobStatus.Queued,
                    CreatedAt = now,
                });
                db.Add(new JobStatusChangeEntity { JobId = job.Id, Status = JobStatus.Queued, At = now });
            }
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new BatchRecord(batchId, jobs.Count, jobs.Count, 0, 0, 0, now, null) { Tenant = tenant };
        }, cancellationToken);
    }

    public Task<BatchRecord?> GetBatchAsync(string batchId, CancellationToken cancellationToken) => Run(async db =>
    {
        var batch = await db.Set<BatchEntity>().AsNoTracking().FirstOrDefaultAsync(b => b.Id == batchId, cancellationToken).ConfigureAwait(false);
        if (batch is null) return null;

        // Counts are computed from the jobs (index on batch_id, status), never kept as counters that could drift.
        var counts = await db.Set<JobEntity>().Where(j => j.BatchId == batchId)
            .GroupBy(j => j.Status)
            .Select(g => new { Status = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        int Count(JobStatus s) => counts.FirstOrDefault(c => c.Status == s)?.Count ?? 0;

        int queued = Count(JobStatus.Queued), processing = Count(JobStatus.Processing);
        DateTimeOffset? finishedAt = null;
        if (queued + processing == 0)
        {
            finishedAt = await db.Set<JobEntity>().Where(j => j.BatchId == batchId)
                .MaxAsync(j => j.FinishedAt, cancellationToken).ConfigureAwait(false);
        }
        return new BatchRecord(batch.Id, batch.Total, queued, processing, Count(JobStatus.Succeeded), Count(JobStatus.Failed), batch.CreatedAt, finishedAt)
        {
            Tenant = batch.Tenant,
            LegalHold = batch.LegalHoldAt is not null,
        };
    }, cancellationToken);

    public Task<bool> HasOpenJobsAsync(string batchId, CancellationToken cancellationToken) => Run(db =>
        db.Set<JobEntity>().AnyAsync(j => j.BatchId == batchId && (j.Status == JobStatus.Queued || j.Status == JobStatus.Processing), cancellationToken),
        cancellationToken);

    public Task<JobRecord?> GetJobAsync(string jobId, CancellationToken cancellationToken) => Run(db => db switch
    {
        SqliteDocFlowDbContext sqlite => ReadJobAsync(sqlite, jobId, cancellationToken),
        PostgresDocFlowDbContext postgres => ReadJobAsync(postgres, jobId, cancellationToken),
        _ => throw new InvalidOperationException($"No job query for {db.GetType().Name}."),
    }, cancellationToken);

    /// <summary>The job record and its status history, by the compiled queries (every job-record read and every result
    /// read starts here). The jobs' tenant filter applies as to any query: its scope comes from the context.</summary>
    private static async Task<JobRecord?> ReadJobAsync<TContext>(TContext db, string jobId, CancellationToken cancellationToken)
        where TContext : DocFlowDbContext
    {
        var job = await JobQueries<TContext>.Job(db, jobId, cancellationToken).ConfigureAwait(false);
        if (job is null) return null;
        var history = new List<JobStatusChange>();
        await foreach (var change in JobQueries<TContext>.History(db, jobId).WithCancellation(cancellationToken).ConfigureAwait(false))
            history.Add(change);
        return ToRecord(job) with { History = history };
    }

    // A LINQ query's expression tree is built and walked for its parameters on every execution (a job-record read's
    // reflection and expression allocations, docs/benchmarks.md "Authentication and audit cost", session 12); compiled
    // once, it is not.
    private static class JobQueries<TContext> where TContext : DocFlowDbContext
    {
        public static readonly Func<TContext, string, CancellationToken, Task<JobEntity?>> Job = EF.CompileAsyncQuery(
            (TContext db, string jobId, CancellationToken _) => db.Set<JobEntity>().AsNoTracking().FirstOrDefault(j => j.Id == jobId));

        public static readonly Func<TContext, string, IAsyncEnumerable<JobStatusChange>> History = EF.CompileAsyncQuery(
            (TContext db, string jobId) => db.Set<JobStatusChangeEntity>().AsNoTracking()
                .Where(h => h.JobId == jobId).OrderBy(h => h.Id).Select(h => new JobStatusChange(h.Status, h.At)));
    }

    public Task<JobPage> ListJobsAsync(JobQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1, nameof(query));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, MaxLimit, nameof(query));

        return Run(async db =>
        {
            var jobs = db.Set<JobEntity>().AsNoTracking();
            if (query.Status is { } status) jobs = jobs.Where(j => j.Status == status);

            List<JobEntity> rows;
            if (query.BatchId is { } batchId)
            {
                // Keyset on (batch_id, ordinal): submission order, stable while documents change status.
                jobs = jobs.Where(j => j.BatchId == batchId);
                if (query.Cursor is not null)
                {
                    var after = Cursor.ParseOrdinal(query.Cursor);
                    jobs = jobs.Where(j => j.Ordinal > after);
                }
                rows = await jobs.OrderBy(j => j.Ordinal).Take(query.Limit + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
                return Page(rows, query.Limit, last => Cursor.Ordinal(last.Ordinal));
            }

            // Keyset on (created_at, id), both directions.
            if (query.Cursor is not null)
            {
                var (at, id) = Cursor.ParseTime(query.Cursor);
                // The first, redundant bound lets the planner seek in the index instead of filtering from its start.
                jobs = query.NewestFirst
                    ? jobs.Where(j => j.CreatedAt <= at && (j.CreatedAt < at || string.Compare(j.Id, id) < 0))
                    : jobs.Where(j => j.CreatedAt >= at && (j.CreatedAt > at || string.Compare(j.Id, id) > 0));
            }
            jobs = query.NewestFirst
                ? jobs.OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.Id)
                : jobs.OrderBy(j => j.CreatedAt).ThenBy(j => j.Id);
            rows = await jobs.Take(query.Limit + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
            return Page(rows, query.Limit, last => Cursor.Time(last.CreatedAt, last.Id));
        }, cancellationToken);

        static JobPage Page(List<JobEntity> rows, int limit, Func<JobEntity, string> cursor)
        {
            var more = rows.Count > limit;
            if (more) rows.RemoveAt(rows.Count - 1);
            return new JobPage(rows.Select(ToRecord).ToList(), more ? cursor(rows[^1]) : null);
        }
    }

    public Task<bool> TryTransitionAsync(string jobId, JobStatus from, JobStatus to, StatusDetails? details, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        if (!JobStatuses.CanMove(from, to))
            throw new ArgumentException($"A job never moves from {from.ToWireName()} to {to.ToWireName()}.", nameof(to));
        return MoveAsync(jobId, from, to, details, cancellationToken);
    }

    public Task<bool> RequeueFailedAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        return MoveAsync(jobId, JobStatus.Failed, JobStatus.Queued, new StatusDetails(), cancellationToken);
    }

    private Task<bool> MoveAsync(string jobId, JobStatus from, JobStatus to, StatusDetails? details, CancellationToken cancellationToken)
    {
        return Run(async db =>
        {
            var now = timeProvider.GetUtcNow();
            var errorCode = to == JobStatus.Succeeded ? null : details?.ErrorCode;
            var errorMessage = to == JobStatus.Succeeded ? null : details?.ErrorMessage;
            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

            // Compare-and-set in one statement: UPDATE jobs SET ... WHERE id = @id AND status = @from.
            // Of two racing callers exactly one sees a row; the other gets 0 and false.
            var changed = await db.Set<JobEntity>()
                .Where(j => j.Id == jobId && j.Status == from)
                .ExecuteUpdateAsync(s =>
                {
                    s.SetProperty(j => j.Status, to);
                    if (to == JobStatus.Processing) s.SetProperty(j => j.StartedAt, now);
                    if (to.IsTerminal()) s.SetProperty(j => j.FinishedAt, now);
                    if (to == JobStatus.Queued) s.SetProperty(j => j.FinishedAt, (DateTimeOffset?)null);
                    if (to == JobStatus.Succeeded || details is not null)
                    {
                        s.SetProperty(j => j.ErrorCode, errorCode);
                        s.SetProperty(j => j.ErrorMessage, errorMessage);
                    }
                }, cancellationToken).ConfigureAwait(false);
            if (changed == 0) return false;

            db.Add(new JobStatusChangeEntity { JobId = jobId, Status = to, At = now });
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    public Task RecordAttemptAsync(string jobId, int attempts, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempts);
        return Run(db => db.Set<JobEntity>()
            .Where(j => j.Id == jobId && j.Attempts < attempts)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Attempts, attempts), cancellationToken), cancellationToken);
    }

    /// <summary>What a result write stores: the sealed Document JSON, the OCR'd pages as a list, the duration in ms.</summary>
    private (string Json, string? OcrPages, long DurationMs) ResultRow(string jobId, Document document, ProcessingStats stats)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(stats);
        return (_encryption.SealRecord(DocumentJson.Serialize(document)),
            stats.OcrPages.Count == 0 ? null : string.Join(',', stats.OcrPages.Select(p => p.ToString(CultureInfo.InvariantCulture))),
            (long)stats.Elapsed.TotalMilliseconds);
    }

    public Task SaveResultAsync(string jobId, Document document, ProcessingStats stats, CancellationToken cancellationToken)
    {
        var (json, ocrPages, durationMs) = ResultRow(jobId, document, stats);

        return Run(async db =>
        {
            var now = timeProvider.GetUtcNow();
            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var found = await db.Set<JobEntity>().Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.MimeType, stats.MimeType)
                .SetProperty(j => j.Pages, stats.Pages)
                .SetProperty(j => j.OcrPages, ocrPages)
                .SetProperty(j => j.EnginePath, stats.EnginePath)
                .SetProperty(j => j.Engine, stats.Engine)
                .SetProperty(j => j.DocumentType, stats.DocumentType)
                .SetProperty(j => j.DurationMs, durationMs), cancellationToken).ConfigureAwait(false);
            if (found == 0) throw new InvalidOperationException($"There is no job '{jobId}' to store a result for.");

            // One row per job however often a redelivered job gets here: INSERT ... ON CONFLICT (job_id) DO UPDATE.
            var sql = FormattableStringFactory.Create(db.UpsertResultSql, jobId, json, db.ToDbTime(now));
            await db.Database.ExecuteSqlAsync(sql, cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }, cancellationToken);
    }

    public Task<bool> TrySucceedAsync(string jobId, Document document, ProcessingStats stats, CancellationToken cancellationToken)
    {
        var (json, ocrPages, durationMs) = ResultRow(jobId, document, stats);

        return Run(async db =>
        {
            var now = timeProvider.GetUtcNow();
            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            // The compare-and-set of MoveAsync and the stats of SaveResultAsync in one statement; the result row and the
            // history entry only when it won, all in one transaction (a crash in between rolls every part back).
            var changed = await db.Set<JobEntity>()
                .Where(j => j.Id == jobId && j.Status == JobStatus.Processing)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(j => j.Status, JobStatus.Succeeded)
                    .SetProperty(j => j.FinishedAt, now)
                    .SetProperty(j => j.ErrorCode, (string?)null)
                    .SetProperty(j => j.ErrorMessage, (string?)null)
                    .SetProperty(j => j.MimeType, stats.MimeType)
                    .SetProperty(j => j.Pages, stats.Pages)
                    .SetProperty(j => j.OcrPages, ocrPages)
                    .SetProperty(j => j.EnginePath, stats.EnginePath)
                    .SetProperty(j => j.Engine, stats.Engine)
                    .SetProperty(j => j.DocumentType, stats.DocumentType)
                    .SetProperty(j => j.DurationMs, durationMs), cancellationToken).ConfigureAwait(false);
            if (changed == 0) return false;

            var sql = FormattableStringFactory.Create(db.UpsertResultSql, jobId, json, db.ToDbTime(now));
            await db.Database.ExecuteSqlAsync(sql, cancellationToken).ConfigureAwait(false);
            db.Add(new JobStatusChangeEntity { JobId = jobId, Status = JobStatus.Succeeded, At = now });
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    public Task<Document?> GetResultAsync(string jobId, CancellationToken cancellationToken) => Run(async db =>
    {
        // A result belongs to its job's tenant: its row carries that tenant (copied from the job when it is saved), and the
        // results' tenant filter applies to it like the jobs' filter to a job.
        switch (db)
        {
            case SqliteDocFlowDbContext sqlite:
                var utf8 = await SqliteResultUtf8Async(sqlite, jobId, cancellationToken).ConfigureAwait(false);
                return utf8 is null ? null : DocumentJson.Deserialize(_encryption.OpenRecord(utf8, $"the result of job {jobId}"));
            case PostgresDocFlowDbContext postgres:
                var json = await ResultQueries<PostgresDocFlowDbContext>.Of(postgres)(postgres, jobId, cancellationToken).ConfigureAwait(false);
                return json is null ? null : DocumentJson.Deserialize(_encryption.OpenRecord(json, $"the result of job {jobId}"));
            default:
                throw new InvalidOperationException($"No result query for {db.GetType().Name}.");
        }
    }, cancellationToken);

    /// <summary>The result's text on SQLite as its stored UTF-8 bytes, not a string: a result of more than ~42 KB is a
    /// UTF-16 string on the large-object heap, and every such allocation counts towards a full (gen2) collection; with
    /// two per read (this and the response) every collection of a server answering result reads was a gen2
    /// (docs/benchmarks.md, "Authentication and audit cost", session 10). The statement is the results' tenant filter
    /// written out: scoped, only a row of the scope's tenant (an empty scope sees none); unscoped, any row.</summary>
    private static async Task<byte[]?> SqliteResultUtf8Async(SqliteDocFlowDbContext db, string jobId, CancellationToken cancellationToken)
    {
        var scope = db.TenantFilter;
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = scope is null ? ResultUnscopedSql : ResultScopedSql;
        var id = command.CreateParameter();
        id.ParameterName = "$id";
        id.Value = jobId;
        command.Parameters.Add(id);
        if (scope is not null)
        {
            var tenant = command.CreateParameter();
            tenant.ParameterName = "$tenant";
            tenant.Value = scope;
            command.Parameters.Add(tenant);
        }
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SingleRow, cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.IsDBNull(0)) return null;
        return reader.GetFieldValue<byte[]>(0);
    }

    internal const string ResultUnscopedSql = "SELECT document FROM " + DocFlowDbContext.ResultsTable + " WHERE job_id = $id";
    internal const string ResultScopedSql = "SELECT document FROM " + DocFlowDbContext.ResultsTable + " WHERE job_id = $id AND tenant = $tenant";

    // PostgreSQL: the result read as compiled queries (its jsonb comes back as text either way). EF Core walks a LINQ
    // query's expression tree on every execution to find its parameters; compiled, it does not (docs/benchmarks.md,
    // "Authentication and audit cost", session 8). With the tenant on the result's own row the scoped read is one row by
    // its primary key and the filter's plain predicate, no sub-query on jobs (session 9); unscoped (workers, admin,
    // operator) the filter is left out. The scope comes from the context.
    private static class ResultQueries<TContext> where TContext : DocFlowDbContext
    {
        private static readonly Func<TContext, string, CancellationToken, Task<string?>> All = EF.CompileAsyncQuery(
            (TContext db, string jobId, CancellationToken _) =>
                db.Set<JobResultEntity>().IgnoreQueryFilters().Where(r => r.JobId == jobId).Select(r => (string?)r.Document).FirstOrDefault());

        private static readonly Func<TContext, string, CancellationToken, Task<string?>> Scoped = EF.CompileAsyncQuery(
            (TContext db, string jobId, CancellationToken _) =>
                db.Set<JobResultEntity>().Where(r => r.JobId == jobId).Select(r => (string?)r.Document).FirstOrDefault());

        /// <summary>Unscoped: the result by its job id; scoped: also within the results' tenant filter (the job's tenant).</summary>
        public static Func<TContext, string, CancellationToken, Task<string?>> Of(TContext db) => db.TenantFilter is null ? All : Scoped;
    }

    public Task<JobRecord?> FindSucceededAsync(string sha256, string optionsKey, CancellationToken cancellationToken) =>
        FindSucceededAsync(Tenants.Default, sha256, optionsKey, cancellationToken);

    public Task<JobRecord?> FindSucceededAsync(string tenant, string sha256, string optionsKey, CancellationToken cancellationToken) => Run(async db =>
    {
        var job = await db.Set<JobEntity>().AsNoTracking()
            .Where(j => j.Tenant == tenant && j.Sha256 == sha256 && j.OptionsKey == optionsKey && j.Status == JobStatus.Succeeded)
            .OrderBy(j => j.FinishedAt)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return job is null ? null : ToRecord(job);
    }, cancellationToken);

    public Task<BatchPage> ListBatchesAsync(BatchQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1, nameof(query));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, MaxLimit, nameof(query));
        (DateTimeOffset At, string Id)? after = query.Cursor is null ? null : Cursor.ParseTime(query.Cursor);

        return Run(async db =>
        {
            // Keyset on (created_at, id) descending, seeking in the index on created_at.
            var batches = db.Set<BatchEntity>().AsNoTracking();
            if (after is var (at, id))
                batches = batches.Where(b => b.CreatedAt <= at && (b.CreatedAt < at || string.Compare(b.Id, id) < 0));
            var rows = await batches.OrderByDescending(b => b.CreatedAt).ThenByDescending(b => b.Id)
                .Take(query.Limit + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
            var more = rows.Count > query.Limit;
            if (more) rows.RemoveAt(rows.Count - 1);
            if (rows.Count == 0) return new BatchPage([], null);

            // The page's counts in one grouped query on the (batch_id, status) index.
            var ids = rows.Select(b => b.Id).ToList();
            var counts = await db.Set<JobEntity>().Where(j => ids.Contains(j.BatchId))
                .GroupBy(j => new { j.BatchId, j.Status })
                .Select(g => new { g.Key.BatchId, g.Key.Status, Count = g.Count(), Finished = g.Max(j => j.FinishedAt) })
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            var items = rows.Select(b =>
            {
                var mine = counts.Where(c => c.BatchId == b.Id).ToList();
                int Count(JobStatus s) => mine.FirstOrDefault(c => c.Status == s)?.Count ?? 0;
                int queued = Count(JobStatus.Queued), processing = Count(JobStatus.Processing);
                var finishedAt = queued + processing == 0 ? mine.Max(c => c.Finished) : null;
                return new BatchRecord(b.Id, b.Total, queued, processing, Count(JobStatus.Succeeded), Count(JobStatus.Failed), b.CreatedAt, finishedAt) { Tenant = b.Tenant, LegalHold = b.LegalHoldAt is not null };
            }).ToList();
            return new BatchPage(items, more ? Cursor.Time(rows[^1].CreatedAt, rows[^1].Id) : null);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<FinishedJob>> ListFinishedSinceAsync(DateTimeOffset since, CancellationToken cancellationToken) => Run(async db =>
    {
        // Range scan of the index on finished_at; only the five columns the dashboard needs leave the database.
        var rows = await db.Set<JobEntity>().AsNoTracking()
            .Where(j => j.FinishedAt >= since)
            .OrderBy(j => j.FinishedAt)
            .Select(j => new { j.FinishedAt, j.Status, j.Pages, j.DurationMs, j.Engine })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<FinishedJob> result = [.. rows.Select(r => new FinishedJob(r.FinishedAt!.Value, r.Status, r.Pages, r.DurationMs) { Engine = r.Engine })];
        return result;
    }, cancellationToken);

    public Task<TenantUsage> GetTenantUsageAsync(string tenant, DateTimeOffset since, CancellationToken cancellationToken) => Run(async db =>
    {
        var jobs = db.Set<JobEntity>().AsNoTracking().Where(j => j.Tenant == tenant);
        var today = await jobs.Where(j => j.CreatedAt >= since).LongCountAsync(cancellationToken).ConfigureAwait(false);
        var active = await jobs.Where(j => j.Status == JobStatus.Queued || j.Status == JobStatus.Processing).LongCountAsync(cancellationToken).ConfigureAwait(false);
        var bytes = await jobs.SumAsync(j => (long?)j.Bytes, cancellationToken).ConfigureAwait(false) ?? 0;
        return new TenantUsage(today, bytes, active);
    }, cancellationToken);

    /// <summary>The database answers and, on PostgreSQL, accepts writes: a hot standby (<c>pg_is_in_recovery()</c>, the
    /// standby region before promotion) or a read-only default fails the ping with "read-only standby", so <c>/readyz</c>
    /// answers 503 and a global load balancer keeps traffic on the writable region (docs/multi-region.md).</summary>
    public Task PingAsync(CancellationToken cancellationToken) => Run(async db =>
    {
        if (database.Provider != DatabaseProvider.Postgres)
            return await db.Database.ExecuteSqlRawAsync("SELECT 1", cancellationToken).ConfigureAwait(false);
        var state = await db.Database.SqlQueryRaw<string>(
                "SELECT CASE WHEN pg_is_in_recovery() THEN 'recovery' WHEN current_setting('transaction_read_only') = 'on' THEN 'read-only' ELSE 'writable' END AS \"Value\"")
            .SingleAsync(cancellationToken).ConfigureAwait(false);
        // A read-only session default is fixed when a connection opens: drop the pooled ones, so the next ping sees the
        // setting as it is now (a standby in recovery reports the change on the same connection).
        if (state == "read-only") database.ResetConnections();
        return state switch
        {
            "writable" => 0,
            "recovery" => throw new StoreUnavailableException("read-only standby: the PostgreSQL server is in recovery (pg_is_in_recovery()); promote it or point Database:ConnectionString at the primary"),
            _ => throw new StoreUnavailableException("read-only standby: the PostgreSQL session is read-only (default_transaction_read_only); writes would fail"),
        };
    }, cancellationToken);

    private static JobRecord ToRecord(JobEntity j) => new()
    {
        Id = j.Id,
        BatchId = j.BatchId,
        Tenant = j.Tenant,
        Ordinal = j.Ordinal,
        FileName = j.FileName,
        BlobKey = j.BlobKey,
        Sha256 = j.Sha256,
        OptionsKey = j.OptionsKey,
        MimeType = j.MimeType,
        PageSelection = j.PageSelection,
        Route = j.Route,
        Priority = j.Priority,
        Status = j.Status,
        Attempts = j.Attempts,
        Pages = j.Pages,
        OcrPages = string.IsNullOrEmpty(j.OcrPages) ? [] : j.OcrPages.Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToList(),
        EnginePath = j.EnginePath,
        Engine = j.Engine,
        DocumentType = j.DocumentType,
        ErrorCode = j.ErrorCode,
        ErrorMessage = j.ErrorMessage,
        CreatedAt = j.CreatedAt,
        StartedAt = j.StartedAt,
        FinishedAt = j.FinishedAt,
        DurationMs = j.DurationMs,
        LegalHold = j.LegalHoldAt is not null,
    };
}

/// <summary>Opaque page cursors: "o{ordinal}" in a batch, "t{utcTicks}.{id}" across batches.</summary>
internal static class Cursor
{
    public static string Ordinal(int ordinal) => "o" + ordinal.ToString(CultureInfo.InvariantCulture);

    public static int ParseOrdinal(string cursor) =>
        cursor.Length > 1 && cursor[0] == 'o' && int.TryParse(cursor.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n : throw Invalid(cursor);

    public static string Time(DateTimeOffset at, string id) => "t" + at.UtcTicks.ToString(CultureInfo.InvariantCulture) + "." + id;

    public static (DateTimeOffset At, string Id) ParseTime(string cursor)
    {
        var dot = cursor.IndexOf('.', StringComparison.Ordinal);
        if (cursor.Length < 3 || cursor[0] != 't' || dot < 2
            || !long.TryParse(cursor.AsSpan(1, dot - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks)
            throw Invalid(cursor);
        return (new DateTimeOffset(ticks, TimeSpan.Zero), cursor[(dot + 1)..]);
    }

    private static ArgumentException Invalid(string cursor) => new($"'{cursor}' is not a cursor this query returned.", nameof(cursor));
}
