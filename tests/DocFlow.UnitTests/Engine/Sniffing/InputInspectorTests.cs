using DocFlow.Engine.Sniffing;
using DocFlow.Processing;
using DocFlow.UnitTests.Support;

namespace DocFlow.UnitTests.Engine.Sniffing;

public sealed class InputInspectorTests
{
    private static DocumentException Rejected(byte[] content, EngineOptions? options = null) =>
        Assert.Throws<DocumentException>(() => InputInspector.Inspect(content, options ?? new EngineOptions()));

    [Fact]
    public void Inspect_Png_ReturnsOnePage()
    {
        Assert.Equal(new InspectedInput(InputKind.Image, "image/png", 1), InputInspector.Inspect(TestImages.Png(20, 10), new EngineOptions()));
    }

    [Fact]
    public void Inspect_MultiPageTiff_CountsPages()
    {
        var tiff = TestImages.Tiff([(100, 100), (100, 100), (200, 50)]);
        Assert.Equal(new InspectedInput(InputKind.Image, "image/tiff", 3), InputInspector.Inspect(tiff, new EngineOptions()));
    }

    [Fact]
    public void Inspect_Pdf_CountsPages()
    {
        Assert.Equal(new InspectedInput(InputKind.Pdf, "application/pdf", 4), InputInspector.Inspect(TestPdf.WithPages(4), new EngineOptions()));
    }

    [Fact]
    public void Inspect_GifWithATinyLogicalScreen_IsJudgedByItsFrame()
    {
        var e = Rejected(DocFlow.Samples.BadInputs.GifLogicalScreenBypass(30_000));
        Assert.Equal(DocumentErrorCode.TooManyPixels, e.Code);
        Assert.Contains("30000 x 30000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_GifWithTooManyFrames_IsTooLarge_AndTheLimitIsConfigurable()
    {
        var gif = DocFlow.Samples.BadInputs.GifWithFrames(150, 8);
        var e = Rejected(gif);
        Assert.Equal(DocumentErrorCode.TooLarge, e.Code);
        Assert.Contains("Engine:Limits:MaxGifFrames", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, InputInspector.Inspect(gif, new EngineOptions { Limits = new EngineLimits { MaxGifFrames = 200 } }).PageCount);
    }

    [Fact]
    public void Inspect_GifFramesTogetherOverThePixelLimit_AreRefused()
    {
        var e = Rejected(DocFlow.Samples.BadInputs.GifWithFrames(50, 1_000), new EngineOptions { MaxPixelsPerPage = 10_000_000 });
        Assert.Equal(DocumentErrorCode.TooManyPixels, e.Code);
        Assert.Contains("50 frame(s)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_HostilePdf_IsRefusedBeforePdfPigOpensIt()
    {
        var e = Rejected(DocFlow.Samples.BadInputs.NestedFunctionPdf(20_000));
        Assert.Equal(DocumentErrorCode.TooLarge, e.Code);
        Assert.Equal("application/pdf", e.MimeType);
    }

    [Fact]
    public void Inspect_EmptyFile_IsUnsupported()
    {
        var e = Rejected([]);
        Assert.Equal(DocumentErrorCode.UnsupportedType, e.Code);
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void Inspect_TextFileNamedPdf_IsUnsupportedTextPlain()
    {
        var e = Rejected(TestFiles.Text("Totally a PDF. Saved as invoice.pdf by someone who renamed invoice.txt.\n"));
        Assert.Equal((DocumentErrorCode.UnsupportedType, "text/plain"), (e.Code, e.MimeType));
        Assert.Equal("The file is a plain text file (text/plain); DocFlow accepts PDF, PNG, JPEG, TIFF, BMP, GIF and WebP.", e.Message);
    }

    [Fact]
    public void Inspect_Html_MessageNamesTheTypeAndWhatIsAccepted()
    {
        var e = Rejected(TestFiles.Text("<!doctype html><html><body>hi</body></html>"));
        Assert.Equal((DocumentErrorCode.UnsupportedType, "text/html"), (e.Code, e.MimeType));
        Assert.Equal("The file is an HTML document (text/html); DocFlow accepts PDF, PNG, JPEG, TIFF, BMP, GIF and WebP.", e.Message);
    }

    [Fact]
    public void Inspect_Docx_IsUnsupportedWithItsType()
    {
        var e = Rejected(TestFiles.Docx());
        Assert.Equal("application/vnd.openxmlformats-officedocument.wordprocessingml.document", e.MimeType);
        Assert.Contains("Word document", e.Message);
    }

    [Fact]
    public void Inspect_FileOverSizeLimit_IsTooLargeBeforeTypeIsJudged()
    {
        var e = Rejected(TestFiles.Text(new string('a', 2000)), new EngineOptions { MaxFileBytes = 1000 });
        Assert.Equal((DocumentErrorCode.TooLarge, "text/plain"), (e.Code, e.MimeType));
        Assert.Contains("2 KB", e.Message);
    }

    [Fact]
    public void Inspect_PngClaiming60Megapixels_IsTooManyPixelsFromHeaderAlone()
    {
        var bomb = TestImages.PngHeader(10_000, 6_000);
        var e = Rejected(bomb);
        Assert.Equal((DocumentErrorCode.TooManyPixels, "image/png"), (e.Code, e.MimeType));
        Assert.Contains("60,000,000", e.Message);
        Assert.Contains("40,000,000", e.Message);
        Assert.True(bomb.Length < 100);
    }

    [Fact]
    public void Inspect_PixelLimitIsPerFrame()
    {
        var tiff = TestImages.Tiff([(100, 100), (1000, 1000)]);
        var options = new EngineOptions { MaxPixelsPerPage = 500_000 };
        var e = Rejected(tiff, options);
        Assert.Equal(DocumentErrorCode.TooManyPixels, e.Code);
        Assert.StartsWith("Page 2 of the image is 1000 x 1000 pixels", e.Message);
        Assert.Equal(2, InputInspector.Inspect(TestImages.Tiff([(100, 100), (700, 700)]), options).PageCount);
    }

    [Fact]
    public void Inspect_TiffOverPageLimit_IsTooManyPages()
    {
        var e = Rejected(TestImages.Tiff([.. Enumerable.Repeat((10, 10), 4)]), new EngineOptions { MaxPages = 3 });
        Assert.Equal((DocumentErrorCode.TooManyPages, "image/tiff"), (e.Code, e.MimeType));
        Assert.Contains("limit of 3", e.Message);
    }

    [Fact]
    public void Inspect_PdfOverPageLimit_IsTooManyPages()
    {
        var e = Rejected(TestPdf.WithPages(6), new EngineOptions { MaxPages = 5 });
        Assert.Equal((DocumentErrorCode.TooManyPages, "application/pdf"), (e.Code, e.MimeType));
        Assert.Contains("has 6 pages", e.Message);
        Assert.Equal(5, InputInspector.Inspect(TestPdf.WithPages(5), new EngineOptions { MaxPages = 5 }).PageCount);
    }

    [Fact]
    public void Inspect_GarbledImageHeader_IsCorrupt()
    {
        var e = Rejected(TestImages.PngHeader(10, 10)[..18]);
        Assert.Equal((DocumentErrorCode.Corrupt, "image/png"), (e.Code, e.MimeType));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void Inspect_TruncatedPdf_IsCorrupt(double keep)
    {
        var pdf = TestPdf.WithPages(3);
        var e = Rejected(pdf[..(int)(pdf.Length * keep)]);
        Assert.Equal((DocumentErrorCode.Corrupt, "application/pdf"), (e.Code, e.MimeType));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Inspect_PdfHeaderOverGarbage_IsCorrupt()
    {
        var junk = new byte[4000];
        new Random(3).NextBytes(junk);
        var e = Rejected([.. "%PDF-1.7\n"u8.ToArray(), .. junk, .. "\n%%EOF\n"u8.ToArray()]);
        Assert.Equal((DocumentErrorCode.Corrupt, "application/pdf"), (e.Code, e.MimeType));
    }
}
