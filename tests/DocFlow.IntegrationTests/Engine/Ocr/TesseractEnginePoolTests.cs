using DocFlow.Documents;
using DocFlow.Engine.Extraction.Entities;
using DocFlow.Engine.Imaging;
using DocFlow.Engine.Ocr;
using DocFlow.IntegrationTests.Support;

namespace DocFlow.IntegrationTests.Engine.Ocr;

public sealed class TesseractPoolFixture : IDisposable
{
    public TesseractEnginePool Pool { get; } = new("eng", 2);

    public void Dispose() => Pool.Dispose();
}

public sealed class TesseractEnginePoolTests(TesseractPoolFixture fixture) : IClassFixture<TesseractPoolFixture>
{
    private const double MaxCharacterErrorRate = 0.03;

    [Fact]
    public void Recognize_UprightPage_ReadsTextWithinCharacterErrorRate()
    {
        using var image = PixImage.Decode(OcrTestImages.Render(OcrTestImages.SampleText));

        var page = fixture.Pool.Recognize(image, 3, CancellationToken.None);

        Assert.Equal(3, page.PageNumber);
        Assert.Equal(PageSource.Ocr, page.Source);
        Assert.Equal("pixels", page.Unit);
        Assert.Equal("en", page.LanguageCode);
        Assert.Equal(0, page.RotationApplied);
        Assert.Equal(image.Width, page.Width);
        Assert.Equal(image.Height, page.Height);
        var cer = OcrTestImages.CharacterErrorRate(OcrTestImages.SampleText, page.PlainText());
        Assert.True(cer <= MaxCharacterErrorRate, $"CER {cer:P1}; read:\n{page.PlainText()}");
        Assert.Equal(6, page.Blocks.SelectMany(b => b.Paragraphs).SelectMany(p => p.Lines).Count());
    }

    [Fact]
    public void Recognize_TillReceipt_IsReadASecondTimeAsOneBlock_OtherPagesOnce()
    {
        using var receipt = PixImage.Decode(File.ReadAllBytes(Path.Combine(Repo.Samples, "receipt-shop.jpg")));
        var page = fixture.Pool.Recognize(receipt, 1, CancellationToken.None);
        var second = Assert.IsAssignableFrom<IReadOnlyList<BlockLayout>>(page.SecondReading);
        // One uniform block, its words in the page's pixels like the first reading's.
        var words = second.SelectMany(b => b.Paragraphs).SelectMany(p => p.Lines).SelectMany(l => l.Words).ToList();
        Assert.True(words.Count >= 20, $"only {words.Count} words in the second reading");
        Assert.All(words, w => Assert.InRange(w.Box.Right, w.Box.Left, page.Width));
        Assert.Contains(words, w => w.Text.Contains("TOTAL", StringComparison.OrdinalIgnoreCase));

        using var letter = PixImage.Decode(OcrTestImages.Render(OcrTestImages.SampleText));
        Assert.Null(fixture.Pool.Recognize(letter, 1, CancellationToken.None).SecondReading);
    }

    [Fact]
    public void Recognize_TillReceiptScannedSmallOnAPage_IsNotReadASecondTime()
    {
        // The sample receipt at 28 % on a square canvas: 9 px glyphs, enlarged before recognition, page-shaped, as the
        // low-resolution business forms whose amounts made them look like receipts.
        using var scan = PixImage.Decode(OcrTestImages.Reduced(Path.Combine(Repo.Samples, "receipt-shop.jpg"), 28, 600, 600));

        var page = fixture.Pool.Recognize(scan, 1, CancellationToken.None);

        Assert.Null(page.SecondReading);
        // Its first reading still has what asks for a second one: the page's size and shape alone decided.
        Assert.True(ReceiptCues.NeedsSecondReading(page), "the receipt's cues were not read at this size; the test proves nothing");
    }

    [Fact]
    public void Recognize_Words_HaveBoxesInsidePageAndConfidences()
    {
        using var image = PixImage.Decode(OcrTestImages.Render(OcrTestImages.SampleText));

        var page = fixture.Pool.Recognize(image, 1, CancellationToken.None);

        var words = page.Blocks.SelectMany(b => b.Paragraphs).SelectMany(p => p.Lines).SelectMany(l => l.Words).ToList();
        Assert.True(words.Count >= 60, $"only {words.Count} words");
        Assert.All(words, w =>
        {
            Assert.False(string.IsNullOrWhiteSpace(w.Text));
            Assert.InRange(w.Box.Left, 0, page.Width);
            Assert.InRange(w.Box.Right, w.Box.Left + 1, page.Width);
            Assert.InRange(w.Box.Top, 0, page.Height);
            Assert.InRange(w.Box.Bottom, w.Box.Top + 1, page.Height);
            Assert.InRange(w.Confidence, 0f, 1f);
        });
        Assert.Equal(words.Average(w => w.Confidence), page.Confidence, 3);
        Assert.True(page.Confidence > 0.8f, $"confidence {page.Confidence}");
        // Words of one line follow each other left to right, inside the line's box.
        foreach (var line in page.Blocks.SelectMany(b => b.Paragraphs).SelectMany(p => p.Lines))
            for (var i = 1; i < line.Words.Count; i++)
                Assert.True(line.Words[i].Box.Left >= line.Words[i - 1].Box.Right - 1, $"words out of order in '{string.Join(' ', line.Words.Select(w => w.Text))}'");
    }

    /// <summary>A page turned clockwise by 90, 270 or 180 degrees is turned back: by 270, 90 or 180.</summary>
    [Theory]
    [InlineData(90, 270)]
    [InlineData(270, 90)]
    [InlineData(180, 180)]
    public void Recognize_TurnedPage_IsCorrectedUpright(int turnedClockwise, int expectedRotation)
    {
        using var upright = PixImage.Decode(OcrTestImages.Render(OcrTestImages.SampleText));
        using var image = PixImage.Decode(OcrTestImages.Render(OcrTestImages.SampleText, rotateClockwise: turnedClockwise));

        var page = fixture.Pool.Recognize(image, 1, CancellationToken.None);

        Assert.Equal(expectedRotation, page.RotationApplied);
        AssertUprightAndRead(page, upright);
    }

    [Fact]
    public void Recognize_ManyPages_ReusesEngines()
    {
        using var pool = new TesseractEnginePool("eng", 2);
        using var image = PixImage.Decode(OcrTestImages.Render("Reuse one engine for every page.\nSecond line of text here.", pointSize: 14));

        for (var i = 0; i < 3; i++)
            Assert.Contains("engine", pool.Recognize(image, i + 1, CancellationToken.None).PlainText());

        Assert.Equal(1, pool.EnginesCreated);
    }

    [Fact]
    public void Recognize_CancelledBeforeStart_Throws()
    {
        using var image = PixImage.Decode(OcrTestImages.Render(OcrTestImages.SampleText));
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => fixture.Pool.Recognize(image, 1, cts.Token));
    }

    [Fact]
    public void Recognize_CancelledDuringRecognition_Throws()
    {
        // A dense page takes about a second; cancelling shortly after the start must stop it between words.
        var text = string.Concat(Enumerable.Repeat(OcrTestImages.SampleText, 6));
        using var image = PixImage.Decode(OcrTestImages.Render(text));
        using var pool = new TesseractEnginePool("eng", 1);
        pool.Recognize(PixImage.Decode(OcrTestImages.Render("warm up")), 1, CancellationToken.None);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));

        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => pool.Recognize(image, 1, cts.Token));
        // The same engine is usable afterwards.
        Assert.Contains("report", pool.Recognize(PixImage.Decode(OcrTestImages.Render(OcrTestImages.SampleText)), 1, CancellationToken.None).PlainText());
        Assert.Equal(1, pool.EnginesCreated);
    }

    [Fact]
    public void Recognize_WithTheLatinScriptModel_ReadsTheTextAndNamesEnglish()
    {
        // Engine:Languages "eng+Latin" (off by default; the launcher and the image install tesseract-ocr-script-latn).
        using var pool = new TesseractEnginePool("eng+Latin", 1);
        using var image = PixImage.Decode(OcrTestImages.Render(OcrTestImages.SampleText));

        var page = pool.Recognize(image, 1, CancellationToken.None);

        Assert.Equal("en", page.LanguageCode);
        var cer = OcrTestImages.CharacterErrorRate(OcrTestImages.SampleText, page.PlainText());
        Assert.True(cer <= MaxCharacterErrorRate, $"CER {cer:P1}; read:\n{page.PlainText()}");
    }

    [Fact]
    public void Constructor_MissingScriptModel_NamesItsPackage()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new TesseractEnginePool("eng+Zzzz", 1));

        Assert.Contains("tesseract-ocr-script-zzzz", error.Message);
    }

    [Fact]
    public void Constructor_MissingLanguage_ThrowsClearError()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new TesseractEnginePool("eng+xyz", 1));

        Assert.Contains("'xyz'", error.Message);
        Assert.Contains("tesseract-ocr-xyz", error.Message);
    }

    [Fact]
    public void InstalledLanguages_ListsEnglishButNotOsd()
    {
        var languages = TesseractEnginePool.InstalledLanguages(null);

        Assert.Contains("eng", languages);
        Assert.DoesNotContain("osd", languages);
        Assert.Empty(TesseractEnginePool.InstalledLanguages(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"))));
    }

    private static void AssertUprightAndRead(PageLayout page, PixImage upright)
    {
        Assert.Equal(upright.Width, page.Width);
        Assert.Equal(upright.Height, page.Height);
        var cer = OcrTestImages.CharacterErrorRate(OcrTestImages.SampleText, page.PlainText());
        Assert.True(cer <= MaxCharacterErrorRate, $"CER {cer:P1}; read:\n{page.PlainText()}");
        var words = page.Blocks.SelectMany(b => b.Paragraphs).SelectMany(p => p.Lines).SelectMany(l => l.Words).ToList();
        Assert.All(words, w =>
        {
            Assert.InRange(w.Box.Left, 0, page.Width);
            Assert.InRange(w.Box.Right, w.Box.Left, page.Width);
            Assert.InRange(w.Box.Top, 0, page.Height);
            Assert.InRange(w.Box.Bottom, w.Box.Top, page.Height);
        });
        // Upright text: long words are wider than tall, and the first line is at the top.
        Assert.All(words.Where(w => w.Text.Length >= 4), w => Assert.True(w.Box.Width > w.Box.Height, $"'{w.Text}' is {w.Box}"));
        var first = page.Blocks[0].Paragraphs[0].Lines[0];
        Assert.StartsWith("The quarterly", string.Join(' ', first.Words.Select(w => w.Text)));
        Assert.True(first.Box.Top < page.Height / 3, $"first line at {first.Box}");
    }
}
