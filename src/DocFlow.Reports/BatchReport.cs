using DocFlow.Documents;

namespace DocFlow.Reports;

/// <summary>Everything a batch report is made from: the batch's figures, one row per document, and a way to
/// read a document's full result when its page is drawn (read one at a time, so memory stays flat).</summary>
public sealed class BatchReport
{
    public string Title { get; init; } = "DocFlow batch report";
    /// <summary>Folder the report files are written to.</summary>
    public required string OutputDirectory { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset FinishedAt { get; init; }
    public long ElapsedMs { get; init; }
    public int Slots { get; init; }
    public required IReadOnlyList<ResultRow> Rows { get; init; }

    /// <summary>The Document of a row with a result, or null when it cannot be read.</summary>
    public Func<ResultRow, Document?> DocumentOf { get; init; } = static _ => null;

    /// <summary>The price table the rows' costs were computed with (<see cref="EnginePrices.None"/> when none).</summary>
    public EnginePrices Prices { get; init; } = EnginePrices.None;

    public BatchAggregate Aggregate => _aggregate ??= BatchAggregate.Compute(Rows, Prices);
    private BatchAggregate? _aggregate;

    private int ProcessedNow => Rows.Count(r => r.ProcessedNow);
    private double Seconds => Math.Max(ElapsedMs / 1000.0, 1e-3);
    public double DocsPerSecond => ProcessedNow / Seconds;
    public double PagesPerSecond => Rows.Where(r => r.ProcessedNow).Sum(r => r.Pages) / Seconds;
}

/// <summary>Where a report job finds its batch: the CLI reads summary.json from the output folder;
/// a distributed worker would read the job store.</summary>
public interface IBatchReportSource
{
    Task<BatchReport> LoadAsync(Queueing.JobTicket ticket, CancellationToken cancellationToken);
}

/// <summary>How the report job ended: the files written, or why it failed.</summary>
public sealed class ReportOutcome
{
    /// <summary>succeeded or failed.</summary>
    public string Status { get; set; } = "";
    public List<string> Files { get; set; } = [];
    public long Milliseconds { get; set; }
    public int Attempts { get; set; }
    public string? Error { get; set; }
}
