using DocFlow.Engine.Pdf;
using DocFlow.Engine.Sniffing;
using DocFlow.Fuzz;
using DocFlow.Processing;

namespace DocFlow.UnitTests.Fuzz;

/// <summary>
/// Every crash or hang the fuzzers found (tools/fuzz/run.sh), minimised with afl-tmin and committed under
/// Fuzz/Findings/: the harness that found it now passes, and the engine's inspection ends with a final refusal
/// (a DocumentException) instead of an unexpected exception. docs/security.md "Fuzzing" lists them.
/// </summary>
public sealed class FuzzFindingsTests
{
    private static readonly string Findings = Path.Combine(FuzzHarnessTests.RepoRoot(), "tests", "DocFlow.UnitTests", "Fuzz", "Findings");

    /// <summary>File, the target that found it, and the refusal inspection makes of it now.</summary>
    public static TheoryData<string, string, DocumentErrorCode> Cases() => new()
    {
        // PdfPreflight let zlib's ZLibException (an IOException) out of a damaged Flate stream: the document failed as
        // `internal` (retried) instead of going on to PdfPig. pdf-text, 2026-12-06, 34 crashes of this and the next kind.
        { "preflight-zlib-error.pdf", "pdf-text", DocumentErrorCode.Corrupt },
        // PdfPreflight inflated an empty Flate stream through a null pointer (ArgumentNullException).
        { "preflight-empty-flate-stream.pdf", "pdf-text", DocumentErrorCode.Corrupt },
        // A form XObject drawing itself through its page's resources overflowed PdfPig's stack (the process dies): the
        // pre-scan's loop check missed it because the page object had no endobj and wrote "2 0obj" and "5 0R", which
        // PdfPig's lenient tokenizer reads. The pre-scan now tokenises as PdfPig does and refuses the loop (too_large).
        // pdf-image, 2026-12-06. The fault (no recursion guard on form XObjects) is PdfPig 0.1.16's: contained here.
        { "pdfpig-form-self-draw-stack-overflow.pdf", "pdf-image", DocumentErrorCode.TooLarge },
        // The same overflow with well-formed objects: form 5 has its own /Resources without /Fm1 and draws /Fm1, which
        // PdfPig looks up in the page's resources (itself). The pre-scan now resolves a name missing from a form's own
        // resources in the enclosing ones (worst case). Not minimised (the fuzzing seed it came from, mutated).
        { "pdfpig-form-draws-enclosing-name-stack-overflow.pdf", "pdf-image", DocumentErrorCode.TooLarge },
        // And a third: form 5's /Length is wrong and an endobj comes before the next endstream, so the pre-scan took form 6
        // (which draws itself) for stream data; PdfPig reads 5 up to endobj and finds 6 by the xref. The scan now ends
        // such a stream at that endobj and goes on there. Not minimised (the second pdf-image run, 2026-12-06).
        { "pdfpig-form-hidden-in-stream-stack-overflow.pdf", "pdf-image", DocumentErrorCode.TooLarge },
        // A /Filter array cut off by the stream keyword ("[" alone) crashed the pre-scan (ArgumentOutOfRangeException).
        // pdf-preflight, 2026-12-06, 4 crashes; afl-tmin's 23 bytes behind a PDF header, so ingest would reach it.
        { "preflight-unterminated-filter-array.pdf", "pdf-preflight", DocumentErrorCode.Corrupt },
        // A ZIP local header whose extra field runs past the end crashed FileSniffer (ArgumentOutOfRangeException), which
        // ingest runs on every upload. sniff, 2026-12-06, 5 crashes; afl-tmin, 30 bytes.
        { "sniff-zip-extra-field-past-end.zip", "sniff", DocumentErrorCode.UnsupportedType },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void AFinding_NoLongerCrashesItsHarness_AndIsAFinalRefusal(string file, string target, DocumentErrorCode refusal)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Findings, file));
        var failure = Record.Exception(() => Runner.Run(FuzzTargets.Get(target), bytes, TimeSpan.FromSeconds(30)));
        Assert.True(failure is null, failure?.ToString());

        var e = Assert.Throws<DocumentException>(() => InputInspector.Inspect(bytes, new EngineOptions()));
        Assert.Equal(refusal, e.Code);
    }

    [Fact]
    public void APreScanOfADamagedOrEmptyFlateStream_LeavesItToPdfPig()
    {
        foreach (var file in new[] { "preflight-zlib-error.pdf", "preflight-empty-flate-stream.pdf" })
        {
            var report = PdfPreflight.Check(File.ReadAllBytes(Path.Combine(Findings, file)), new EngineLimits());
            Assert.Equal(0, report.DecodedBytes);
        }
    }

    [Fact]
    public void EveryCommittedFinding_HasACase()
    {
        var listed = Cases().Select(c => (string)c[0]).ToHashSet();
        Assert.All(Directory.GetFiles(Findings), f => Assert.Contains(Path.GetFileName(f), listed));
    }
}
