using System.Diagnostics;
using DocFlow.Engine;
using DocFlow.IntegrationTests.Support;
using DocFlow.Processing;
using DocFlow.Samples;
using Xunit.Abstractions;

namespace DocFlow.IntegrationTests.Engine;

/// <summary>Runs alone (not beside other test classes), so the process's memory it samples is its own.</summary>
[CollectionDefinition(nameof(HostileInputCollection), DisableParallelization = true)]
public sealed class HostileInputCollection;

/// <summary>
/// The hostile set of issue 12 through the real engine (PdfPig, pdftoppm, leptonica, Tesseract, in this process): every
/// file ends with a Document or a final error, never a crash (a stack overflow would kill this test run), and the memory it
/// costs stays bounded. Durations are logged, not asserted.
/// </summary>
[Collection(nameof(HostileInputCollection))]
public sealed class HostileInputTests(ITestOutputHelper output)
{
    /// <summary>What a hostile file may add to this process's working set at its peak (the issue's bound is 1.5 GB a process).</summary>
    private const long MaxGrowthBytes = 1024L * 1024 * 1024;

    public static TheoryData<string> Cases => [.. HostileSet.Keys];

    private static readonly Dictionary<string, (Func<byte[]> Make, DocumentErrorCode? Expected, string FileName)> HostileSet = new()
    {
        ["nested-type4-function"] = (() => BadInputs.NestedFunctionPdf(20_000), DocumentErrorCode.TooLarge, "f.pdf"),
        ["nested-type4-function-flate"] = (() => BadInputs.NestedFunctionPdf(20_000, compress: true), DocumentErrorCode.TooLarge, "f.pdf"),
        ["xobject-fan-out-40"] = (() => BadInputs.XObjectFanOutPdf(40), DocumentErrorCode.TooLarge, "x.pdf"),
        ["xobject-loop"] = (BadInputs.XObjectLoopPdf, DocumentErrorCode.TooLarge, "x.pdf"),
        ["embedded-image-400-megapixels"] = (() => BadInputs.EmbeddedImagePdf(20_000, 20_000, 8), DocumentErrorCode.TooManyPixels, "i.pdf"),
        ["embedded-image-35000-squared-1-bit"] = (() => BadInputs.EmbeddedImagePdf(35_000, 35_000, 1), DocumentErrorCode.TooManyPixels, "i.pdf"),
        ["deep-array-nesting"] = (() => BadInputs.DeepNestingPdf(100_000), DocumentErrorCode.TooLarge, "n.pdf"),
        ["deflate-bomb-content-stream"] = (() => BadInputs.DeflateBombPdf(), DocumentErrorCode.TooLarge, "d.pdf"),
        ["media-box-beyond-any-dpi"] = (() => BadInputs.HugeMediaBoxPdf(1_000_000), DocumentErrorCode.TooManyPixels, "m.pdf"),
        ["gif-logical-screen-bypass"] = (() => BadInputs.GifLogicalScreenBypass(30_000), DocumentErrorCode.TooManyPixels, "g.gif"),
        ["gif-many-frames"] = (() => BadInputs.GifWithFrames(1_000), DocumentErrorCode.TooLarge, "g.gif"),
        ["png-header-100000-squared"] = (() => BadInputs.PngClaimingPixels(100_000, 100_000), DocumentErrorCode.TooManyPixels, "p.png"),
        ["page-tree-loop"] = (BadInputs.PageTreeLoopPdf, null, "l.pdf"),
        // Big but honest: rendered at a lower resolution that fits the pixel budget (300 dpi would be 41,667² pixels).
        ["media-box-10000-points"] = (() => BadInputs.HugeMediaBoxPdf(10_000), null, "m.pdf"),
        // Over the render budget but under the refusal limit: not decoded here, the page is rendered (pdftoppm down-samples).
        ["embedded-image-100-megapixels"] = (() => BadInputs.EmbeddedImagePdf(10_000, 10_000, 8), null, "i.pdf"),
        // Within the pixel limit but wider than Tesseract's 32,767 px: shrunk to fit, not refused (it used to be a retried "internal").
        ["png-40000-pixels-wide"] = (() => BadInputs.BlankPng(40_000, 400), null, "strip.png"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task HostileFile_EndsWithADocumentOrAFinalError_InBoundedMemory(string name)
    {
        var (make, expected, fileName) = HostileSet[name];
        var content = make();
        using var engine = new LocalDocumentEngine(new EngineOptions { Slots = 2 });

        var (outcome, error, peakGrowth, elapsed) = await MeasureAsync(() => engine.ProcessAsync(new DocumentInput(fileName, content), CancellationToken.None));

        output.WriteLine($"{name}: {content.Length:N0} bytes -> {(error is null ? "Document" : $"{error.Code.ToWireName()}: {error.Message}")} " +
                         $"in {elapsed.TotalSeconds:0.00} s, peak working set +{peakGrowth / (1024 * 1024):N0} MB");
        if (expected is { } code)
        {
            Assert.NotNull(error);
            Assert.Equal(code, error.Code);
            Assert.False(error.IsTransient, "a limit must be final, not retried");
        }
        else if (error is not null)
        {
            Assert.False(error.IsTransient, $"{name} failed with a transient error: {error.Message}");
        }
        else
        {
            Assert.NotNull(outcome);
        }
        Assert.True(peakGrowth < MaxGrowthBytes, $"{name} grew the working set by {peakGrowth / (1024 * 1024):N0} MB");
    }

    [Fact]
    public async Task HugeMediaBox_IsRenderedAtALowerResolution_NotRefused()
    {
        using var engine = new LocalDocumentEngine(new EngineOptions { Slots = 1 });

        var result = await engine.ProcessAsync(new DocumentInput("poster.pdf", BadInputs.HugeMediaBoxPdf(10_000)), CancellationToken.None);

        Assert.Equal([1], result.Stats.RasterizedPages);
        var page = Assert.Single(result.Document.Pages!);
        // 10,000 pt at the 40 MP budget: 45 dpi, 6,250 pixels a side (300 dpi would be 41,667).
        Assert.InRange(page.Dimension!.Width, 6_000, 6_400);
    }

    [Fact]
    public async Task EmbeddedImageOverTheRenderBudget_IsRenderedDownSampled_NotDecoded()
    {
        using var engine = new LocalDocumentEngine(new EngineOptions { Slots = 1 });

        var result = await engine.ProcessAsync(new DocumentInput("big-scan.pdf", BadInputs.EmbeddedImagePdf(10_000, 10_000, 8)), CancellationToken.None);

        Assert.Equal([1], result.Stats.RasterizedPages); // rendered at 300 dpi (2,550 x 3,300), not taken out at 10,000²
        Assert.Equal(2_550, result.Document.Pages![0].Dimension!.Width);
    }

    [Fact]
    public void ImageWiderThanTesseractAccepts_IsAFinalTooLarge_NotARetriedInternal()
    {
        using var engine = DocFlow.Engine.Ocr.TesseractEngine.Create(DocFlow.Engine.Ocr.TesseractEnginePool.DefaultTessdataPath, "eng", "en");
        using var image = DocFlow.Engine.Imaging.PixImage.Decode(BadInputs.BlankPng(33_000, 50));

        var e = Assert.Throws<DocumentException>(() => engine.Recognize(image, 4, 0, CancellationToken.None));

        Assert.Equal(DocumentErrorCode.TooLarge, e.Code);
        Assert.False(e.IsTransient);
        Assert.StartsWith("Page 4 is 33000 x 50 pixels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NormalSamples_StillProcess_AsBefore()
    {
        using var engine = new LocalDocumentEngine(new EngineOptions { Slots = 2 });
        foreach (var name in new[] { "scanned-contract", "invoice-digital", "receipt-shop" })
        {
            var file = Directory.EnumerateFiles(Repo.Samples, name + ".*").Single(f => !f.EndsWith(".truth.json", StringComparison.Ordinal));
            var truth = GroundTruth.Load(Path.Combine(Repo.Samples, name + ".truth.json"));

            var result = await engine.ProcessAsync(new DocumentInput(Path.GetFileName(file), await File.ReadAllBytesAsync(file)), CancellationToken.None);

            Assert.Equal(truth.Pages.Count, result.Document.Pages!.Count);
            var cer = TextMetrics.CharacterErrorRate(truth.Text, result.Document.Text!);
            output.WriteLine($"{name}: CER {cer:P1}");
            Assert.True(cer <= 0.05, $"{name}: CER {cer:P1}");
        }
    }

    /// <summary>Runs <paramref name="work"/>, sampling the working set every 20 ms, after a full collection for a clean baseline.</summary>
    private static async Task<(T? Result, DocumentException? Error, long PeakGrowth, TimeSpan Elapsed)> MeasureAsync<T>(Func<Task<T>> work)
        where T : class
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var baseline = process.WorkingSet64;
        var peak = baseline;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                try { await Task.Delay(20, stop.Token); } catch (OperationCanceledException) { break; }
            }
        });
        var started = Stopwatch.GetTimestamp();
        T? result = null;
        DocumentException? error = null;
        try
        {
            result = await work();
        }
        catch (DocumentException e)
        {
            error = e;
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        await stop.CancelAsync();
        await sampler;
        process.Refresh();
        peak = Math.Max(peak, process.WorkingSet64);
        return (result, error, peak - baseline, elapsed);
    }
}
