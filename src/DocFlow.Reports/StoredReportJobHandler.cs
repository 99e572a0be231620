using DocFlow.Blobs;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Storage;

namespace DocFlow.Reports;

/// <summary>
/// The report route's handler on the platform (`serve`, `worker`): renders the batch's results.csv, results.json and
/// report.pdf from the job store (<see cref="StoreReportSource"/>), puts each into blob storage and records their keys
/// in the <see cref="IBatchReportStore"/>, where the API finds them.
/// </summary>
/// <remarks>An exception is transient for the worker loop (retried with backoff); when the job is given up the failure
/// is recorded, so the API can say why there is no report.</remarks>
public sealed class StoredReportJobHandler(
    IJobMonitoringStore store, IBlobStore blobs, IBatchReportStore reports, TimeProvider? time = null, IJobErasureStore? erasure = null,
    EnginePrices? prices = null) : IJobHandler
{
    public async Task HandleAsync(JobTicket ticket, CancellationToken cancellationToken)
    {
        // An erased batch has nothing to report (its ticket may have been taken before the erasure removed it).
        if (ticket.BatchId is { } id && await store.GetBatchAsync(id, cancellationToken).ConfigureAwait(false) is null) return;
        var report = await new StoreReportSource(store, prices: prices).LoadAsync(ticket, cancellationToken).ConfigureAwait(false);
        // The report's files are the batch's tenant's, stored under its blob prefix like its originals.
        var tenant = ticket.BatchId is null ? null : (await store.GetBatchAsync(ticket.BatchId, cancellationToken).ConfigureAwait(false))?.Tenant;
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, write) in ReportJobHandler.Files(report, cancellationToken))
        {
            using var buffer = new MemoryStream();
            await write(buffer).ConfigureAwait(false);
            buffer.Position = 0;
            keys[name] = (tenant is null
                ? await blobs.PutAsync(buffer, cancellationToken).ConfigureAwait(false)
                : await blobs.PutAsync(buffer, tenant, cancellationToken).ConfigureAwait(false)).Key;
        }
        await reports.SaveReportAsync(new BatchReportRecord(ticket.BatchId!, true, keys, null, Now), cancellationToken).ConfigureAwait(false);
        // Erased while the report was being made: its files must not outlive the batch (unless another batch's report is
        // the very same bytes, content-addressed under the same key).
        if (erasure is not null && await store.GetBatchAsync(ticket.BatchId!, cancellationToken).ConfigureAwait(false) is null)
            foreach (var key in keys.Values.Distinct(StringComparer.Ordinal))
                if (!await erasure.IsBlobReferencedAsync(key, cancellationToken).ConfigureAwait(false))
                    await blobs.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
    }

    public async Task OnDeadLetteredAsync(JobTicket ticket, string reason, CancellationToken cancellationToken)
    {
        if (ticket.BatchId is null || await store.GetBatchAsync(ticket.BatchId, cancellationToken).ConfigureAwait(false) is null) return;
        await reports.SaveReportAsync(new BatchReportRecord(ticket.BatchId, false, new Dictionary<string, string>(), reason, Now), cancellationToken).ConfigureAwait(false);
    }

    private DateTimeOffset Now => (time ?? TimeProvider.System).GetUtcNow();
}
