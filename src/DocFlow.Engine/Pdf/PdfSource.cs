using System.ComponentModel;
using System.Diagnostics;
using DocFlow.Documents;
using DocFlow.Processing;
using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.WordExtractor;
using UglyToad.PdfPig.Exceptions;

namespace DocFlow.Engine.Pdf;

/// <summary>Where a scanned page's image comes from.</summary>
public enum ScanImageSource
{
    /// <summary>The page has a usable text layer; no image is needed.</summary>
    None,
    /// <summary>The page's single full-page image, taken from the PDF without re-rendering.</summary>
    Embedded,
    /// <summary>The page must be rendered with <see cref="PdfSource.RasterizeAsync"/>.</summary>
    Rasterized,
}

/// <summary>
/// One page of a PDF: its text layer when it has usable text, otherwise (for a scan) its embedded page
/// image when that can be handed to leptonica directly. Both null means: rasterise the page.
/// </summary>
public sealed record PdfPageContent(int PageNumber, float WidthPoints, float HeightPoints, PageLayout? TextLayer, byte[]? ScanImage)
{
    /// <summary>Which path produced (or must produce) the page image; metrics tell embedded images from rasterised pages.</summary>
    public ScanImageSource ScanImageSource { get; init; }

    /// <summary>The media type of <see cref="PdfPageContent.ScanImage"/>: image/jpeg, image/x-portable-graymap, image/x-portable-pixmap or image/x-portable-bitmap.</summary>
    public string? ScanImageMimeType { get; init; }
}

/// <summary>
/// An opened PDF. Pages may be read from several threads (PdfPig itself is not thread-safe, so access
/// is serialised inside); scanned pages are rendered by poppler's pdftoppm from a temporary copy.
/// </summary>
public sealed class PdfSource : IDisposable
{
    private const string MimeType = "application/pdf";

    private readonly ReadOnlyMemory<byte> _content;
    private readonly PdfDocument _document;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _tempGate = new(1, 1);
    private string? _tempPath;
    private bool _disposed;

    private PdfSource(ReadOnlyMemory<byte> content, PdfDocument document, int pageCount)
    {
        _content = content;
        _document = document;
        PageCount = pageCount;
    }

    public int PageCount { get; }

    /// <summary>Embedded page images with more pixels are not decoded here but rendered (pdftoppm down-samples them while
    /// streaming); see <see cref="EngineLimits.MaxRenderPixels"/>.</summary>
    public long MaxExtractedImagePixels { get; set; } = long.MaxValue;

    /// <summary>The rasteriser executable, looked up on PATH; tests point it elsewhere.</summary>
    internal string PdftoppmPath { get; set; } = "pdftoppm";

    /// <summary>The temporary copy pdftoppm reads, once written (for tests: it must be gone after Dispose).</summary>
    internal string? TempFilePath => _tempPath;

    /// <summary>Opens a PDF held in memory; <paramref name="content"/> must stay unchanged while the source is in use.</summary>
    /// <exception cref="DocumentException">Encrypted when a password is needed to read it; Corrupt when it is truncated or unreadable.</exception>
    public static PdfSource Open(ReadOnlyMemory<byte> content)
    {
        if (!HasEndOfFileMarker(content.Span))
            throw Corrupt("The PDF is truncated: it does not end with the %%EOF marker, so part of it is missing " +
                          "(often an interrupted upload or download). Get a complete copy and submit it again.");

        PdfDocument? document = null;
        try
        {
            document = PdfDocument.Open(content, new ParsingOptions { UseLenientParsing = true, SkipMissingFonts = true });
            var pageCount = document.NumberOfPages;
            if (pageCount < 1)
                throw Corrupt("The PDF has no pages. Export the document again and resubmit it.");
            _ = document.GetPage(1); // fail at ingest, not halfway through processing, when the page tree is broken
            var source = new PdfSource(content, document, pageCount);
            document = null;
            return source;
        }
        catch (PdfDocumentEncryptedException e)
        {
            throw new DocumentException(DocumentErrorCode.Encrypted,
                "The PDF is password protected. Remove the password (for example, print it to a new PDF) and submit it again.", e)
            { MimeType = MimeType };
        }
        catch (DocumentException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Corrupt($"The PDF cannot be read ({e.Message.TrimEnd('.')}). It is damaged; export or scan it again and resubmit.", e);
        }
        finally
        {
            document?.Dispose();
        }
    }

    /// <summary>A complete PDF ends with %%EOF, give or take trailing whitespace or junk some producers append.</summary>
    private static bool HasEndOfFileMarker(ReadOnlySpan<byte> content)
    {
        var tail = content[Math.Max(0, content.Length - 2048)..];
        return tail.LastIndexOf("%%EOF"u8) >= 0;
    }

    private static DocumentException Corrupt(string message, Exception? inner = null) =>
        new(DocumentErrorCode.Corrupt, message, inner) { MimeType = MimeType };

    /// <summary>Reads one page (1-based): its text layer, or the image to OCR. Safe to call from several threads.</summary>
    public PdfPageContent ReadPage(int pageNumber)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageNumber, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageNumber, PageCount);

        PageSnapshot snapshot;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                snapshot = PageSnapshot.Take(_document.GetPage(pageNumber), NearestNeighbourWordExtractor.Instance, MaxExtractedImagePixels);
            }
            catch (Exception e) when (e is not (OutOfMemoryException or DocumentException))
            {
                throw Corrupt($"Page {pageNumber} of the PDF cannot be read ({e.Message.TrimEnd('.')}). The file is damaged; export or scan it again and resubmit.", e);
            }
        }

        var layout = TextLayerBuilder.Build(pageNumber, snapshot);
        if (layout is not null)
            return new PdfPageContent(pageNumber, snapshot.Width, snapshot.Height, layout, null) { ScanImageSource = ScanImageSource.None };

        return snapshot.PageImage is { } image
            ? new PdfPageContent(pageNumber, snapshot.Width, snapshot.Height, null, image.Bytes)
            { ScanImageSource = ScanImageSource.Embedded, ScanImageMimeType = image.MimeType }
            : new PdfPageContent(pageNumber, snapshot.Width, snapshot.Height, null, null) { ScanImageSource = ScanImageSource.Rasterized };
    }

    /// <summary>
    /// Renders one page to an 8-bit grayscale PGM (P5) with <c>pdftoppm -r {dpi} -gray</c>.
    /// PGM, not PNG: PNG encoding is very slow on noisy scans, and leptonica reads PGM directly.
    /// </summary>
    public Task<byte[]> RasterizeAsync(int pageNumber, int dpi, CancellationToken ct) =>
        RasterizeAsync(pageNumber, dpi, Timeout.InfiniteTimeSpan, ct);

    /// <summary>As <see cref="RasterizeAsync(int, int, CancellationToken)"/>, with pdftoppm killed after <paramref name="timeout"/>
    /// (a final <c>timeout</c> error naming the page).</summary>
    public async Task<byte[]> RasterizeAsync(int pageNumber, int dpi, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout != Timeout.InfiniteTimeSpan) limit.CancelAfter(timeout);
        try
        {
            return await RasterizeCoreAsync(pageNumber, dpi, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DocumentException(DocumentErrorCode.Timeout,
                $"Page {pageNumber} of the PDF took longer than {timeout.TotalSeconds:0} s to render at {dpi} dpi (Engine:Limits:RenderTimeout); " +
                "the renderer was stopped. The page is too complex to render.")
            { MimeType = MimeType };
        }
    }

    private async Task<byte[]> RasterizeCoreAsync(int pageNumber, int dpi, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageNumber, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageNumber, PageCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(dpi, 10);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dpi, 2400);

        var path = await EnsureTempFileAsync(ct).ConfigureAwait(false);
        var start = new ProcessStartInfo(PdftoppmPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // With no output prefix, pdftoppm writes the single page to stdout; -cropbox matches the text layer's page box.
        foreach (var a in new[] { "-r", dpi.ToString(System.Globalization.CultureInfo.InvariantCulture), "-gray", "-cropbox",
                     "-f", Num(pageNumber), "-l", Num(pageNumber), "-singlefile", path })
            start.ArgumentList.Add(a);

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("pdftoppm did not start.");
        }
        catch (Win32Exception e)
        {
            throw new DocumentException(DocumentErrorCode.Internal,
                "Cannot rasterise the scanned PDF page: the pdftoppm program (Debian package poppler-utils) is not installed or not on PATH. " +
                "Install poppler-utils on this machine.", e)
            { MimeType = MimeType };
        }

        using (process)
        {
            try
            {
                using var output = new MemoryStream();
                var copy = process.StandardOutput.BaseStream.CopyToAsync(output, ct);
                var errors = process.StandardError.ReadToEndAsync(ct);
                await Task.WhenAll(copy, errors, process.WaitForExitAsync(ct)).ConfigureAwait(false);
                if (process.ExitCode != 0 || output.Length == 0)
                    throw Corrupt($"Page {pageNumber} of the PDF could not be rendered (pdftoppm exit code {process.ExitCode}: {(await errors.ConfigureAwait(false)).Trim()}). The file may be damaged.");
                return output.ToArray();
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                throw;
            }
            catch
            {
                Kill(process);
                throw;
            }
        }
    }

    private static string Num(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
    }

    /// <summary>Writes the PDF to a private temporary file once, for pdftoppm to read.</summary>
    private async Task<string> EnsureTempFileAsync(CancellationToken ct)
    {
        await _tempGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_tempPath is not null) return _tempPath;
            var path = DocFlow.IO.TempFiles.NewPath("pdf", ".pdf");
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            try
            {
                await using (var file = new FileStream(path, options))
                    await file.WriteAsync(_content, ct).ConfigureAwait(false);
            }
            catch
            {
                File.Delete(path);
                throw;
            }
            _tempPath = path;
            return path;
        }
        finally
        {
            _tempGate.Release();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _document.Dispose();
        }
        _tempGate.Wait();
        try
        {
            if (_tempPath is not null)
            {
                try { File.Delete(_tempPath); }
                catch (IOException) { /* a running pdftoppm on Windows may hold it; the OS temp cleaner will get it */ }
                _tempPath = null;
            }
        }
        finally
        {
            _tempGate.Release();
        }
    }
}
