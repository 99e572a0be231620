using BenchmarkDotNet.Attributes;
using DocFlow.Documents;
using DocFlow.Reports;

namespace DocFlow.Benchmarks;

/// <summary>The report of a 1,000-document batch: report.pdf (cover, charts, a page per document, appendix)
/// plus results.csv and results.json, as the report job writes them.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class ReportBenchmarks
{
    private IReadOnlyList<ResultRow> _rows = [];
    private IReadOnlyDictionary<string, Document> _documents = new Dictionary<string, Document>();
    private string _directory = "";

    [Params(1000)]
    public int Documents { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_rows, _documents) = SyntheticBatch.Create(Documents);
        _directory = Directory.CreateTempSubdirectory("docflow-bench-report-").FullName;
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    [Benchmark(Description = "Report: report.pdf + results.csv + results.json")]
    public Task<List<string>> WriteReport() =>
        ReportJobHandler.WriteAsync(SyntheticBatch.Report(_rows, _documents, _directory), CancellationToken.None);

    [Benchmark(Description = "Report: aggregate only")]
    public BatchAggregate Aggregate() => BatchAggregate.Compute(_rows);
}
