using DocFlow.Data.Entities;
using DocFlow.Storage;
using Microsoft.EntityFrameworkCore;

namespace DocFlow.Data;

/// <summary><see cref="IBatchOperationStore"/> on EF Core: table batch_operations, one row per batch.</summary>
public sealed class EfBatchOperationStore(DocFlowDatabase database) : IBatchOperationStore
{
    public Task SaveAsync(BatchOperationRecord operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return database.RunAsync(async db =>
        {
            db.Add(new BatchOperationEntity
            {
                BatchId = operation.BatchId,
                Tenant = operation.Tenant,
                ProcessorType = operation.ProcessorType,
                OutputPrefix = operation.OutputPrefix,
                FieldMask = operation.FieldMask,
                RequestKey = operation.RequestKey,
                CreatedAt = operation.CreatedAt,
                CancelledAt = operation.CancelledAt,
                OutputsWrittenAt = operation.OutputsWrittenAt,
            });
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    public Task<BatchOperationRecord?> GetAsync(string batchId, CancellationToken cancellationToken) => database.RunAsync(async db =>
    {
        var row = await db.Set<BatchOperationEntity>().AsNoTracking().FirstOrDefaultAsync(o => o.BatchId == batchId, cancellationToken).ConfigureAwait(false);
        return row is null ? null : Map(row);
    }, cancellationToken);

    public Task<BatchOperationRecord?> FindRecentAsync(string requestKey, DateTimeOffset since, CancellationToken cancellationToken) => database.RunAsync(async db =>
    {
        // Few rows share a key (re-sends of one request): filter on the indexed key, compare times in memory (SQLite
        // stores DateTimeOffset as text and cannot order by it).
        var rows = await db.Set<BatchOperationEntity>().AsNoTracking().Where(o => o.RequestKey == requestKey).ToListAsync(cancellationToken).ConfigureAwait(false);
        var row = rows.Where(o => o.CreatedAt >= since).MaxBy(o => o.CreatedAt);
        return row is null ? null : Map(row);
    }, cancellationToken);

    public Task MarkAsync(string batchId, bool cancelled, bool outputsWritten, DateTimeOffset at, CancellationToken cancellationToken) => database.RunAsync(async db =>
    {
        var row = await db.Set<BatchOperationEntity>().FirstOrDefaultAsync(o => o.BatchId == batchId, cancellationToken).ConfigureAwait(false);
        if (row is null) return false;
        if (cancelled) row.CancelledAt ??= at;
        if (outputsWritten) row.OutputsWrittenAt ??= at;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }, cancellationToken);

    private static BatchOperationRecord Map(BatchOperationEntity o) =>
        new(o.BatchId, o.Tenant, o.ProcessorType, o.OutputPrefix, o.FieldMask, o.RequestKey, o.CreatedAt)
        {
            CancelledAt = o.CancelledAt,
            OutputsWrittenAt = o.OutputsWrittenAt,
        };
}
