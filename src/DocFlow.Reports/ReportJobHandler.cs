using System.Diagnostics;
using DocFlow.Processing;
using DocFlow.Reports.Pdf;
using DocFlow.Queueing;

namespace DocFlow.Reports;

/// <summary>
/// The worker's handler for the <see cref="JobRoute.Report"/> route: loads the batch, writes results.csv,
/// results.json and report.pdf (each atomically, exports first so a failed PDF still leaves them).
/// </summary>
/// <remarks>An exception is transient for the worker loop (retried with backoff, then dead-lettered); either way
/// the outcome is passed to <paramref name="finished"/> so the batch can record it. Documents' results are never touched.</remarks>
public sealed class ReportJobHandler(IBatchReportSource source, Action<ReportOutcome>? finished = null) : IJobHandler
{
    public const string PdfFileName = "report.pdf";

    public async Task HandleAsync(JobTicket ticket, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var report = await source.LoadAsync(ticket, cancellationToken).ConfigureAwait(false);
        var files = await WriteAsync(report, cancellationToken).ConfigureAwait(false);
        finished?.Invoke(new ReportOutcome { Status = "succeeded", Files = files, Milliseconds = clock.ElapsedMilliseconds, Attempts = ticket.Attempt + 1 });
    }

    public Task OnDeadLetteredAsync(JobTicket ticket, string reason, CancellationToken cancellationToken)
    {
        finished?.Invoke(new ReportOutcome { Status = "failed", Attempts = ticket.Attempt + 1, Error = reason });
        return Task.CompletedTask;
    }

    /// <summary>Writes the three report files into the report's output folder; returns their names.</summary>
    public static async Task<List<string>> WriteAsync(BatchReport report, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(report.OutputDirectory);
        foreach (var (name, write) in Files(report, cancellationToken))
            await IO.AtomicFile.WriteAsync(Path.Combine(report.OutputDirectory, name), write, cancellationToken).ConfigureAwait(false);
        return [ResultsExport.CsvFileName, ResultsExport.JsonFileName, PdfFileName];
    }

    /// <summary>The report's files by name, each with its writer: the exports first, so a failed PDF still leaves them.</summary>
    public static IEnumerable<(string Name, Func<Stream, Task> Write)> Files(BatchReport report, CancellationToken cancellationToken)
    {
        yield return (ResultsExport.CsvFileName, async s =>
        {
            await using var writer = new StreamWriter(s, ResultsExport.Utf8, 1 << 16, leaveOpen: true);
            ResultsExport.WriteCsv(report.Rows, writer);
        });
        yield return (ResultsExport.JsonFileName, s => ResultsExport.WriteJsonAsync(report.Rows, s, cancellationToken));
        yield return (PdfFileName, s =>
        {
            ReportPdf.Render(report, s, cancellationToken);
            return Task.CompletedTask;
        });
    }
}
