using DocFlow.Data.Entities;
using DocFlow.Security.Encryption;
using Microsoft.EntityFrameworkCore;

namespace DocFlow.Data;

/// <summary>
/// Rotation on the database: walks job_results and job_parts in key order, a page at a time, and rewraps each sealed
/// value (and, when asked, each plaintext one) under the active key with a compare-and-set UPDATE (a row changed meanwhile is left for the next run).
/// Idempotent and resumable: a second run finds everything current.
/// </summary>
public sealed class EfRecordKeyRotation(DocFlowDatabase database, AtRestEncryption encryption) : IRecordKeyRotation
{
    private const int PageSize = 200;

    public async Task<RewrapCounts> RewrapAllAsync(bool sealPlaintext, CancellationToken cancellationToken)
    {
        var counts = RewrapCounts.Zero;
        string? after = null;
        while (true)
        {
            var page = await database.RunAsync(db =>
            {
                var rows = db.Set<JobResultEntity>().AsNoTracking();
                if (after is not null) rows = rows.Where(r => string.Compare(r.JobId, after) > 0);
                return rows.OrderBy(r => r.JobId).Take(PageSize).Select(r => new { r.JobId, r.Document }).ToListAsync(cancellationToken);
            }, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0) break;
            foreach (var row in page)
            {
                var (outcome, value) = encryption.RewrapRecord(row.Document, $"the result of job {row.JobId}", sealPlaintext);
                if (outcome is RewrapOutcome.Rewrapped or RewrapOutcome.Sealed)
                {
                    await database.RunAsync(db => db.Set<JobResultEntity>()
                        .Where(r => r.JobId == row.JobId && r.Document == row.Document)
                        .ExecuteUpdateAsync(s => s.SetProperty(r => r.Document, value!), cancellationToken), cancellationToken).ConfigureAwait(false);
                }
                counts = counts.Add(outcome);
            }
            after = page[^1].JobId;
        }

        (string JobId, int Part)? afterPart = null;
        while (true)
        {
            var page = await database.RunAsync(db =>
            {
                var rows = db.Set<JobPartEntity>().AsNoTracking().Where(p => p.Layouts != null);
                if (afterPart is var (job, part))
                    rows = rows.Where(p => string.Compare(p.JobId, job) > 0 || (p.JobId == job && p.PartIndex > part));
                return rows.OrderBy(p => p.JobId).ThenBy(p => p.PartIndex).Take(PageSize)
                    .Select(p => new { p.JobId, p.PartIndex, p.Layouts }).ToListAsync(cancellationToken);
            }, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0) break;
            foreach (var row in page)
            {
                var (outcome, value) = encryption.RewrapRecord(row.Layouts!, $"the layouts of job {row.JobId} part {row.PartIndex}", sealPlaintext);
                if (outcome is RewrapOutcome.Rewrapped or RewrapOutcome.Sealed)
                {
                    await database.RunAsync(db => db.Set<JobPartEntity>()
                        .Where(p => p.JobId == row.JobId && p.PartIndex == row.PartIndex && p.Layouts == row.Layouts)
                        .ExecuteUpdateAsync(s => s.SetProperty(p => p.Layouts, value), cancellationToken), cancellationToken).ConfigureAwait(false);
                }
                counts = counts.Add(outcome);
            }
            afterPart = (page[^1].JobId, page[^1].PartIndex);
        }
        return counts;
    }
}
