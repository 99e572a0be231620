using DocFlow.Documents;
using DocFlow.Engine;
using DocFlow.IntegrationTests.Support;
using DocFlow.Processing;

namespace DocFlow.IntegrationTests.Engine;

public sealed class LocalDocumentEngineTests
{
    private static readonly string[] PageTexts =
    [
        "First page of the fax about the delivery schedule.\nThe truck arrives on Tuesday at nine.\n",
        "Second page lists the pallets and their weights.\nPallet one weighs 420 kilograms.\n",
        "Third page has the signature of the warehouse manager.\nPlease keep this copy for your records.\n",
    ];

    [Fact]
    public async Task MultiPageTiff_PagesAreRecognisedInParallel_AndMergedInOrder()
    {
        var tiff = OcrTestImages.MultiPageTiff([.. PageTexts.Select(t => OcrTestImages.Render(t))]);
        using var engine = new LocalDocumentEngine(new EngineOptions { Slots = 2 });

        var result = await engine.ProcessAsync(new DocumentInput("fax.tif", tiff), CancellationToken.None);

        Assert.Equal("image/tiff", result.Stats.MimeType);
        var pages = result.Document.Pages!;
        Assert.Equal([1, 2, 3], pages.Select(p => p.PageNumber));
        Assert.Equal([1, 2, 3], result.Stats.OcrPages);
        for (var i = 0; i < PageTexts.Length; i++)
        {
            var text = DocumentAssembler.TextOf(result.Document, pages[i].Layout!.TextAnchor);
            Assert.True(TextMetrics.CharacterErrorRate(PageTexts[i], text) <= 0.03, $"page {i + 1}: {text}");
        }
    }

    [Fact]
    public async Task DocumentOverItsTimeBudget_FailsWithTimeout()
    {
        var image = OcrTestImages.Render(OcrTestImages.SampleText);
        using var engine = new LocalDocumentEngine(new EngineOptions { Slots = 1, DocumentTimeout = TimeSpan.FromMilliseconds(150) });

        var error = await Assert.ThrowsAsync<DocumentException>(() => engine.ProcessAsync(new DocumentInput("slow.png", image), CancellationToken.None));

        Assert.Equal(DocumentErrorCode.Timeout, error.Code);
        Assert.Equal("image/png", error.MimeType);
        Assert.Contains("budget", error.Message);
    }

    [Fact]
    public async Task CallerCancellation_IsNotReportedAsTimeout()
    {
        var image = OcrTestImages.Render(OcrTestImages.SampleText);
        using var engine = new LocalDocumentEngine(new EngineOptions { Slots = 1 });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => engine.ProcessAsync(new DocumentInput("x.png", image), cts.Token));
    }

    [Fact]
    public async Task SameEngine_ServesManyDocumentsAtOnce_WithoutMixingPages()
    {
        using var engine = new LocalDocumentEngine(new EngineOptions { Slots = 2 });
        var images = PageTexts.Select(t => OcrTestImages.Render(t)).ToList();

        var results = await Task.WhenAll(images.Select((img, i) => engine.ProcessAsync(new DocumentInput($"p{i}.png", img), CancellationToken.None)));

        for (var i = 0; i < results.Length; i++)
            Assert.True(TextMetrics.CharacterErrorRate(PageTexts[i], results[i].Document.Text!) <= 0.03, $"document {i}: {results[i].Document.Text}");
    }
}
