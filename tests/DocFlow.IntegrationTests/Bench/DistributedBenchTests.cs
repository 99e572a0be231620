using DocFlow.IntegrationTests.Support;
using Xunit.Abstractions;

namespace DocFlow.IntegrationTests.Bench;

/// <summary>`docflow bench --distributed` (the docflow-tools executable, as the launcher runs it) with tiny sizes: it
/// starts and stops what it needs, the product's `docflow` included, and reports every row. Figures are not checked (timing claims belong in docs/benchmarks.md, not in assertions).</summary>
public sealed class DistributedBenchTests(ITestOutputHelper output)
{
    private static readonly string[] Rows =
    [
        "broker: DocFlow, 200 no-op jobs end to end",
        "broker: Celery peer, run.sh --noop 5",
        "broker ratio DocFlow/Celery",
        "corpus",
        "documents: embedded",
        "documents: distributed, 1 docflow worker",
        "documents: distributed, 2 docflow workers",
        "remote engine (simulated 2.3 s latency), 1 worker process: documents in flight (max)",
        "remote engine: throughput",
        "remote engine: peak RSS of the worker process",
        "express lane: queue wait (enqueue -> fetch)",
        "split: one 9-page scan (ranges of 4 pages), 1 docflow worker x 1 slot",
        "split: the same scan, 2 docflow workers x 1 slot",
        "worker start-up: process start to \"Worker started\" (fetching), median",
        "worker start-up: process start to its first document done (receipt-shop.jpg), median",
        "load average",
    ];

    [Fact]
    public async Task DistributedBench_WithTinySizes_ReportsEveryRow()
    {
        var work = Repo.NewTempDirectory("bench-distributed");
        var corpus = Repo.NewTempDirectory("bench-corpus");
        foreach (var name in new[] { "invoice-digital.pdf", "receipt-shop.jpg", "letter-skewed.jpg" })
            File.Copy(Path.Combine(Repo.Samples, name), Path.Combine(corpus, name));

        var (exit, text) = await Executables.RunAsync(Executables.Tools, TimeSpan.FromMinutes(10), "bench", corpus, "--distributed", "--jobs", "200", "--celery-jobs", "5",
            "--remote-docs", "20", "--remote-slots", "8", "--express-normal", "100", "--warmup", "1", "--split-pages", "9", "--work", work);

        output.WriteLine(text);
        Assert.Equal(0, exit);
        var lines = await File.ReadAllLinesAsync(Path.Combine(work, "bench-distributed.txt"));
        foreach (var row in Rows) Assert.Contains(lines, l => l.StartsWith(row, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("corpus: 3 docs", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("documents in flight (max): 8 of 8 slots", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(work, "bench-distributed.md")));
        // No peer folder is guessed: without --celery or DOCFLOW_CELERY_PEER the row says so.
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("DOCFLOW_CELERY_PEER")))
            Assert.Contains(lines, l => l.StartsWith("broker: Celery peer, run.sh --noop 5: n/a: peer not given", StringComparison.Ordinal));
        try { Directory.Delete(work, true); Directory.Delete(corpus, true); } catch (IOException) { }
    }
}
