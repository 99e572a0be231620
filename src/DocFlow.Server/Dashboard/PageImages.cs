using System.Diagnostics;
using DocFlow.Engine.Imaging;
using DocFlow.Engine.Sniffing;
using DocFlow.Processing;

namespace DocFlow.Server.Dashboard;

/// <summary>Renders one page of an original as a PNG for display: PDFs with poppler's pdftoppm, images with leptonica.</summary>
/// <remarks>
/// The front end draws the result's boxes over it from normalized vertices, so any resolution fits. The original goes
/// through the same checks as ingest first (<see cref="InputInspector"/>: size, pixel and page limits, the PDF pre-scan),
/// so nothing is decoded here that the engine would have refused; a PDF page is rendered to fit
/// <see cref="MaxImageWidth"/> on its longer side whatever its MediaBox says, so the picture is small whatever the page.
/// </remarks>
public static class PageImages
{
    /// <summary>Longest side of a rendered PDF page, and widest image frame sent; larger scans are scaled down.</summary>
    public const int MaxImageWidth = 1100;

    /// <summary>The page as PNG, or null when the file has no such page.</summary>
    /// <exception cref="DocumentException">The original breaks a limit of <paramref name="options"/> (a final error: the same
    /// bytes always do), or the render took longer than <paramref name="timeout"/> (<see cref="DocumentErrorCode.Timeout"/>).</exception>
    public static async Task<byte[]?> RenderAsync(byte[] content, int pageNumber, EngineOptions options, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageNumber, 1);
        ArgumentNullException.ThrowIfNull(options);
        var inspected = InputInspector.Inspect(content, options);
        if (pageNumber > inspected.PageCount) return null;
        if (inspected.Kind == InputKind.Pdf) return await RenderPdfPageAsync(content, pageNumber, timeout, cancellationToken).ConfigureAwait(false);
        // Within the ingest pixel limit (checked above from the headers): decode, scale down, encode.
        using var image = PixImage.Decode(content, pageNumber - 1);
        return image.EncodePng(MaxImageWidth);
    }

    private static async Task<byte[]?> RenderPdfPageAsync(byte[] content, int pageNumber, TimeSpan timeout, CancellationToken ct)
    {
        var dir = DocFlow.IO.TempFiles.CreateDirectory("page");
        try
        {
            var input = Path.Combine(dir.FullName, "in.pdf");
            await File.WriteAllBytesAsync(input, content, ct).ConfigureAwait(false);
            var output = Path.Combine(dir.FullName, "page");
            var page = pageNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var start = new ProcessStartInfo("pdftoppm")
            {
                // -scale-to: the longer side gets MaxImageWidth pixels, whatever the page size (a 10,000-pt MediaBox at a fixed
                // dpi would be 100+ megapixels); pdftoppm down-samples embedded images as it draws them.
                ArgumentList = { "-scale-to", MaxImageWidth.ToString(System.Globalization.CultureInfo.InvariantCulture), "-png", "-f", page, "-l", page, "-singlefile", input, output },
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            using var process = Process.Start(start) ?? throw new InvalidOperationException("pdftoppm could not be started.");
            var stderr = process.StandardError.ReadToEndAsync(ct);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                if (ct.IsCancellationRequested) throw;
                throw new DocumentException(DocumentErrorCode.Timeout,
                    $"Rendering page {pageNumber} took longer than {timeout.TotalSeconds:F0} s (Dashboard:PageImageTimeout).") { MimeType = "application/pdf" };
            }
            var png = output + ".png";
            // pdftoppm prints "Wrong page range given" and exits 99 for a page past the end.
            if (!File.Exists(png)) return process.ExitCode is 0 or 99 ? null : throw new InvalidOperationException($"pdftoppm failed: {await stderr.ConfigureAwait(false)}");
            return await File.ReadAllBytesAsync(png, ct).ConfigureAwait(false);
        }
        finally
        {
            try { dir.Delete(recursive: true); } catch (IOException) { }
        }
    }
}

/// <summary>The concurrency cap of the page-image endpoint (<see cref="DashboardOptions.PageImageConcurrency"/>): rendering
/// is CPU and memory work outside the worker slots, so only this many run at once in the API process.</summary>
public sealed class PageImageGate(Microsoft.Extensions.Options.IOptions<DashboardOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.Value.PageImageConcurrency, options.Value.PageImageConcurrency);

    public DashboardOptions Options => options.Value;

    /// <summary>Takes a slot, waiting up to <see cref="DashboardOptions.PageImageQueueWait"/>; false when none came free.</summary>
    public Task<bool> TryEnterAsync(CancellationToken cancellationToken) => _slots.WaitAsync(options.Value.PageImageQueueWait, cancellationToken);

    public void Exit() => _slots.Release();

    public void Dispose() => _slots.Dispose();
}
