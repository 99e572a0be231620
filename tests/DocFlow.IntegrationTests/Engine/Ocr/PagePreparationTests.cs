using DocFlow.Documents;
using DocFlow.Engine.Imaging;
using DocFlow.Engine.Ocr;
using DocFlow.IntegrationTests.Support;

namespace DocFlow.IntegrationTests.Engine.Ocr;

public sealed class PagePreparationTests(TesseractPoolFixture fixture) : IClassFixture<TesseractPoolFixture>
{
    // 10 pt text rendered at 72 dpi: glyphs of ~7 px, like the low-resolution form scans Tesseract reads poorly.
    private static byte[] LowResolutionText() => SkiaTestImages.Text(OcrTestImages.SampleText, dpi: 72);

    [Fact]
    public void Prepare_LowResolutionText_EstimatesSmallGlyphsAndEnlargesThePage()
    {
        using var image = PixImage.Decode(LowResolutionText());

        using var prepared = PagePreparation.Prepare(image, CancellationToken.None);

        Assert.NotNull(prepared.GlyphHeight);
        Assert.InRange(prepared.GlyphHeight.Value, 4f, 10f);
        Assert.True(prepared.Factor > 1.2f, $"factor {prepared.Factor}");
        Assert.Equal((int)MathF.Round(image.Width * prepared.Factor), prepared.Image.Width, 1f);
        Assert.Equal(8, prepared.Image.Depth);
    }

    [Fact]
    public void Prepare_TextAtThreeHundredDpi_ReadsThePageAsItIs()
    {
        using var image = PixImage.Decode(SkiaTestImages.Text(OcrTestImages.SampleText, dpi: 300));

        using var prepared = PagePreparation.Prepare(image, CancellationToken.None);

        Assert.NotNull(prepared.GlyphHeight);
        Assert.Equal(1f, prepared.Factor);
        Assert.Same(image, prepared.Image);
    }

    [Fact]
    public void Recognize_LowResolutionText_ReadsBetterEnlargedThanAsItIs()
    {
        using var image = PixImage.Decode(LowResolutionText());
        using var engine = TesseractEngine.Create(TesseractEnginePool.DefaultTessdataPath, "eng", "en");

        var asIs = engine.Recognize(image, 1, 0, CancellationToken.None);
        using var prepared = PagePreparation.Prepare(image, CancellationToken.None);
        var enlarged = engine.Recognize(prepared, 1, 0, CancellationToken.None);

        var cerAsIs = OcrTestImages.CharacterErrorRate(OcrTestImages.SampleText, asIs.PlainText());
        var cerEnlarged = OcrTestImages.CharacterErrorRate(OcrTestImages.SampleText, enlarged.PlainText());
        Assert.True(cerEnlarged < cerAsIs, $"CER enlarged {cerEnlarged:P1} vs as is {cerAsIs:P1}; read:\n{enlarged.PlainText()}");
    }

    [Fact]
    public void Recognize_EnlargedPage_GivesBoxesInTheOriginalImagesPixels()
    {
        using var image = PixImage.Decode(LowResolutionText());
        using var ink = image.ScaledGrey(1f).Binarized(200);
        var inkBoxes = ink.ComponentBoxes();
        var inkLeft = inkBoxes.Min(b => b.X);
        var inkTop = inkBoxes.Min(b => b.Y);
        var inkRight = inkBoxes.Max(b => b.X + b.Width);
        var inkBottom = inkBoxes.Max(b => b.Y + b.Height);

        var page = fixture.Pool.Recognize(image, 1, CancellationToken.None);

        Assert.Equal(image.Width, page.Width);
        Assert.Equal(image.Height, page.Height);
        var words = Box.Union(page.Blocks.SelectMany(b => b.Paragraphs).SelectMany(p => p.Lines).SelectMany(l => l.Words).Select(w => w.Box));
        Assert.InRange(words.Left, inkLeft - 4, inkLeft + 4);
        Assert.InRange(words.Top, inkTop - 4, inkTop + 4);
        Assert.InRange(words.Right, inkRight - 4, inkRight + 4);
        Assert.InRange(words.Bottom, inkBottom - 4, inkBottom + 4);
    }

    [Fact]
    public void Prepare_RuledImage_FindsItsLinesInOriginalPixels()
    {
        (int, int, int, int)[] lines = [(30, 100, 700, 100), (30, 300, 500, 300), (30, 20, 30, 400), (720, 20, 720, 400)];
        using var image = PixImage.Decode(SkiaTestImages.Text("Name of the applicant\nSignature and date\nAddress of the office", dpi: 150, width: 800, height: 450, lines: lines, textTop: 130));

        using var prepared = PagePreparation.Prepare(image, CancellationToken.None);

        var horizontal = prepared.Rulings.Where(r => r.IsHorizontal).OrderBy(r => r.Y1).ToList();
        var vertical = prepared.Rulings.Where(r => !r.IsHorizontal).OrderBy(r => r.X1).ToList();
        Assert.Equal(2, horizontal.Count);
        Assert.Equal(2, vertical.Count);
        AssertNear(new Ruling(30, 100, 700, 100), horizontal[0]);
        AssertNear(new Ruling(30, 300, 500, 300), horizontal[1]);
        AssertNear(new Ruling(30, 20, 30, 400), vertical[0]);
        AssertNear(new Ruling(720, 20, 720, 400), vertical[1]);
    }

    [Fact]
    public void Prepare_TextWithoutLines_FindsNoRulings()
    {
        using var image = PixImage.Decode(SkiaTestImages.Text(OcrTestImages.SampleText, dpi: 300));

        using var prepared = PagePreparation.Prepare(image, CancellationToken.None);

        Assert.Empty(prepared.Rulings);
    }

    [Fact]
    public void Recognize_RuledScan_RecordsTheRulingsOnTheOcrPage()
    {
        (int, int, int, int)[] lines = [(30, 100, 700, 100), (30, 20, 30, 400)];
        using var image = PixImage.Decode(SkiaTestImages.Text("Name of the applicant\nSignature and date\nAddress of the office", dpi: 150, width: 800, height: 450, lines: lines, textTop: 130));

        var page = fixture.Pool.Recognize(image, 1, CancellationToken.None);

        Assert.Contains(page.Rulings, r => r.IsHorizontal && Math.Abs(r.Y1 - 100) <= 3);
        Assert.Contains(page.Rulings, r => !r.IsHorizontal && Math.Abs(r.X1 - 30) <= 3);
    }

    private static void AssertNear(Ruling expected, Ruling actual)
    {
        const float tolerance = 4f;
        Assert.True(Math.Abs(expected.X1 - actual.X1) <= tolerance && Math.Abs(expected.Y1 - actual.Y1) <= tolerance &&
                    Math.Abs(expected.X2 - actual.X2) <= tolerance && Math.Abs(expected.Y2 - actual.Y2) <= tolerance,
            $"expected {expected}, found {actual}");
    }
}
