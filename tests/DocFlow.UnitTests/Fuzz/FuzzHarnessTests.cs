using DocFlow.Engine.Pdf;
using DocFlow.Engine.Sniffing;
using DocFlow.Fuzz;
using DocFlow.Processing;

namespace DocFlow.UnitTests.Fuzz;

/// <summary>
/// The fuzzing harnesses (tools/fuzz) build with the solution and run their committed seed corpora once, plain .NET
/// without afl, so CI catches a harness or a seed that no longer works; afl runs are `tools/fuzz/run.sh TARGET MINUTES`.
/// </summary>
public sealed class FuzzHarnessTests
{
    private static readonly string Corpus = Path.Combine(RepoRoot(), "tools", "fuzz", "corpus");

    public static TheoryData<string> Targets() => [.. FuzzTargets.Names];

    [Theory]
    [MemberData(nameof(Targets))]
    public void EachTarget_RunsItsSeedCorpus_WithoutAFinding(string target)
    {
        var seeds = Directory.GetFiles(Path.Combine(Corpus, target));
        Assert.InRange(seeds.Length, 5, 50);
        var run = FuzzTargets.Get(target);
        foreach (var seed in seeds)
        {
            var bytes = File.ReadAllBytes(seed);
            Assert.InRange(bytes.Length, 1, 8 * 1024); // small seeds: a few hundred bytes to a few KB
            var failure = Record.Exception(() => Runner.Run(run, bytes, TimeSpan.FromSeconds(30)));
            Assert.True(failure is null, $"{target}/{Path.GetFileName(seed)}: {failure}");
        }
    }

    [Fact]
    public void TheImageSeeds_AreValidImages_NotRefusals()
    {
        foreach (var seed in Directory.GetFiles(Path.Combine(Corpus, "image-headers")))
        {
            var bytes = File.ReadAllBytes(seed);
            var sniff = FileSniffer.Sniff(bytes);
            Assert.True(sniff.Kind == InputKind.Image, $"{Path.GetFileName(seed)} sniffs as {sniff.MimeType}");
            var frames = ImageHeaders.ReadFrames(bytes, sniff.MimeType);
            Assert.All(frames, f => Assert.True(f.Width is > 0 and < 100 && f.Height is > 0 and < 100, $"{Path.GetFileName(seed)}: {f}"));
        }
    }

    [Theory]
    [InlineData("pdf-preflight")]
    [InlineData("pdf-text")]
    [InlineData("pdf-image")]
    public void ThePdfSeeds_PassThePreScanAndOpen(string target)
    {
        foreach (var seed in Directory.GetFiles(Path.Combine(Corpus, target)))
        {
            var bytes = File.ReadAllBytes(seed);
            PdfPreflight.Check(bytes, new EngineLimits());
            using var pdf = PdfSource.Open(bytes);
            Assert.InRange(pdf.PageCount, 1, 2);
            for (var page = 1; page <= pdf.PageCount; page++)
                _ = pdf.ReadPage(page);
        }
    }

    [Fact]
    public void UnknownTarget_IsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => FuzzTargets.Get("nope"));
        Assert.Contains("pdf-text", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refusals_AreDocumentExceptions_AndPdfPigFailures_NotDocFlowBugsOrOutOfMemory()
    {
        Assert.True(FuzzTargets.IsRefusal(new DocumentException(DocumentErrorCode.Corrupt, "damaged")));
        Assert.False(FuzzTargets.IsRefusal(new OutOfMemoryException()));
        // Thrown from DocFlow's own code (here: this test's namespace, not PdfPig's): a finding.
        var ours = Record.Exception(() => ThrowFromHere());
        Assert.False(FuzzTargets.IsRefusal(ours));
        // Thrown inside PdfPig: the corrupt refusal PdfSource makes of it.
        var pdfPig = Record.Exception(() => UglyToad.PdfPig.PdfDocument.Open("not a pdf"u8.ToArray()));
        Assert.NotNull(pdfPig);
        Assert.True(FuzzTargets.IsRefusal(pdfPig), pdfPig.ToString());
    }

    [Fact]
    public void Runner_ReportsAHang_AndPassesExceptionsThrough()
    {
        using var release = new ManualResetEventSlim();
        try
        {
            Assert.Throws<TimeoutException>(() => Runner.Run(_ => release.Wait(), [1, 2, 3], TimeSpan.FromMilliseconds(50)));
        }
        finally
        {
            release.Set();
        }
        var e = Assert.Throws<InvalidOperationException>(() => Runner.Run(_ => throw new InvalidOperationException("boom"), [], TimeSpan.FromSeconds(30)));
        Assert.Equal("boom", e.Message);
        Runner.Run(input => Assert.Equal(3, input.Length), [1, 2, 3], TimeSpan.FromSeconds(30));
    }

    private static void ThrowFromHere() => throw new IndexOutOfRangeException("a bug in DocFlow's code");

    internal static string RepoRoot()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "DocFlow.slnx"))) root = Path.GetDirectoryName(root)!;
        return root;
    }
}
