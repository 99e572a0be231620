using DocFlow.Outputs;
using DocFlow.Engine;
using DocFlow.Processing;
using DocFlow.Sandbox;
using Spectre.Console;

namespace DocFlow.Cli.Batch;

/// <summary>Runs a batch with a live progress bar (or plain lines when output is not a terminal) and prints the summary.</summary>
public static class BatchConsole
{
    public static async Task<BatchSummary> RunAsync(
        IReadOnlyList<BatchInput> inputs, string outputDirectory, EngineOptions options, bool force, bool quiet,
        OutputFormats formats, ChunkingOptions? chunking, CancellationToken cancellationToken, PageSelection? pages = null, bool sandbox = true)
    {
        // The report's price table, read first: a bad price stops the run before the engine starts.
        var prices = EnginePricesFromEnvironment.Read(Environment.GetEnvironmentVariables());
        // The sandbox's hosts start now, in the background, while the batch opens its store; the run waits for the first.
        var sandboxed = sandbox ? new SandboxedDocumentEngine(ReadSandboxOptions(), options) : null;
        using var engine = sandboxed ?? (IDisposable)CreateEngine(options);
        var engineReady = sandboxed?.WarmUpAsync(cancellationToken);
        var optionsKey = LocalDocumentEngine.OptionsKey(options) + (pages is null ? "" : $";pages={pages.Key()}");
        var runner = new BatchRunner((IDocumentEngine)engine, optionsKey)
        {
            DocumentSlots = Math.Max(2, options.Slots * 2),
            EngineOptions = options,
            Pages = pages,
            Formats = formats,
            Chunking = chunking,
            EngineReady = engineReady,
            Prices = prices,
        };
        var interactive = !quiet && AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
        BatchSummary summary;
        if (interactive)
        {
            summary = await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                         new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async ctx =>
                {
                    var task = ctx.AddTask($"0/{inputs.Count} files", maxValue: Math.Max(1, inputs.Count));
                    var progress = new Progress<BatchProgress>(p =>
                    {
                        task.Value = p.Done;
                        task.Description = Describe(p);
                    });
                    var result = await RunCheckedAsync(runner, inputs, outputDirectory, force, progress, cancellationToken).ConfigureAwait(false);
                    task.Value = task.MaxValue;
                    return result;
                }).ConfigureAwait(false);
        }
        else
        {
            var progress = new SynchronousProgress<BatchProgress>(p =>
            {
                if (quiet || p.Last is null) return;
                var last = p.Last;
                var what = last.Status switch
                {
                    "failed" => $"failed: {last.Error?.Code}: {last.Error?.Message}",
                    "skipped" => "skipped (already done)",
                    _ => $"ok, {last.Pages} page(s), {last.OcrPages.Count} OCR'd, {last.Milliseconds} ms",
                };
                var eta = p.Done > 0 ? TimeSpan.FromSeconds(p.Elapsed.TotalSeconds / p.Done * (p.Total - p.Done)) : TimeSpan.Zero;
                Console.WriteLine($"[{p.Done}/{p.Total}] {last.File}: {what} | {Rate(p):F2} pages/s, ETA {eta:mm\\:ss}");
            });
            summary = await RunCheckedAsync(runner, inputs, outputDirectory, force, progress, cancellationToken).ConfigureAwait(false);
        }
        if (!quiet) PrintSummary(summary, outputDirectory);
        return summary;
    }

    /// <summary>The batch, or a clear exit when the sandbox's first host cannot start.</summary>
    private static async Task<BatchSummary> RunCheckedAsync(BatchRunner runner, IReadOnlyList<BatchInput> inputs, string outputDirectory,
        bool force, IProgress<BatchProgress> progress, CancellationToken ct)
    {
        try
        {
            return await runner.RunAsync(inputs, outputDirectory, force, progress, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (runner.EngineReady is { IsFaulted: true } && ex is InvalidOperationException or DocumentException)
        {
            throw new CommandFailedException(ex.Message, ex);
        }
    }

    private static SandboxOptions ReadSandboxOptions()
    {
        try
        {
            return SandboxOptionsFromEnvironment.Read(Environment.GetEnvironmentVariables());
        }
        catch (FormatException ex)
        {
            throw new CommandFailedException(ex.Message, ex);
        }
    }

    /// <summary>The engine, or a clear exit when it cannot start (e.g. a language that is not installed).</summary>
    private static LocalDocumentEngine CreateEngine(EngineOptions options)
    {
        try
        {
            return new LocalDocumentEngine(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new CommandFailedException(ex.Message, ex);
        }
    }

    private static double Rate(BatchProgress p) => p.Elapsed.TotalSeconds > 0 ? p.Pages / p.Elapsed.TotalSeconds : 0;

    private static string Describe(BatchProgress p) =>
        Markup.Escape($"{p.Done}/{p.Total} files · {p.Pages} pages · {Rate(p):F2} pages/s");

    public static void PrintSummary(BatchSummary summary, string outputDirectory)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("File").AddColumn("Status").AddColumn("Type")
            .AddColumn(new TableColumn("Pages").RightAligned()).AddColumn(new TableColumn("OCR'd pages").RightAligned())
            .AddColumn(new TableColumn("ms").RightAligned()).AddColumn("Error");
        foreach (var f in summary.Files)
        {
            var status = f.Status switch
            {
                "succeeded" => "[green]succeeded[/]",
                "failed" => "[red]failed[/]",
                _ => "[grey]skipped[/]",
            };
            table.AddRow(
                Markup.Escape(f.File), status, Markup.Escape(f.MimeType ?? "?"),
                f.Pages.ToString(System.Globalization.CultureInfo.InvariantCulture),
                f.OcrPages.Count == 0 ? "-" : string.Join(',', f.OcrPages),
                f.Milliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                f.Error is null ? "" : Markup.Escape($"{f.Error.Code}: {f.Error.Message}"));
        }
        AnsiConsole.Write(table);
        var t = summary.Totals;
        AnsiConsole.MarkupLineInterpolated(
            $"[bold]{t.Files}[/] files: [green]{t.Succeeded} succeeded[/], [red]{t.Failed} failed[/], {t.Skipped} skipped; {t.Pages} pages ({t.OcrPages} OCR'd) in {summary.ElapsedMs / 1000.0:F1} s = {t.DocsPerSecond:F2} docs/s, {t.PagesPerSecond:F2} pages/s");
        if (summary.Aggregate is { Latency.Count: > 0 } a)
            AnsiConsole.MarkupLineInterpolated($"Latency per document: mean {a.Latency.MeanMs:F0} ms, p95 {a.Latency.P95Ms:F0} ms; OCR share {a.OcrShare:P0}");
        switch (summary.Report)
        {
            case { Status: "succeeded" } r:
                AnsiConsole.MarkupLineInterpolated($"Report: {string.Join(", ", r.Files)} ({r.Milliseconds} ms)");
                break;
            case { } r:
                AnsiConsole.MarkupLineInterpolated($"[red]Report failed[/] (the documents' results are complete): {r.Error}");
                break;
        }
        AnsiConsole.MarkupLineInterpolated($"Results in [blue]{Path.GetFullPath(outputDirectory)}[/] (summary.json)");
    }

    /// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        private readonly Lock _gate = new();

        public void Report(T value)
        {
            lock (_gate) report(value);
        }
    }
}

/// <summary>A command cannot run; its message is printed as "error: …" and the exit code is 2.</summary>
public sealed class CommandFailedException(string message, Exception? inner = null) : Exception(message, inner);
