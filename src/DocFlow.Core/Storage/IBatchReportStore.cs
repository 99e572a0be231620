namespace DocFlow.Storage;

/// <summary>Where a batch's report (made by the job on the report route) is recorded: the blob keys of its files.</summary>
/// <remarks>One record per batch; saving again replaces it (a redelivered report job renders the same report again).</remarks>
public interface IBatchReportStore
{
    Task SaveReportAsync(BatchReportRecord report, CancellationToken cancellationToken);

    /// <summary>The batch's report record, or null when no report job has ended for it.</summary>
    Task<BatchReportRecord?> GetReportAsync(string batchId, CancellationToken cancellationToken);
}

/// <summary>A batch's report: the blob key of each file by name (report.pdf, results.csv, results.json), or why it failed.</summary>
public sealed record BatchReportRecord(string BatchId, bool Succeeded, IReadOnlyDictionary<string, string> Files, string? Error, DateTimeOffset MadeAt);
