using System.Diagnostics;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using DocFlow.Benchmarks;
using DocFlow.Reports;

// `-- sample DIR [N]`: writes the report of N synthetic documents to DIR once and prints time and peak memory
// (to look at the report, and for the peak working set, which BenchmarkDotNet does not measure).
// Anything else goes to BenchmarkDotNet, e.g. `-- --filter '*Report*'`.
if (args is ["sample", var directory, ..])
{
    var count = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1000;
    var (rows, documents) = SyntheticBatch.Create(count);
    Directory.CreateDirectory(directory);
    var clock = Stopwatch.StartNew();
    var files = await ReportJobHandler.WriteAsync(SyntheticBatch.Report(rows, documents, directory), CancellationToken.None);
    clock.Stop();
    using var process = Process.GetCurrentProcess();
    Console.WriteLine($"{count} documents: {string.Join(", ", files)} in {clock.ElapsedMilliseconds} ms; " +
        $"peak working set {process.PeakWorkingSet64 / 1048576.0:F0} MiB; report.pdf {new FileInfo(Path.Combine(directory, "report.pdf")).Length / 1048576.0:F1} MiB");
    return 0;
}
// Results go under bin/ (ignored by git), not into the folder the command was started from.
var config = DefaultConfig.Instance.WithArtifactsPath(Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts"));
BenchmarkSwitcher.FromAssembly(typeof(ReportBenchmarks).Assembly).Run(args, config);
return 0;
