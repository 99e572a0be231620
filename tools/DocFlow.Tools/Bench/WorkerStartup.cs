using System.Diagnostics;

namespace DocFlow.Tools.Bench;

/// <summary>
/// `docflow bench --distributed --only startup`: how long a new `docflow worker` takes before it serves, the start-up
/// the autoscaling simulation assumes (docs/autoscaling.md). The API runs with no worker; one document is uploaded and
/// left waiting; then a worker process with one slot is started and timed to its "Worker started" line (it fetches from
/// then on) and to the document done; the same document again on the now warm worker gives the document's own time,
/// so time to first job ≈ first done − warm. A new process each round.
/// </summary>
internal static class WorkerStartup
{
    /// <summary>An image: its first job loads the OCR engine (Tesseract and its model), as a real first job does.</summary>
    public const string DocumentName = "receipt-shop.jpg";

    public sealed record Result(string Document, IReadOnlyList<double> Ready, IReadOnlyList<double> FirstDone, IReadOnlyList<double> Warm)
    {
        public double ReadySeconds => Median(Ready);
        public double FirstDoneSeconds => Median(FirstDone);
        public double WarmSeconds => Median(Warm);

        private static double Median(IReadOnlyList<double> values) => values.Order().ElementAt(values.Count / 2);
    }

    public static async Task<Result> MeasureAsync(string dir, string redis, string samples, int rounds, CancellationToken ct)
    {
        var corpus = ProductProcess.Corpus(samples).Where(f => Path.GetFileName(f.Path) == DocumentName).ToList();
        if (corpus.Count == 0) throw new ToolException($"no {DocumentName} in {samples} (./docflow samples {samples} makes it)");
        await using var platform = await PlatformThroughput.StartAsync(dir, 0, redis, [], null, ct);
        List<double> ready = [], firstDone = [], warm = [];
        for (var i = 0; i < Math.Max(1, rounds); i++)
        {
            var (batch, _) = await platform.SubmitAsync(corpus, ct);
            var clock = Stopwatch.StartNew();
            var worker = platform.StartWorker(1);
            await worker.WaitForLineAsync(l => l.Contains("Worker started", StringComparison.Ordinal), TimeSpan.FromMinutes(2), ct);
            ready.Add(clock.Elapsed.TotalSeconds);
            var first = await platform.WaitCompletedAsync(batch, clock, ct);
            if (first.Failed > 0) throw new InvalidOperationException($"the first document failed:\n{worker.Tail()}");
            firstDone.Add(first.Seconds);
            var again = await platform.RunBatchAsync(corpus, ct);
            warm.Add(again.Seconds);
            await worker.StopAsync(TimeSpan.FromSeconds(30));
        }
        return new Result(DocumentName, ready, firstDone, warm);
    }
}
