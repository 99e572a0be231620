using DocFlow.Documents;
using DocFlow.Queueing;
using DocFlow.Reports;

namespace DocFlow.Cli.Batch;

/// <summary>The report job's view of a batch run by `docflow process`: the ticket's source is the output folder,
/// whose summary.json lists the files and whose NAME.json files hold the Documents.</summary>
public sealed class SummaryReportSource : IBatchReportSource
{
    public Task<BatchReport> LoadAsync(JobTicket ticket, CancellationToken cancellationToken)
    {
        var directory = ticket.Source;
        var summary = BatchSummary.TryLoad(Path.Combine(directory, BatchRunner.SummaryFileName))
            ?? throw new FileNotFoundException($"No readable {BatchRunner.SummaryFileName} in {directory}.");
        return Task.FromResult(new BatchReport
        {
            OutputDirectory = directory,
            StartedAt = summary.StartedAt,
            FinishedAt = summary.FinishedAt,
            ElapsedMs = summary.ElapsedMs,
            Slots = summary.Slots,
            Rows = [.. summary.Files.Select(f => f.ToResultRow())],
            DocumentOf = row => Read(directory, row),
        });
    }

    private static Document? Read(string directory, ResultRow row)
    {
        if (row.Output is null) return null;
        try
        {
            return DocumentJson.Deserialize(File.ReadAllText(Path.Combine(directory, row.Output)));
        }
        catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException or UnauthorizedAccessException)
        {
            return null; // the page says so; one unreadable result must not cost the whole report
        }
    }
}
