using System.Text.Json;
using DocFlow.Cli.Batch;
using DocFlow.Engine;
using DocFlow.IntegrationTests.Support;
using DocFlow.Processing;
using DocFlow.Queueing;
using DocFlow.Reports;
using UglyToad.PdfPig;

namespace DocFlow.IntegrationTests.Reports;

/// <summary>`docflow process` end to end: documents through the engine, then the report job on the report route.</summary>
public sealed class BatchReportTests : IDisposable
{
    private readonly string _in = Repo.NewTempDirectory("report-in");
    private readonly string _out = Repo.NewTempDirectory("report-out");

    private void CopyInputs()
    {
        // Digital PDFs are fast; the report is the subject here, not OCR.
        foreach (var name in new[] { "invoice-digital.pdf", "receipt-digital.pdf", "form-filled.pdf" })
            File.Copy(Path.Combine(Repo.Samples, name), Path.Combine(_in, name));
        File.WriteAllText(Path.Combine(_in, "notes, draft.txt"), "not a document");
    }

    private Task<BatchSummary> RunAsync(IBatchReportSource? source = null, EnginePrices? prices = null)
    {
        var options = new EngineOptions { Slots = 2 };
        var engine = new LocalDocumentEngine(options);
        var runner = new BatchRunner(engine, LocalDocumentEngine.OptionsKey(options))
        {
            ReportSource = source,
            Prices = prices,
            Retry = new RetryOptions { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) },
        };
        return RunAndDispose(engine, runner);
    }

    private async Task<BatchSummary> RunAndDispose(LocalDocumentEngine engine, BatchRunner runner)
    {
        using (engine)
            return await runner.RunAsync(InputCollector.Collect([_in], out _), _out, force: false, null, CancellationToken.None);
    }

    [Fact]
    public async Task Process_WritesReportPdf_ResultsCsv_AndResultsJson()
    {
        CopyInputs();

        var summary = await RunAsync();

        Assert.Equal("succeeded", summary.Report?.Status);
        using (var pdf = PdfDocument.Open(Path.Combine(_out, "report.pdf")))
        {
            // Cover, charts, at least a page per document (long entity lists run over), error appendix.
            Assert.True(pdf.NumberOfPages >= 1 + 1 + 3 + 1, $"{pdf.NumberOfPages} pages");
            var appendix = string.Join(" ", pdf.GetPage(pdf.NumberOfPages).GetWords().Select(w => w.Text));
            Assert.Contains("unsupported_type", appendix);
            var documentPages = Enumerable.Range(3, pdf.NumberOfPages - 3).Select(n => string.Join(" ", pdf.GetPage(n).GetWords().Select(w => w.Text))).ToList();
            Assert.Contains(documentPages, p => p.Contains("invoice-digital.pdf", StringComparison.Ordinal));
        }
        var csv = File.ReadAllText(Path.Combine(_out, "results.csv"));
        Assert.StartsWith("file,status,type,pages,", csv);
        Assert.Equal(5, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("\"notes, draft.txt\",failed,", csv);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_out, "results.json")));
        Assert.Equal(4, json.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task Process_WithAPriceTable_ReportsTheLocalEnginesCost_InResultsCsvAndAnEnginesTable()
    {
        CopyInputs();

        var summary = await RunAsync(prices: new EnginePrices(new Dictionary<string, decimal> { ["local"] = 0.01m }, "EUR"));

        Assert.Equal("succeeded", summary.Report?.Status);
        var pages = summary.Files.Where(f => f.Status == "succeeded").Sum(f => f.Pages);
        var csv = File.ReadAllText(Path.Combine(_out, "results.csv")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith(",engine,cost", csv[0]);
        var invoice = summary.Files.Single(f => f.File == "invoice-digital.pdf");
        Assert.EndsWith($",local,{(invoice.Pages * 0.01m).ToString("0.00######", System.Globalization.CultureInfo.InvariantCulture)}",
            csv.Single(r => r.StartsWith("invoice-digital.pdf,", StringComparison.Ordinal)));
        Assert.EndsWith(",local,", csv.Single(r => r.StartsWith("\"notes, draft.txt\",failed,", StringComparison.Ordinal))); // failed: no cost
        var local = Assert.Single(summary.Aggregate!.Engines);
        Assert.Equal(("local", 3, pages * 0.01m, "EUR"), (local.Engine, local.Documents, local.Cost, summary.Aggregate.Currency));
        using var pdf = PdfDocument.Open(Path.Combine(_out, "report.pdf"));
        var cover = string.Join(" ", pdf.GetPage(1).GetWords().Select(w => w.Text));
        Assert.Contains("Engines Engine Documents Pages Cost (EUR) Cost per document", cover);
        Assert.Contains($"local 3 {pages}", cover);
    }

    [Fact]
    public async Task Process_WithoutAPriceTable_LeavesTheEnginesTableOut()
    {
        CopyInputs();

        await RunAsync();

        using var pdf = PdfDocument.Open(Path.Combine(_out, "report.pdf"));
        Assert.DoesNotContain("Cost per document", string.Join(" ", pdf.GetPage(1).GetWords().Select(w => w.Text)));
    }

    [Fact]
    public async Task SummaryJson_HasTheAggregate_AndPerFileFinishTimes()
    {
        CopyInputs();

        await RunAsync();

        var saved = BatchSummary.TryLoad(Path.Combine(_out, BatchRunner.SummaryFileName))!;
        Assert.NotNull(saved.Aggregate);
        Assert.Equal(4, saved.Aggregate.Documents);
        Assert.Equal(3, saved.Aggregate.ByStatus["succeeded"]);
        Assert.Equal("unsupported_type", Assert.Single(saved.Aggregate.Errors).Code);
        Assert.Equal(4, saved.Aggregate.Latency.Count); // the three documents and the failed file were processed now
        // A file rejected at once may finish in the batch's first millisecond (0); none finishes after the batch.
        Assert.All(saved.Files, f => Assert.InRange(f.FinishedAtMs, 0, saved.ElapsedMs));
        Assert.Contains(saved.Files, f => f.FinishedAtMs > 0);
        Assert.Equal("succeeded", saved.Report?.Status);
    }

    private sealed class BrokenSource : IBatchReportSource
    {
        public Task<BatchReport> LoadAsync(JobTicket ticket, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("report storage is unavailable");
    }

    [Fact]
    public async Task ReportFailure_IsRecorded_AndTheDocumentsResultsStay()
    {
        CopyInputs();

        var summary = await RunAsync(new BrokenSource());

        Assert.Equal("failed", summary.Report?.Status);
        Assert.Contains("report storage is unavailable", summary.Report?.Error);
        Assert.Equal(3, summary.Totals.Succeeded);
        Assert.All(summary.Files, f => Assert.True(File.Exists(Path.Combine(_out, f.Output))));
        Assert.Equal("failed", BatchSummary.TryLoad(Path.Combine(_out, BatchRunner.SummaryFileName))!.Report?.Status);
        Assert.False(File.Exists(Path.Combine(_out, "report.pdf")));
    }

    public void Dispose()
    {
        foreach (var dir in new[] { _in, _out })
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }
}
