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
        // A4 at 2400 dpi would take pdftoppm many seconds; cancellation must end it promptly. Only this source's pdftoppm
        // counts (its command line names the source's temporary copy): other tests, and other programs on the machine,
        // run pdftoppm at the same time. Cancelled once it runs, however long a loaded machine takes to start it.
        using var source = PdfSource.Open(PdfTools.TextPdf(595, 842, ["A page far too large to render quickly"]));
        using var cts = new CancellationTokenSource();
        var rendering = source.RasterizeAsync(1, 2400, cts.Token);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        int? pid;
        while ((pid = OwnPdftoppm(source)) is null)
        {
            Assert.False(rendering.IsCompleted, "the render ended before its pdftoppm was seen");
            Assert.True(DateTime.UtcNow < deadline, "no pdftoppm reading the source's temporary copy within a minute");
            await Task.Delay(20);
        }

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => rendering);

        // The kill is a signal; give the OS a moment to remove the process, but far less than the render would take.
        var running = true;
        for (var i = 0; i < 50 && running; i++)
        {
            running = OwnPdftoppm(source) == pid;
            if (running) await Task.Delay(100);
        }
        Assert.False(running, $"pdftoppm {pid} is still running after cancellation");
    }

    /// <summary>The live pdftoppm process reading <paramref name="source"/>'s temporary copy, if there is one.</summary>
    private static int? OwnPdftoppm(PdfSource source)
    {
        if (source.TempFilePath is not { } path) return null;
        foreach (var p in System.Diagnostics.Process.GetProcessesByName("pdftoppm"))
        {
            using (p)
            {
                try
                {
                    var status = File.ReadAllText($"/proc/{p.Id}/status");
                    if (status.Contains("\nState:\tZ", StringComparison.Ordinal)) continue; // exited, not yet reaped
                    if (File.ReadAllText($"/proc/{p.Id}/cmdline").Split('\0').Contains(path)) return p.Id;
                }
                catch (IOException)
                {
                    // gone meanwhile
                }
            }
        }
        return null;
    }
}
