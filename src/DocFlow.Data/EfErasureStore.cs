using DocFlow.Data.Entities;
using DocFlow.Storage;
using Microsoft.EntityFrameworkCore;

namespace DocFlow.Data;

/// <summary><see cref="IJobErasureStore"/> on EF Core: one transaction per erasure, the delete of the jobs guarded (not
/// processing, not held) so a worker or a hold that comes in between wins and nothing is removed; the caller's clean-up
/// of queue and blobs runs before the commit, so a failure there leaves the rows for a retry.</summary>
/// <remarks>
/// Child rows (status history, result, split and parts) are deleted explicitly, not left to the cascades, so nothing
/// depends on SQLite's foreign-key setting. On SQLite the erasing connection runs with <c>secure_delete</c> (freed
/// pages are overwritten with zeros) and the write-ahead log is checkpointed and truncated afterwards, so the bytes of
/// the removed rows do not linger in the file. PostgreSQL keeps dead row versions until (auto)vacuum reclaims them:
/// docs/security.md says so.
/// Tenants: every query here starts from <c>jobs</c> or <c>batches</c> by id; the tenant filter is one more predicate
/// on those (<see cref="Jobs"/>, <see cref="Batches"/>).
/// </remarks>
public sealed class EfErasureStore(DocFlowDatabase database, TimeProvider timeProvider) : IJobErasureStore
{
    // The context's tenant filter (ITenantScope) applies here as to every read: a request reaches only its tenant's rows.
    private static IQueryable<JobEntity> Jobs(DocFlowDbContext db) => db.Set<JobEntity>();

    private static IQueryable<BatchEntity> Batches(DocFlowDbContext db) => db.Set<BatchEntity>();

    public Task<Erasure> EraseJobAsync(string jobId, Func<Erasure, CancellationToken, Task>? beforeCommit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        return database.RunAsync(async db =>
        {
            var job = await Jobs(db).AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, cancellationToken).ConfigureAwait(false);
            if (job is null) return Erasure.Refused(ErasureOutcome.NotFound);
            var batch = await Batches(db).AsNoTracking().FirstAsync(b => b.Id == job.BatchId, cancellationToken).ConfigureAwait(false);
            if (job.LegalHoldAt is not null || batch.LegalHoldAt is not null) return Erasure.Refused(ErasureOutcome.Held, batch.Id);
            if (job.Status == JobStatus.Processing) return Erasure.Refused(ErasureOutcome.Processing, batch.Id);

            await using (var tx = await BeginAsync(db, cancellationToken).ConfigureAwait(false))
            {
                await DeleteChildrenAsync(db, [jobId], cancellationToken).ConfigureAwait(false);
                // Guarded: a worker that took the job, or a hold placed, since the read above leaves it in place.
                var deleted = await Jobs(db)
                    .Where(j => j.Id == jobId && j.Status != JobStatus.Processing && j.LegalHoldAt == null
                                && !db.Set<BatchEntity>().Any(b => b.Id == j.BatchId && b.LegalHoldAt != null))
                    .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                if (deleted == 0)
                {
                    await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
                    var now = await Jobs(db).AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, cancellationToken).ConfigureAwait(false);
                    return Erasure.Refused(now is null ? ErasureOutcome.NotFound : now.Status == JobStatus.Processing ? ErasureOutcome.Processing : ErasureOutcome.Held, batch.Id);
                }

                // The batch report shows this document: its record goes (made again for the rest, or with the batch).
                var reportKeys = await DeleteReportAsync(db, batch.Id, cancellationToken).ConfigureAwait(false);
                var remaining = await Jobs(db).CountAsync(j => j.BatchId == batch.Id, cancellationToken).ConfigureAwait(false);
                if (remaining == 0)
                {
                    await DeleteBatchWebhooksAsync(db, batch.Id, cancellationToken).ConfigureAwait(false);
                    await Batches(db).Where(b => b.Id == batch.Id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                    await Batches(db).Where(b => b.Id == batch.Id).ExecuteUpdateAsync(s => s.SetProperty(b => b.Total, b => b.Total - 1), cancellationToken).ConfigureAwait(false);
                var erased = new Erasure(ErasureOutcome.Erased, [new ErasedJob(job.Id, job.BatchId, job.BlobKey, job.Sha256) { Tenant = job.Tenant }], remaining == 0, batch.Id, reportKeys)
                {
                    FreedBlobKeys = await FreedAsync(db, [job.BlobKey, .. reportKeys], cancellationToken).ConfigureAwait(false),
                };
                // Throws: the transaction rolls back (disposed uncommitted), nothing is removed.
                if (beforeCommit is not null) await beforeCommit(erased, cancellationToken).ConfigureAwait(false);
                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                await AfterAsync(db, cancellationToken).ConfigureAwait(false);
                return erased;
            }
        }, cancellationToken);
    }

    public Task<Erasure> EraseBatchAsync(string batchId, Func<Erasure, CancellationToken, Task>? beforeCommit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(batchId);
        return database.RunAsync(async db =>
        {
            var batch = await Batches(db).AsNoTracking().FirstOrDefaultAsync(b => b.Id == batchId, cancellationToken).ConfigureAwait(false);
            if (batch is null) return Erasure.Refused(ErasureOutcome.NotFound);
            var jobs = await Jobs(db).AsNoTracking().Where(j => j.BatchId == batchId)
                .Select(j => new { j.Id, j.BlobKey, j.Sha256, j.Status, j.LegalHoldAt, j.Tenant })
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            if (batch.LegalHoldAt is not null || jobs.Any(j => j.LegalHoldAt is not null)) return Erasure.Refused(ErasureOutcome.Held, batchId);
            if (jobs.Any(j => j.Status == JobStatus.Processing)) return Erasure.Refused(ErasureOutcome.Processing, batchId);

            await using var tx = await BeginAsync(db, cancellationToken).ConfigureAwait(false);
            var ids = jobs.Select(j => j.Id).ToList();
            await DeleteChildrenAsync(db, ids, cancellationToken).ConfigureAwait(false);
            var deleted = await Jobs(db).Where(j => j.BatchId == batchId && j.Status != JobStatus.Processing && j.LegalHoldAt == null)
                .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            var reportKeys = await DeleteReportAsync(db, batchId, cancellationToken).ConfigureAwait(false);
            await DeleteBatchWebhooksAsync(db, batchId, cancellationToken).ConfigureAwait(false);
            var batches = await Batches(db).Where(b => b.Id == batchId && b.LegalHoldAt == null).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            if (deleted != ids.Count || batches != 1)
            {
                // A worker took one of them, a hold was placed or a job was added meanwhile: all or nothing.
                await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return Erasure.Refused(batches != 1 ? ErasureOutcome.Held : ErasureOutcome.Processing, batchId);
            }
            var erased = new Erasure(ErasureOutcome.Erased, [.. jobs.Select(j => new ErasedJob(j.Id, batchId, j.BlobKey, j.Sha256) { Tenant = j.Tenant })], true, batchId, reportKeys)
            {
                FreedBlobKeys = await FreedAsync(db, [.. jobs.Select(j => j.BlobKey), .. reportKeys], cancellationToken).ConfigureAwait(false),
            };
            if (beforeCommit is not null) await beforeCommit(erased, cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            await AfterAsync(db, cancellationToken).ConfigureAwait(false);
            return erased;
        }, cancellationToken);
    }

    public Task<bool> IsBlobReferencedAsync(string blobKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(blobKey);
        // Not filtered by tenant: a blob is shared by whoever uploaded the same bytes, and only the last reference frees it.
        return database.RunAsync(async db =>
            await db.Set<JobEntity>().AnyAsync(j => j.BlobKey == blobKey, cancellationToken).ConfigureAwait(false)
            || await db.Set<BatchReportEntity>().AnyAsync(r => r.Files != null && r.Files.Contains(blobKey), cancellationToken).ConfigureAwait(false),
            cancellationToken);
    }

    public Task<bool> SetJobHoldAsync(string jobId, bool held, CancellationToken cancellationToken) => database.RunAsync(async db =>
    {
        if (!await Jobs(db).AnyAsync(j => j.Id == jobId, cancellationToken).ConfigureAwait(false)) return false;
        DateTimeOffset? at = held ? timeProvider.GetUtcNow() : null;
        // Placing a hold twice keeps the first time; lifting clears it.
        await Jobs(db).Where(j => j.Id == jobId && (held ? j.LegalHoldAt == null : j.LegalHoldAt != null))
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.LegalHoldAt, at), cancellationToken).ConfigureAwait(false);
        return true;
    }, cancellationToken);

    public Task<bool> SetBatchHoldAsync(string batchId, bool held, CancellationToken cancellationToken) => database.RunAsync(async db =>
    {
        if (!await Batches(db).AnyAsync(b => b.Id == batchId, cancellationToken).ConfigureAwait(false)) return false;
        DateTimeOffset? at = held ? timeProvider.GetUtcNow() : null;
        await Batches(db).Where(b => b.Id == batchId && (held ? b.LegalHoldAt == null : b.LegalHoldAt != null))
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.LegalHoldAt, at), cancellationToken).ConfigureAwait(false);
        return true;
    }, cancellationToken);

    public Task<IReadOnlyList<string>> ListExpiredJobsAsync(DateTimeOffset finishedBefore, string? tenant, IReadOnlyCollection<string> exceptTenants,
        int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentNullException.ThrowIfNull(exceptTenants);
        var except = exceptTenants.ToList();
        return database.RunAsync(async db =>
        {
            var jobs = Jobs(db).AsNoTracking();
            jobs = tenant is not null ? jobs.Where(j => j.Tenant == tenant)
                : except.Count > 0 ? jobs.Where(j => !except.Contains(j.Tenant)) : jobs;
            // The range on finished_at is served by its index; held jobs and jobs of held batches are never swept.
            IReadOnlyList<string> ids = await jobs
                .Where(j => j.FinishedAt < finishedBefore && (j.Status == JobStatus.Succeeded || j.Status == JobStatus.Failed)
                            && j.LegalHoldAt == null && !db.Set<BatchEntity>().Any(b => b.Id == j.BatchId && b.LegalHoldAt != null))
                .OrderBy(j => j.FinishedAt).ThenBy(j => j.Id).Take(limit).Select(j => j.Id)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return ids;
        }, cancellationToken);
    }

    /// <summary>Of <paramref name="keys"/>, those no job or report refers to any more, asked on the erasing transaction's
    /// own connection (so its deletes count). Not filtered by tenant: a blob is shared by whoever uploaded the same bytes.</summary>
    private static async Task<IReadOnlyList<string>> FreedAsync(DocFlowDbContext db, IEnumerable<string> keys, CancellationToken ct)
    {
        var freed = new List<string>();
        foreach (var key in keys.Distinct(StringComparer.Ordinal))
        {
            if (await db.Set<JobEntity>().AnyAsync(j => j.BlobKey == key, ct).ConfigureAwait(false)) continue;
            if (await db.Set<BatchReportEntity>().AnyAsync(r => r.Files != null && r.Files.Contains(key), ct).ConfigureAwait(false)) continue;
            freed.Add(key);
        }
        return freed;
    }

    private static async Task<Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction> BeginAsync(DocFlowDbContext db, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        // Freed pages are zeroed on this connection, so a removed row's bytes do not stay in the file's free list.
        if (db is SqliteDocFlowDbContext) await db.Database.ExecuteSqlRawAsync("PRAGMA secure_delete = ON;", ct).ConfigureAwait(false);
        return await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
    }

    /// <summary>SQLite: copy the log into the file and truncate it, so the removed rows' old page images leave the -wal file.
    /// Best effort: a reader holding an old snapshot keeps the log until the next checkpoint.</summary>
    private static async Task AfterAsync(DocFlowDbContext db, CancellationToken ct)
    {
        if (db is SqliteDocFlowDbContext)
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);", ct).ConfigureAwait(false);
    }

    private static async Task DeleteChildrenAsync(DocFlowDbContext db, List<string> ids, CancellationToken ct)
    {
        foreach (var chunk in ids.Chunk(500))
        {
            await db.Set<JobStatusChangeEntity>().Where(h => chunk.Contains(h.JobId)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            await db.Set<JobResultEntity>().Where(r => chunk.Contains(r.JobId)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            await db.Set<JobPartEntity>().Where(p => chunk.Contains(p.JobId)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            await db.Set<JobSplitEntity>().Where(s => chunk.Contains(s.JobId)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            await DeleteJobWebhooksAsync(db, chunk, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The webhook events of the jobs (their bodies name the files): event keys <c>{jobId}:{type}</c> (WebhookEmitter).</summary>
    private static async Task DeleteJobWebhooksAsync(DocFlowDbContext db, IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        var keys = ids.SelectMany(id => new[] { id + ":document.succeeded", id + ":document.failed" }).ToList();
        var deliveries = db.Set<WebhookDeliveryEntity>().Where(d => keys.Contains(d.EventKey)).Select(d => d.Id);
        await db.Set<WebhookAttemptEntity>().Where(a => deliveries.Contains(a.DeliveryId)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        await db.Set<WebhookDeliveryEntity>().Where(d => keys.Contains(d.EventKey)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The batch's webhook subscription, deliveries and attempts.</summary>
    private static async Task DeleteBatchWebhooksAsync(DocFlowDbContext db, string batchId, CancellationToken ct)
    {
        var deliveries = db.Set<WebhookDeliveryEntity>().Where(d => d.BatchId == batchId).Select(d => d.Id);
        await db.Set<WebhookAttemptEntity>().Where(a => deliveries.Contains(a.DeliveryId)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        await db.Set<WebhookDeliveryEntity>().Where(d => d.BatchId == batchId).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        await db.Set<WebhookSubscriptionEntity>().Where(w => w.BatchId == batchId).ExecuteDeleteAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Deletes the batch's report and operation rows; returns the blob keys of its files.</summary>
    private static async Task<IReadOnlyList<string>> DeleteReportAsync(DocFlowDbContext db, string batchId, CancellationToken ct)
    {
        var files = await db.Set<BatchReportEntity>().AsNoTracking().Where(r => r.BatchId == batchId).Select(r => r.Files)
            .FirstOrDefaultAsync(ct).ConfigureAwait(false);
        await db.Set<BatchReportEntity>().Where(r => r.BatchId == batchId).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        // A Document AI operation's request (output prefix, field mask) goes with its batch.
        await db.Set<BatchOperationEntity>().Where(o => o.BatchId == batchId).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        return [.. (files ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).Select(p => p[1]).Distinct()];
    }
}
