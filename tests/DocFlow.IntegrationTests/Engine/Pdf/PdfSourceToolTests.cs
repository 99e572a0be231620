using DocFlow.Engine.Pdf;
using DocFlow.Engine.Sniffing;
using DocFlow.Processing;

namespace DocFlow.IntegrationTests.Engine.Pdf;

/// <summary>PdfSource against poppler's pdftoppm and PDFs encrypted by qpdf.</summary>
public sealed class PdfSourceToolTests
{
    [Fact]
    public async Task Open_PdfWithUserPassword_IsEncrypted()
    {
        var pdf = await PdfTools.EncryptAsync(PdfTools.TextPdf(300, 300, ["Secret salary list"]), "user", "owner");

        var e = Assert.Throws<DocumentException>(() => PdfSource.Open(pdf));
        Assert.Equal((DocumentErrorCode.Encrypted, "application/pdf"), (e.Code, e.MimeType));
        Assert.Contains("password", e.Message);
        Assert.Equal(DocumentErrorCode.Encrypted, Assert.Throws<DocumentException>(() => InputInspector.Inspect(pdf, new EngineOptions())).Code);
    }

    [Fact]
    public async Task Open_PdfWithOwnerPasswordOnly_ReadsNormally()
    {
        // Permissions-only encryption (empty user password) does not stop anyone reading the file, so it must not stop DocFlow.
        var pdf = await PdfTools.EncryptAsync(PdfTools.TextPdf(300, 300, ["Readable but locked for editing"]), "", "owner");

        using var source = PdfSource.Open(pdf);
        Assert.Equal("Readable but locked for editing\n", source.ReadPage(1).TextLayer?.PlainText());
    }

    [Theory]
    [InlineData(72)]
    [InlineData(150)]
    public async Task RasterizeAsync_ReturnsGrayPgmOfPageSizeAtDpi(int dpi)
    {
        var pdf = PdfTools.TextPdf(200, 100, ["first page"], ["Second page, dark text here"]);
        using var source = PdfSource.Open(pdf);

        var pgm = await source.RasterizeAsync(2, dpi, CancellationToken.None);

        var (magic, width, height, max, offset) = PdfTools.ParsePnmHeader(pgm);
        Assert.Equal(("P5", (int)Math.Ceiling(200.0 * dpi / 72), (int)Math.Ceiling(100.0 * dpi / 72), 255), (magic, width, height, max));
        Assert.Equal(offset + width * height, pgm.Length);
        // Dark text near the top-left, white paper in the bottom half.
        var samples = pgm.AsSpan(offset);
        Assert.Contains(samples[..(width * height / 3)].ToArray(), v => v < 100);
        Assert.DoesNotContain(samples[(width * height * 2 / 3)..].ToArray(), v => v < 250);
    }

    [Fact]
    public async Task RasterizeAsync_PagesRenderedConcurrently_AllSucceed()
    {
        var pdf = PdfTools.TextPdf(100, 100, [.. Enumerable.Range(1, 6).Select(i => new[] { $"Page {i}" })]);
        using var source = PdfSource.Open(pdf);
        var images = await Task.WhenAll(Enumerable.Range(1, 6).Select(n => source.RasterizeAsync(n, 72, CancellationToken.None)));
        Assert.All(images, i => Assert.Equal(("P5", 100, 100), (PdfTools.ParsePnmHeader(i).Magic, PdfTools.ParsePnmHeader(i).Width, PdfTools.ParsePnmHeader(i).Height)));
    }

    [Fact]
    public async Task Dispose_DeletesTheTemporaryCopy()
    {
        var source = PdfSource.Open(PdfTools.TextPdf(100, 100, ["x y z"]));
        await source.RasterizeAsync(1, 72, CancellationToken.None);
        var path = source.TempFilePath;
        Assert.True(path is not null && File.Exists(path));

        source.Dispose();

        Assert.False(File.Exists(path));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => source.RasterizeAsync(1, 72, CancellationToken.None));
    }

    [Fact]
    public async Task RasterizeAsync_Cancelled_StopsPdftoppm()
    {
        // A4 at 2400 dpi would take pdftoppm many seconds; cancellation must end it promptly.
        using var source = PdfSource.Open(PdfTools.TextPdf(595, 842, ["A page far too large to render quickly"]));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var testStart = DateTime.Now.AddSeconds(-1);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => source.RasterizeAsync(1, 2400, cts.Token));

        // The kill is a signal; give the OS a moment to remove the process, but far less than the render would take.
        var running = true;
        for (var i = 0; i < 50 && running; i++)
        {
            running = System.Diagnostics.Process.GetProcessesByName("pdftoppm").Any(p => Started(p) >= testStart && !p.HasExited);
            if (running) await Task.Delay(100);
        }
        Assert.False(running, "pdftoppm is still running after cancellation");
    }

    private static DateTime Started(System.Diagnostics.Process p)
    {
        try { return p.StartTime; }
        catch (InvalidOperationException) { return DateTime.MinValue; }
    }
}
