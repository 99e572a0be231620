using System.Collections.Concurrent;
using DocFlow.Cli.Batch;
using DocFlow.Engine;
using DocFlow.IntegrationTests.Support;
using DocFlow.Processing;
using DocFlow.Sandbox;

namespace DocFlow.IntegrationTests.Cli;

/// <summary>The first documents of a fresh `docflow process` run start on the engine while the store opens and the inputs
/// are ingested; their jobs take that result. Each file is still processed once, with the same output.</summary>
public sealed class PrefetchTests : IDisposable
{
    private static readonly string[] Files = ["form-scan.png", "invoice-scan.png", "receipt-digital.pdf", "invoice-digital.pdf"];

    private readonly string _in = Repo.NewTempDirectory("prefetch-in");
    private readonly List<string> _outs = [];

    public PrefetchTests()
    {
        foreach (var file in Files)
            File.Copy(Path.Combine(Repo.Samples, file), Path.Combine(_in, file));
    }

    private async Task<(BatchSummary Summary, BatchRunner Runner, CountingEngine Engine)> RunAsync(string output, bool prefetch, bool force = false)
    {
        var options = new EngineOptions { Slots = 2 };
        using var local = new LocalDocumentEngine(options);
        var engine = new CountingEngine(local);
        var runner = new BatchRunner(engine, LocalDocumentEngine.OptionsKey(options)) { EngineOptions = options, PrefetchesFirstDocuments = prefetch };
        var summary = await runner.RunAsync(InputCollector.Collect([_in], out _), output, force, null, CancellationToken.None);
        return (summary, runner, engine);
    }

    private string NewOutput()
    {
        var output = Repo.NewTempDirectory("prefetch-out");
        _outs.Add(output);
        return output;
    }

    [Fact]
    public async Task FreshRun_StartsOneDocumentPerSlotEarly_AndProcessesEveryFileOnce_WithTheSameOutput()
    {
        var plainOut = NewOutput();
        var plain = await RunAsync(plainOut, prefetch: false);
        var earlyOut = NewOutput();

        var early = await RunAsync(earlyOut, prefetch: true);

        Assert.Equal(0, plain.Runner.PrefetchedDocuments);
        Assert.Equal(2, early.Runner.PrefetchedDocuments);
        Assert.Equal(Files.Length, early.Summary.Totals.Succeeded);
        Assert.All(Files, f => Assert.Equal(1, early.Engine.Calls.GetValueOrDefault(f)));
        foreach (var file in Files)
            Assert.Equal(File.ReadAllText(Path.Combine(plainOut, file + ".json")), File.ReadAllText(Path.Combine(earlyOut, file + ".json")));
    }

    [Fact]
    public async Task FreshRun_WithTheSandbox_StartsAsManyDocumentsEarlyAsTheHostsRead_WithTheSameOutputAsInProcess()
    {
        var plainOut = NewOutput();
        await RunAsync(plainOut, prefetch: false);
        var sandboxOut = NewOutput();
        var options = new EngineOptions { Slots = 2 };
        using var sandboxed = new SandboxedDocumentEngine(new SandboxOptions(), options);
        var started = 0;
        sandboxed.HostStarted += _ => Interlocked.Increment(ref started);
        // As `docflow process --sandbox on` does: the hosts start first, the run waits for them once its store is open.
        var runner = new BatchRunner(sandboxed, LocalDocumentEngine.OptionsKey(options))
        {
            EngineOptions = options,
            EngineReady = sandboxed.WarmUpAsync(CancellationToken.None),
        };

        var summary = await runner.RunAsync(InputCollector.Collect([_in], out _), sandboxOut, force: false, null, CancellationToken.None);

        Assert.Equal(Files.Length, summary.Totals.Succeeded);
        Assert.Equal(2, runner.PrefetchedDocuments);
        // One host reads both documents at once (Engine:Sandbox:HostDocuments 2 over Engine:Slots 2); no more for the early starts.
        Assert.Equal(1, started);
        foreach (var file in Files)
            Assert.Equal(File.ReadAllText(Path.Combine(plainOut, file + ".json")), File.ReadAllText(Path.Combine(sandboxOut, file + ".json")));
    }

    [Fact]
    public async Task ResumedRun_StartsNothingEarly()
    {
        var output = NewOutput();
        await RunAsync(output, prefetch: true);

        var second = await RunAsync(output, prefetch: true);

        // Every file is answered from the run's store: an early start would have been thrown away.
        Assert.Equal(Files.Length, second.Summary.Totals.Skipped);
        Assert.Equal(0, second.Runner.PrefetchedDocuments);
        Assert.Empty(second.Engine.Calls);
    }

    [Fact]
    public async Task ForcedRun_OnAnOldStore_StartsEarlyAgain()
    {
        var output = NewOutput();
        await RunAsync(output, prefetch: true);

        var forced = await RunAsync(output, prefetch: true, force: true);

        Assert.Equal(Files.Length, forced.Summary.Totals.Succeeded);
        Assert.Equal(2, forced.Runner.PrefetchedDocuments);
        Assert.All(Files, f => Assert.Equal(1, forced.Engine.Calls.GetValueOrDefault(f)));
    }

    public void Dispose()
    {
        foreach (var dir in _outs.Append(_in))
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>The real engine, counting the documents it is asked to process.</summary>
    private sealed class CountingEngine(IDocumentEngine inner) : IDocumentEngine
    {
        public ConcurrentDictionary<string, int> Calls { get; } = new(StringComparer.Ordinal);

        public Task<DocumentResult> ProcessAsync(DocumentInput input, CancellationToken cancellationToken)
        {
            Calls.AddOrUpdate(input.Name, 1, (_, n) => n + 1);
            return inner.ProcessAsync(input, cancellationToken);
        }
    }
}
