using System.Globalization;
using DocFlow.Data.Entities;
using DocFlow.Queueing;
using DocFlow.Security.Encryption;
using DocFlow.Storage;
using Microsoft.EntityFrameworkCore;

namespace DocFlow.Data;

/// <summary><see cref="IJobPartStore"/> on EF Core: tables job_splits (one row per split job) and job_parts (one per range).
/// A range's layouts (its OCR text) are stored sealed when encryption at rest is on.</summary>
public sealed class EfJobPartStore(DocFlowDatabase database, TimeProvider timeProvider, AtRestEncryption? encryption = null) : IJobPartStore
{
    private readonly AtRestEncryption _encryption = encryption ?? AtRestEncryption.Off;

    public Task<IReadOnlyList<JobPart>> PlanPartsAsync(string jobId, IReadOnlyList<PageRange> ranges, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        ArgumentNullException.ThrowIfNull(ranges);
        if (ranges.Count == 0) throw new ArgumentException("A split needs at least one part.", nameof(ranges));

        return database.RunAsync(async db =>
        {
            if (!await db.Set<JobSplitEntity>().AnyAsync(s => s.JobId == jobId, cancellationToken).ConfigureAwait(false))
            {
                var now = timeProvider.GetUtcNow();
                db.Add(new JobSplitEntity { JobId = jobId, Parts = ranges.Count, CreatedAt = now });
                for (var i = 0; i < ranges.Count; i++)
                    db.Add(new JobPartEntity { JobId = jobId, PartIndex = i, FirstPage = ranges[i].First, LastPage = ranges[i].Last });
                try
                {
                    // One SaveChanges is one transaction: the plan is recorded whole or not at all.
                    await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (DbUpdateException)
                {
                    // Most likely a concurrent delivery of the same job recorded its plan first; that plan stands
                    // (read below with a fresh context). If not, the plan is missing and that is an error.
                    if (!await ExistsAsync(jobId, cancellationToken).ConfigureAwait(false)) throw;
                }
            }
            return await GetPartsAsync(jobId, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    private Task<bool> ExistsAsync(string jobId, CancellationToken cancellationToken) =>
        database.RunAsync(db => db.Set<JobSplitEntity>().AnyAsync(s => s.JobId == jobId, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<JobPart>> GetPartsAsync(string jobId, CancellationToken cancellationToken) =>
        database.RunAsync(db => ReadPartsAsync(db, jobId, cancellationToken), cancellationToken);

    private static async Task<IReadOnlyList<JobPart>> ReadPartsAsync(DocFlowDbContext db, string jobId, CancellationToken cancellationToken)
    {
        var rows = await db.Set<JobPartEntity>().AsNoTracking()
            .Where(p => p.JobId == jobId).OrderBy(p => p.PartIndex)
            .Select(p => new { p.PartIndex, p.FirstPage, p.LastPage, p.ProcessedBy, p.DoneAt })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(p => new JobPart(p.PartIndex, new PageRange(p.FirstPage, p.LastPage), p.DoneAt is not null, p.ProcessedBy, p.DoneAt))];
    }

    public Task SavePartAsync(string jobId, int part, PartResult result, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        ArgumentNullException.ThrowIfNull(result);
        var layouts = _encryption.SealRecord(result.LayoutsJson);
        var rasterized = result.RasterizedPages.Count == 0 ? null
            : string.Join(',', result.RasterizedPages.Select(p => p.ToString(CultureInfo.InvariantCulture)));

        return database.RunAsync(async db =>
        {
            var now = timeProvider.GetUtcNow();
            // The row exists from the plan, so this UPDATE is the upsert: a redelivered range overwrites its own row.
            var found = await db.Set<JobPartEntity>().Where(p => p.JobId == jobId && p.PartIndex == part).ExecuteUpdateAsync(s => s
                .SetProperty(p => p.MimeType, result.MimeType)
                .SetProperty(p => p.Layouts, layouts)
                .SetProperty(p => p.RasterizedPages, rasterized)
                .SetProperty(p => p.ProcessedBy, result.ProcessedBy)
                .SetProperty(p => p.DoneAt, now), cancellationToken).ConfigureAwait(false);
            if (found == 0) throw new InvalidOperationException($"Job '{jobId}' has no part {part} to store.");
            return 0;
        }, cancellationToken);
    }

    public Task<bool> TryClaimFinishAsync(string jobId, int part, CancellationToken cancellationToken) => database.RunAsync(async db =>
    {
        // Compare-and-set on the job's one split row: UPDATE job_splits SET finisher_part = @part
        // WHERE job_id = @id AND finisher_part IS NULL AND (SELECT count(*) FROM job_parts WHERE job_id = @id AND done_at IS NOT NULL) = parts.
        // Every part counts after its own layouts are committed, so the last of them to get here sees them all;
        // the row lock and the finisher_part IS NULL re-check let exactly one of several such callers win.
        var won = await db.Set<JobSplitEntity>()
            .Where(s => s.JobId == jobId && s.FinisherPart == null
                && db.Set<JobPartEntity>().Count(p => p.JobId == jobId && p.DoneAt != null) == s.Parts)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.FinisherPart, part), cancellationToken).ConfigureAwait(false);
        if (won == 1) return true;
        // The winner's redelivery (it died while finishing) wins again.
        var finisher = await db.Set<JobSplitEntity>().Where(s => s.JobId == jobId).Select(s => s.FinisherPart)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return finisher == part;
    }, cancellationToken);

    public Task<IReadOnlyList<PartResult>> GetPartResultsAsync(string jobId, CancellationToken cancellationToken) => database.RunAsync(async db =>
    {
        var rows = await db.Set<JobPartEntity>().AsNoTracking()
            .Where(p => p.JobId == jobId && p.DoneAt != null).OrderBy(p => p.PartIndex)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return (IReadOnlyList<PartResult>)[.. rows.Select(p => new PartResult(
            p.MimeType ?? "", p.Layouts is null ? "[]" : _encryption.OpenRecord(p.Layouts, $"the layouts of job {jobId} part {p.PartIndex}"),
            string.IsNullOrEmpty(p.RasterizedPages) ? [] : [.. p.RasterizedPages.Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture))],
            p.ProcessedBy ?? ""))];
    }, cancellationToken);
}
