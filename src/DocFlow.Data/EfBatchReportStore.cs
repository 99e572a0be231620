using DocFlow.Data.Entities;
using DocFlow.Storage;
using Microsoft.EntityFrameworkCore;

namespace DocFlow.Data;

/// <summary><see cref="IBatchReportStore"/> on EF Core: table batch_reports, one row per batch.</summary>
public sealed class EfBatchReportStore(DocFlowDatabase database) : IBatchReportStore
{
    public Task SaveReportAsync(BatchReportRecord report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var files = string.Join('\n', report.Files.Select(f => f.Key + "=" + f.Value));
        var error = report.Error is { Length: > 2000 } e ? e[..2000] : report.Error;
        return database.RunAsync(async db =>
        {
            var row = await db.Set<BatchReportEntity>().FirstOrDefaultAsync(r => r.BatchId == report.BatchId, cancellationToken).ConfigureAwait(false);
            if (row is null)
            {
                row = new BatchReportEntity { BatchId = report.BatchId };
                db.Add(row);
            }
            row.Succeeded = report.Succeeded;
            row.Files = files;
            row.Error = error;
            row.MadeAt = report.MadeAt;
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException) when (row.BatchId is not null)
            {
                // Two deliveries of the report job raced to insert: the other one's equal report stands.
            }
            return true;
        }, cancellationToken);
    }

    public Task<BatchReportRecord?> GetReportAsync(string batchId, CancellationToken cancellationToken) => database.RunAsync(async db =>
    {
        var row = await db.Set<BatchReportEntity>().AsNoTracking().FirstOrDefaultAsync(r => r.BatchId == batchId, cancellationToken).ConfigureAwait(false);
        if (row is null) return null;
        var files = (row.Files ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        return new BatchReportRecord(row.BatchId, row.Succeeded, files, row.Error, row.MadeAt);
    }, cancellationToken);
}
