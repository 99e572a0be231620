using DocFlow.Documents;
using DocFlow.Engine.Pdf;
using DocFlow.UnitTests.Support;

namespace DocFlow.UnitTests.Engine.Pdf;

public sealed class PdfSourceTests
{
    private static PdfPageContent ReadOnlyPage(byte[] pdf)
    {
        using var source = PdfSource.Open(pdf);
        return source.ReadPage(1);
    }

    [Fact]
    public void ReadPage_DigitalText_ReturnsLinesTopToBottomExactly()
    {
        string[] lines = ["ACME Widgets Ltd", "12 High Street, Springfield", "Invoice INV-2024-0042", "Date: 2024-03-15"];
        var page = ReadOnlyPage(new TestPdf().Page().Lines(72, 80, 14, 11, lines).Build());

        Assert.NotNull(page.TextLayer);
        Assert.Equal(string.Concat(lines.Select(l => l + "\n")), page.TextLayer.PlainText());
        Assert.Equal((ScanImageSource.None, (byte[]?)null), (page.ScanImageSource, page.ScanImage));
    }

    [Fact]
    public void ReadPage_TextWrittenBottomUp_IsStillReadTopToBottom()
    {
        var pdf = new TestPdf().Page()
            .Text(72, 300, "Third line comes last")
            .Text(72, 100, "First line comes first")
            .Text(72, 200, "Second line in between")
            .Build();
        Assert.Equal("First line comes first\nSecond line in between\nThird line comes last\n", ReadOnlyPage(pdf).TextLayer!.PlainText());
    }

    [Fact]
    public void ReadPage_InvoiceTableRows_ReadAsOneLineEachWithSingleSpaces()
    {
        var pdf = new TestPdf().Page()
            .Text(72, 80, "Invoice 1001", 16)
            .Row(140, 10, (72, "Description"), (300, "Qty"), (380, "Unit price"), (480, "Amount"))
            .Row(155, 10, (72, "Blue widget"), (300, "2"), (380, "20.00"))
            .Text(480, 154, "40.00", 9) // a cell in a smaller font sits a point higher: still the same row
            .Row(170, 10, (72, "Red widget, large"), (300, "1"), (380, "12.50"), (480, "12.50"))
            .Row(200, 10, (380, "Total"), (480, "52.50"))
            .Build();

        var text = ReadOnlyPage(pdf).TextLayer!.PlainText();
        Assert.Equal(
            "Invoice 1001\n" +
            "Description Qty Unit price Amount\n" +
            "Blue widget 2 20.00 40.00\n" +
            "Red widget, large 1 12.50 12.50\n" +
            "Total 52.50\n", text);
    }

    [Fact]
    public void ReadPage_TextLayer_UsesPointsWithTopLeftOrigin()
    {
        var page = ReadOnlyPage(new TestPdf().Page(600, 800).Text(100, 200, "Hello World", 20).Build());
        var layout = page.TextLayer!;
        Assert.Equal((600f, 800f, "points", PageSource.TextLayer, 1f), (layout.Width, layout.Height, layout.Unit, layout.Source, layout.Confidence));
        Assert.Equal((600f, 800f), (page.WidthPoints, page.HeightPoints));

        var hello = layout.Blocks.Single().Paragraphs.Single().Lines.Single().Words[0];
        Assert.Equal("Hello", hello.Text);
        Assert.InRange(hello.Box.Left, 99f, 101f);
        Assert.InRange(hello.Box.Bottom, 196f, 205f); // baseline at 200 from the top; descender-free word
        Assert.InRange(hello.Box.Top, 180f, 190f);    // cap height of 20 pt Helvetica is about 14 pt
    }

    [Fact]
    public void ReadPage_ParagraphsAndBlocks_SplitAtLargeGaps()
    {
        var pdf = new TestPdf().Page()
            .Lines(72, 100, 13, 11, "First paragraph line one", "First paragraph line two")
            .Lines(72, 100 + 13 + 22, 13, 11, "Second paragraph after a gap")
            .Lines(72, 300, 13, 11, "A block far below")
            .Build();
        var layout = ReadOnlyPage(pdf).TextLayer!;
        Assert.Equal([[2, 1], [1]], layout.Blocks.Select(b => b.Paragraphs.Select(p => p.Lines.Count).ToArray()).ToArray());
    }

    [Fact]
    public void ReadPage_EachPageReadsItsOwnText()
    {
        using var source = PdfSource.Open(TestPdf.WithPages(3));
        Assert.Equal(3, source.PageCount);
        Assert.Equal(["This is page number 1\n", "This is page number 2\n", "This is page number 3\n"],
            Enumerable.Range(1, 3).Select(n => source.ReadPage(n).TextLayer!.PlainText()));
    }

    [Fact]
    public async Task ReadPage_FromManyThreads_GivesTheSameTextAsOneThread()
    {
        var pdf = new TestPdf();
        for (var i = 1; i <= 8; i++) pdf.Page().Lines(72, 100, 14, 11, $"Page {i} heading", $"Body text of page {i}");
        using var source = PdfSource.Open(pdf.Build());
        var tasks = Enumerable.Range(0, 64).Select(i => Task.Run(() => source.ReadPage(i % 8 + 1).TextLayer!.PlainText())).ToArray();
        var texts = await Task.WhenAll(tasks);
        for (var i = 0; i < texts.Length; i++)
            Assert.Equal($"Page {i % 8 + 1} heading\nBody text of page {i % 8 + 1}\n", texts[i]);
    }

    [Fact]
    public void ReadPage_FullPageFlateImage_ReturnsPnmOfItsSamples()
    {
        var png = TestImages.Png(200, 280, (x, y) => (byte)(x * 255 / 199));
        var page = ReadOnlyPage(new TestPdf().Page(200, 280).Png(png).Build());

        Assert.Null(page.TextLayer);
        Assert.Equal(ScanImageSource.Embedded, page.ScanImageSource);
        var image = page.ScanImage!;
        // PdfPig's writer stores PNGs as RGB, so the page image is a PPM (P6) of the same size.
        var header = "P6\n200 280\n255\n"u8.ToArray();
        Assert.Equal(header, image[..header.Length]);
        Assert.Equal(header.Length + 200 * 280 * 3, image.Length);
        var row = image.AsSpan(header.Length + 3 * 200 * 140, 3 * 200); // a row in the middle
        Assert.Equal((0, 255, 128), (row[0], row[3 * 199], row[3 * 100]));
    }

    [Fact]
    public void ReadPage_FullPageJpeg_ReturnsTheJpegStreamAsItIs()
    {
        var jpeg = TestJpeg.Gray(300, 400);
        var page = ReadOnlyPage(new TestPdf().Page(300, 400).Jpeg(jpeg).Build());
        Assert.Null(page.TextLayer);
        Assert.Equal((ScanImageSource.Embedded, "image/jpeg"), (page.ScanImageSource, page.ScanImageMimeType));
        Assert.Equal(jpeg, page.ScanImage);
    }

    [Fact]
    public void ReadPage_SmallImageOnBlankPage_MustBeRasterised()
    {
        var jpeg = TestJpeg.Gray(50, 50);
        var page = ReadOnlyPage(new TestPdf().Page().Jpeg(jpeg, (100, 100, 50, 50)).Build());
        Assert.Equal((ScanImageSource.Rasterized, (byte[]?)null, (PageLayout?)null), (page.ScanImageSource, page.ScanImage, page.TextLayer));
    }

    [Fact]
    public void ReadPage_PageStampOverFullPageScan_IsTreatedAsScan()
    {
        var jpeg = TestJpeg.Gray(595, 842);
        var page = ReadOnlyPage(new TestPdf().Page().Jpeg(jpeg).Text(500, 820, "Page 1 of 3", 8).Build());
        Assert.Equal((ScanImageSource.Embedded, (PageLayout?)null), (page.ScanImageSource, page.TextLayer));
    }

    [Fact]
    public void ReadPage_InvisibleOcrLayerOverScan_IsUsedAsTextLayer()
    {
        var jpeg = TestJpeg.Gray(595, 842);
        var page = ReadOnlyPage(new TestPdf().Page().Jpeg(jpeg).InvisibleText(72, 100, "Recognised invoice text").Build());
        Assert.Equal("Recognised invoice text\n", page.TextLayer?.PlainText());
    }

    [Fact]
    public void ReadPage_OnlyDigits_IsNotUsableText()
    {
        var page = ReadOnlyPage(new TestPdf().Page().Text(72, 100, "12 34").Build());
        Assert.Equal((ScanImageSource.Rasterized, (PageLayout?)null), (page.ScanImageSource, page.TextLayer));
    }

    [Fact]
    public void ReadPage_RotatedPage_IsRasterisedAndReportsDisplaySize()
    {
        var page = ReadOnlyPage(new TestPdf().Page(400, 600).Text(50, 50, "Landscape table heading").Rotate(90).Build());
        Assert.Equal((ScanImageSource.Rasterized, 600f, 400f), (page.ScanImageSource, page.WidthPoints, page.HeightPoints));
    }

    [Fact]
    public void Open_PdfAfterJunkPrefix_ReadsText()
    {
        byte[] pdf = [.. "garbage from a mail gateway\n"u8.ToArray(), .. TestPdf.WithPages(2)];
        using var source = PdfSource.Open(pdf);
        Assert.Equal("This is page number 2\n", source.ReadPage(2).TextLayer?.PlainText());
    }

    [Fact]
    public void ReadPage_PageNumberOutOfRange_Throws()
    {
        using var source = PdfSource.Open(TestPdf.WithPages(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => source.ReadPage(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => source.ReadPage(3));
    }
}

public sealed class PdfSourceRasterizerMissingTests
{
    [Fact]
    public async Task RasterizeAsync_WithoutPdftoppm_SaysToInstallPopplerUtils()
    {
        using var source = PdfSource.Open(TestPdf.WithPages(1));
        source.PdftoppmPath = "/nonexistent/pdftoppm-" + Guid.NewGuid().ToString("N");

        var e = await Assert.ThrowsAsync<DocFlow.Processing.DocumentException>(() => source.RasterizeAsync(1, 72, CancellationToken.None));

        Assert.Equal((DocFlow.Processing.DocumentErrorCode.Internal, "application/pdf"), (e.Code, e.MimeType));
        Assert.Contains("poppler-utils", e.Message);
    }
}
