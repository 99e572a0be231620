using DocFlow.Documents;
using DocFlow.Queueing;
using DocFlow.Storage;

namespace DocFlow.Reports;

/// <summary>
/// A batch as the reports see it, read from the job store: every job in submission order with its outcome and the key
/// fields of its stored result. The one source of the report job (<see cref="ReportJobHandler"/>) in every host, and of
/// the API's report and exports.
/// </summary>
/// <remarks>A job that succeeded without a single attempt was answered from an identical earlier result (resume in
/// <c>docflow process</c>, deduplication on the server): its row says <c>skipped</c>, so throughput counts only the
/// documents processed now.</remarks>
/// <param name="store">The job store.</param>
/// <param name="outputDirectory">Where a report loaded for a ticket is written (<c>docflow process</c>: its output folder);
/// empty for reports that go to blob storage (<see cref="StoredReportJobHandler"/>).</param>
/// <param name="slots">Documents processed at once, when the host knows it (the report's header says so); 0 when not.</param>
/// <param name="prices">The price table of the rows' cost (<c>Engines:PricePerPage</c>); none by default.</param>
public sealed class StoreReportSource(IJobMonitoringStore store, string outputDirectory = "", int slots = 0, EnginePrices? prices = null) : IBatchReportSource
{
    /// <summary>The report of the ticket's batch.</summary>
    public async Task<BatchReport> LoadAsync(JobTicket ticket, CancellationToken cancellationToken)
    {
        var batchId = ticket.BatchId ?? throw new ArgumentException($"Report ticket {ticket.JobId} names no batch.", nameof(ticket));
        return await LoadAsync(batchId, outputDirectory, withDocuments: true, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"No batch with id '{batchId}' in the store.");
    }

    /// <summary>The batch's report, or null when there is no such batch.</summary>
    /// <param name="withDocuments">Whether the report may load each stored Document (for its per-document pages).</param>
    public async Task<BatchReport?> LoadAsync(string batchId, string outputDirectory, bool withDocuments, CancellationToken cancellationToken)
    {
        var batch = await store.GetBatchAsync(batchId, cancellationToken).ConfigureAwait(false);
        if (batch is null) return null;
        var jobs = await ListAsync(batchId, cancellationToken).ConfigureAwait(false);

        var table = prices ?? EnginePrices.None;
        var rows = new List<ResultRow>(jobs.Count);
        var ids = new Dictionary<ResultRow, string>(ReferenceEqualityComparer.Instance);
        foreach (var job in jobs)
        {
            var document = job.Status == JobStatus.Succeeded ? await store.GetResultAsync(job.Id, cancellationToken).ConfigureAwait(false) : null;
            var engine = string.IsNullOrWhiteSpace(job.Engine) ? ResultRow.LocalEngine : job.Engine;
            var row = new ResultRow
            {
                Engine = engine,
                // A reused result (skipped) asked no engine: it costs nothing now.
                Cost = job.Status != JobStatus.Succeeded ? null : table.CostOf(engine, job.Attempts == 0 ? 0 : job.Pages ?? 0),
                File = job.FileName,
                Status = StatusOf(job),
                DocumentType = job.DocumentType ?? (document is null ? null : KeyFields.DocumentTypeOf(document)),
                MimeType = job.MimeType,
                Pages = job.Pages ?? 0,
                OcrPages = job.OcrPages.Count,
                Milliseconds = job.DurationMs ?? 0,
                FinishedAtMs = job.FinishedAt is { } f ? Math.Max(0, (long)(f - batch.CreatedAt).TotalMilliseconds) : 0,
                Fields = document is null ? null : KeyFields.From(document),
                ErrorCode = job.ErrorCode,
                ErrorMessage = job.ErrorMessage,
            };
            rows.Add(row);
            ids[row] = job.Id;
        }
        var finished = batch.FinishedAt ?? DateTimeOffset.UtcNow;
        return new BatchReport
        {
            Title = $"DocFlow batch {batchId}",
            OutputDirectory = outputDirectory,
            StartedAt = batch.CreatedAt,
            FinishedAt = finished,
            ElapsedMs = (long)(finished - batch.CreatedAt).TotalMilliseconds,
            Rows = rows,
            Slots = slots,
            Prices = table,
            DocumentOf = withDocuments
                ? row => ids.TryGetValue(row, out var jobId) ? store.GetResultAsync(jobId, cancellationToken).GetAwaiter().GetResult() : null
                : static _ => null,
        };
    }

    /// <summary>The batch's jobs in submission order, every page of them.</summary>
    public async Task<IReadOnlyList<JobRecord>> ListAsync(string batchId, CancellationToken cancellationToken)
    {
        var jobs = new List<JobRecord>();
        string? cursor = null;
        do
        {
            var page = await store.ListJobsAsync(new JobQuery(BatchId: batchId, Limit: 1000, Cursor: cursor), cancellationToken).ConfigureAwait(false);
            jobs.AddRange(page.Items);
            cursor = page.NextCursor;
        } while (cursor is not null);
        return jobs;
    }

    /// <summary>The row status of a job: its wire status, or <c>skipped</c> for a result reused without an attempt.</summary>
    public static string StatusOf(JobRecord job) =>
        job is { Status: JobStatus.Succeeded, Attempts: 0 } ? "skipped" : job.Status.ToWireName();
}
