using System.Diagnostics;
using DocFlow.Documents;
using DocFlow.Engine;
using DocFlow.IntegrationTests.Support;
using DocFlow.Processing;
using DocFlow.Samples;
using DocFlow.Sandbox;
using Xunit;
using Xunit.Abstractions;

namespace DocFlow.IntegrationTests.Sandbox;

/// <summary>One pool of real engine hosts (`dotnet docflow.dll engine-host`) shared by the hostile-input cases.</summary>
public sealed class SandboxEngineFixture : IDisposable
{
    public SandboxedDocumentEngine Engine { get; } = new(new SandboxOptions { Hosts = 2 }, new EngineOptions { Slots = 2 });

    public void Dispose() => Engine.Dispose();
}

/// <summary>The engine sandbox with real child processes: crashing inputs, killed hosts, limits.</summary>
public sealed class SandboxTests(SandboxEngineFixture fixture, ITestOutputHelper output) : IClassFixture<SandboxEngineFixture>
{
    private static readonly string FindingsDirectory = Path.Combine(Repo.Root, "tests", "DocFlow.IntegrationTests", "Sandbox", "Findings");

    /// <summary>Every fuzzing finding that overflowed PdfPig's stack, plus the issue's nested function and XObject fan-out.</summary>
    public static TheoryData<string> HostileCases()
    {
        var cases = new TheoryData<string> { "generated:nested-type4-function", "generated:xobject-fan-out-40" };
        foreach (var file in Directory.EnumerateFiles(FindingsDirectory, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order())
            cases.Add(Path.GetRelativePath(FindingsDirectory, file));
        return cases;
    }

    private static byte[] Hostile(string name) => name switch
    {
        "generated:nested-type4-function" => BadInputs.NestedFunctionPdf(20_000),
        "generated:xobject-fan-out-40" => BadInputs.XObjectFanOutPdf(40),
        _ => File.ReadAllBytes(Path.Combine(FindingsDirectory, name)),
    };

    private static byte[] Sample(string name) => File.ReadAllBytes(Path.Combine(Repo.Samples, name));

    [Theory]
    [MemberData(nameof(HostileCases))]
    public async Task HostileFile_EndsWithAFinalError_WhileANormalDocumentBesideItSucceeds(string name)
    {
        var hostile = fixture.Engine.ProcessAsync(new DocumentInput("hostile.pdf", Hostile(name)), CancellationToken.None);
        var normal = fixture.Engine.ProcessAsync(new DocumentInput("invoice-digital.pdf", Sample("invoice-digital.pdf")), CancellationToken.None);

        var error = await Assert.ThrowsAsync<DocumentException>(() => hostile);
        output.WriteLine($"{name}: {error.Code.ToWireName()}: {error.Message}");
        Assert.False(error.IsTransient, $"{name} must end with a final error, got {error.Code.ToWireName()}: {error.Message}");
        var result = await normal;
        Assert.Contains("INVOICE", result.Document.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task CrashingBytes_ArePoisoned_AfterTwoCrashes_AndRefusedAtOnceAfterwards()
    {
        var ledger = new InProcessEngineCrashLedger();
        using var engine = new SandboxedDocumentEngine(new SandboxOptions { Hosts = 1 }, new EngineOptions { Slots = 1 }, ledger);
        var crasher = File.ReadAllBytes(Directory.EnumerateFiles(Path.Combine(FindingsDirectory, "pdf-text")).Order().First());
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(crasher));

        var first = await Assert.ThrowsAsync<DocumentException>(() => engine.ProcessAsync(new DocumentInput("c.pdf", crasher), CancellationToken.None));
        output.WriteLine(first.Message);
        if (first.Code != DocumentErrorCode.EngineCrashed)
            Assert.Fail($"The finding no longer crashes the host (contained earlier as {first.Code.ToWireName()}: {first.Message}); pick a crasher.");
        Assert.Equal(2, await ledger.GetCrashesAsync(sha, CancellationToken.None));
        Assert.Contains("Stack overflow", first.Message, StringComparison.Ordinal);

        var started = 0;
        engine.HostStarted += _ => Interlocked.Increment(ref started);
        var again = await Assert.ThrowsAsync<DocumentException>(() => engine.ProcessAsync(new DocumentInput("c.pdf", crasher), CancellationToken.None));
        Assert.Equal(DocumentErrorCode.EngineCrashed, again.Code);
        Assert.Contains("not tried again", again.Message, StringComparison.Ordinal);
        Assert.Equal(0, started); // refused before any host saw it

        // The pool still works: the crashed hosts were replaced.
        var result = await engine.ProcessAsync(new DocumentInput("receipt-digital.pdf", Sample("receipt-digital.pdf")), CancellationToken.None);
        Assert.False(string.IsNullOrEmpty(result.Document.Text));
    }

    [Fact]
    public async Task HostKilledFromOutsideMidDocument_IsReplaced_AndTheDocumentSucceeds_WithoutACrashCounted()
    {
        var ledger = new InProcessEngineCrashLedger();
        using var engine = new SandboxedDocumentEngine(new SandboxOptions { Hosts = 1 }, new EngineOptions { Slots = 1 }, ledger);
        await engine.ProcessAsync(new DocumentInput("receipt-digital.pdf", Sample("receipt-digital.pdf")), CancellationToken.None); // a warm host
        var victim = engine.HostProcessIds.Single();

        var scan = Sample("fax-3pages.tif");
        var work = engine.ProcessAsync(new DocumentInput("fax-3pages.tif", scan), CancellationToken.None);
        await Task.Delay(300);
        Process.GetProcessById(victim).Kill(); // SIGKILL, mid-OCR

        var result = await work;
        Assert.Equal(3, result.Stats.Pages);
        Assert.DoesNotContain(victim, engine.HostProcessIds);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(scan));
        // A SIGKILL this process did not send (an operator, the OOM killer, a chaos run) is not the bytes' crash.
        Assert.Equal(0, await ledger.GetCrashesAsync(sha, CancellationToken.None));
    }

    [Fact]
    public async Task CrashInAHostReadingTwoDocuments_BlamesNeither_TheNeighbourSucceeds_AndOnlyTheCrasherIsPoisoned()
    {
        var ledger = new InProcessEngineCrashLedger();
        var log = new ListLogger();
        using var engine = new SandboxedDocumentEngine(new SandboxOptions { Hosts = 1, HostDocuments = 2 }, new EngineOptions { Slots = 2 }, ledger, log);
        await engine.ProcessAsync(new DocumentInput("receipt-digital.pdf", Sample("receipt-digital.pdf")), CancellationToken.None); // a warm host
        var first = engine.HostProcessIds.Single();
        var scan = Sample("fax-3pages.tif");
        var crasher = File.ReadAllBytes(Directory.EnumerateFiles(Path.Combine(FindingsDirectory, "pdf-text")).Order().First());

        var neighbour = engine.ProcessAsync(new DocumentInput("fax-3pages.tif", scan), CancellationToken.None);
        await Task.Delay(300); // the scan is in the host's OCR when the crasher joins it
        var crash = await Assert.ThrowsAsync<DocumentException>(() => engine.ProcessAsync(new DocumentInput("c.pdf", crasher), CancellationToken.None));
        var result = await neighbour;

        output.WriteLine(crash.Message);
        Assert.Equal(DocumentErrorCode.EngineCrashed, crash.Code);
        Assert.Equal(3, result.Stats.Pages);
        Assert.DoesNotContain(first, engine.HostProcessIds);
        static string Sha(byte[] b) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(b));
        // The shared host's death counted against neither; the crasher alone then crashed twice.
        Assert.Equal(0, await ledger.GetCrashesAsync(Sha(scan), CancellationToken.None));
        Assert.Equal(2, await ledger.GetCrashesAsync(Sha(crasher), CancellationToken.None));
        Assert.Contains(log.Lines, l => l.Contains("read more than one document", StringComparison.Ordinal) && l.Contains(Sha(scan), StringComparison.Ordinal));
    }

    [Fact]
    public async Task HostReadingTwoDocuments_ReadsThemAtOnce_WithTheSameDocumentsAsAlone()
    {
        using var engine = new SandboxedDocumentEngine(new SandboxOptions { Hosts = 1, HostDocuments = 2 }, new EngineOptions { Slots = 2 });
        string[] names = ["fax-3pages.tif", "invoice-scan.png", "mixed-pages.pdf", "receipt-shop.jpg"];
        using var local = new LocalDocumentEngine(new EngineOptions { Slots = 1 });
        var expected = new List<string>();
        foreach (var name in names)
            expected.Add(DocumentJson.Serialize((await local.ProcessAsync(new DocumentInput(name, Sample(name)), CancellationToken.None)).Document));

        var results = await Task.WhenAll(names.Select(n => engine.ProcessAsync(new DocumentInput(n, Sample(n)), CancellationToken.None)));

        Assert.Equal(expected, results.Select(r => DocumentJson.Serialize(r.Document)));
        Assert.Single(engine.HostProcessIds);
    }

    [Fact]
    public async Task WithPoisonAfterOneCrash_TheFirstCrashIsFinal()
    {
        var ledger = new InProcessEngineCrashLedger();
        using var engine = new SandboxedDocumentEngine(new SandboxOptions { Hosts = 1, PoisonAfterCrashes = 1 }, new EngineOptions { Slots = 1 }, ledger);
        var crasher = File.ReadAllBytes(Directory.EnumerateFiles(Path.Combine(FindingsDirectory, "pdf-text")).Order().First());

        var error = await Assert.ThrowsAsync<DocumentException>(() => engine.ProcessAsync(new DocumentInput("c.pdf", crasher), CancellationToken.None));

        output.WriteLine(error.Message);
        Assert.Equal(DocumentErrorCode.EngineCrashed, error.Code);
        Assert.False(error.IsTransient);
        Assert.Matches(@"signal 6 SIGABRT|Stack overflow", error.Message); // the runtime aborts on a stack overflow
        Assert.Equal(1, await ledger.GetCrashesAsync(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(crasher)), CancellationToken.None));
    }

    [Fact]
    public async Task NoProgress_KillsTheHost_WithATimeoutNamingThePageAndTheLimit()
    {
        // The limit must pass while page 1 is read, not before it starts: the host first reads the request and compiles
        // its code (no tiered JIT in hosts), which took longer than the 200 ms this test allowed before at load ~50 (seen:
        // "The engine was stopped: it made no progress for 0.2 s", no page named).
        // So a limit of seconds, and a page whose OCR takes far longer (240 lines of text, 1570 x 9900 pixels: over 20 s of CPU).
        var dense = OcrTestImages.Render(string.Concat(Enumerable.Repeat(OcrTestImages.SampleText, 40)), pointSize: 8);
        using var engine = new SandboxedDocumentEngine(
            new SandboxOptions { Hosts = 1, NoProgressTimeout = TimeSpan.FromSeconds(3) }, new EngineOptions { Slots = 1 });

        var error = await Assert.ThrowsAsync<DocumentException>(() =>
            engine.ProcessAsync(new DocumentInput("dense.png", dense), CancellationToken.None));

        output.WriteLine(error.Message);
        Assert.Equal(DocumentErrorCode.Timeout, error.Code);
        Assert.False(error.IsTransient);
        Assert.Contains("Engine:Sandbox:NoProgressTimeout", error.Message, StringComparison.Ordinal);
        Assert.Contains("on page 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CpuPerPage_KillsTheHost_WithATimeout()
    {
        using var engine = new SandboxedDocumentEngine(
            new SandboxOptions { Hosts = 1, CpuPerPage = TimeSpan.FromMilliseconds(50) }, new EngineOptions { Slots = 1 });

        var error = await Assert.ThrowsAsync<DocumentException>(() =>
            engine.ProcessAsync(new DocumentInput("form-scan.png", Sample("form-scan.png")), CancellationToken.None));

        output.WriteLine(error.Message);
        Assert.Equal(DocumentErrorCode.Timeout, error.Code);
        Assert.Contains("Engine:Sandbox:CpuPerPage", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TotalTimeout_KillsTheHost_WithATimeout()
    {
        using var engine = new SandboxedDocumentEngine(
            new SandboxOptions { Hosts = 1, TotalTimeout = TimeSpan.FromMilliseconds(300) }, new EngineOptions { Slots = 1 });

        var error = await Assert.ThrowsAsync<DocumentException>(() =>
            engine.ProcessAsync(new DocumentInput("fax-3pages.tif", Sample("fax-3pages.tif")), CancellationToken.None));

        Assert.Equal(DocumentErrorCode.Timeout, error.Code);
        Assert.Contains("Engine:Sandbox:TotalTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MemoryLimit_KillsTheHost_WithTooLarge()
    {
        using var engine = new SandboxedDocumentEngine(
            new SandboxOptions { Hosts = 1, MaxMemoryBytes = 64L * 1024 * 1024 }, new EngineOptions { Slots = 1 });

        var error = await Assert.ThrowsAsync<DocumentException>(() =>
            engine.ProcessAsync(new DocumentInput("form-scan.png", Sample("form-scan.png")), CancellationToken.None));

        output.WriteLine(error.Message);
        Assert.Equal(DocumentErrorCode.TooLarge, error.Code);
        Assert.False(error.IsTransient);
        Assert.Contains("Engine:Sandbox:MaxMemoryBytes", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("invoice-digital.pdf")]
    [InlineData("mixed-pages.pdf")]
    [InlineData("memo-rotated.png")]
    public async Task Document_FromTheSandbox_IsTheSameAsInProcess(string name)
    {
        var content = Sample(name);
        using var local = new LocalDocumentEngine(new EngineOptions { Slots = 1 });
        var expected = await local.ProcessAsync(new DocumentInput(name, content), CancellationToken.None);

        var actual = await fixture.Engine.ProcessAsync(new DocumentInput(name, content), CancellationToken.None);

        Assert.Equal(DocumentJson.Serialize(expected.Document), DocumentJson.Serialize(actual.Document));
        Assert.Equal(expected.Stats.OcrPages, actual.Stats.OcrPages);
        Assert.Equal(expected.Stats.RotatedPages, actual.Stats.RotatedPages);
        Assert.Equal(expected.Stats.DocumentType, actual.Stats.DocumentType);
    }

    [Fact]
    public async Task PageRanges_InspectReadAndFinish_GoThroughTheHost()
    {
        var content = Sample("report-multipage.pdf");
        var input = new DocumentInput("report-multipage.pdf", content);
        var outline = fixture.Engine.Inspect(input);
        Assert.Equal("application/pdf", outline.MimeType);

        var first = await fixture.Engine.ProcessPagesAsync(input, new(1, 1), CancellationToken.None);
        var rest = await fixture.Engine.ProcessPagesAsync(input, new(2, outline.Pages), CancellationToken.None);
        var result = fixture.Engine.Finish(first.MimeType, [.. rest.Layouts, .. first.Layouts], [], TimeSpan.FromSeconds(1), CancellationToken.None);

        var whole = await fixture.Engine.ProcessAsync(input, CancellationToken.None);
        Assert.Equal(outline.Pages, result.Stats.Pages);
        Assert.Equal(whole.Document.Text, result.Document.Text);
    }

    [Fact]
    public async Task Host_WhoseWorkerWasKilled_EndsItself()
    {
        // A stand-in worker (bash) that starts a host and is then killed with SIGKILL: it cannot close the host's pipes.
        var dll = Path.Combine(AppContext.BaseDirectory, "docflow.dll");
        var psi = new ProcessStartInfo("bash") { RedirectStandardInput = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"DOCFLOW_ENGINE_HOST_PARENT=$$ dotnet '{dll}' engine-host; true");
        using var worker = Process.Start(psi)!;
        int? host = null;
        for (var i = 0; i < 600 && host is null; i++)
        {
            await Task.Delay(100);
            host = File.ReadAllText($"/proc/{worker.Id}/task/{worker.Id}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(int.Parse).Cast<int?>().FirstOrDefault();
        }
        Assert.NotNull(host);
        using var hostProcess = Process.GetProcessById(host.Value);

        worker.Kill(); // SIGKILL to bash only; the host's stdin (our pipe) stays open

        await Task.WhenAny(hostProcess.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(2)));
        worker.StandardInput.Close();
        Assert.True(hostProcess.HasExited, "the orphaned engine host is still running");
    }
}

/// <summary>The engine's log lines, for tests that look for what it said.</summary>
internal sealed class ListLogger : Microsoft.Extensions.Logging.ILogger<SandboxedDocumentEngine>
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get { lock (_lines) return [.. _lines]; }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter)
    {
        lock (_lines) _lines.Add(formatter(state, exception));
    }
}
