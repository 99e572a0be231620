using System.Diagnostics;
using DocFlow.Engine.Imaging;

namespace DocFlow.Server.Dashboard;

/// <summary>Renders one page of an original as a PNG for display: PDFs with poppler's pdftoppm, images with leptonica.</summary>
/// <remarks>The front end draws the result's boxes over it from normalized vertices, so any resolution fits.</remarks>
public static class PageImages
{
    /// <summary>Resolution of PDF pages (an A4 page is about 660 × 930 px).</summary>
    public const int PdfDpi = 80;

    /// <summary>Widest image frame sent; larger scans are scaled down.</summary>
    public const int MaxImageWidth = 1100;

    /// <summary>The page as PNG, or null when the file has no such page.</summary>
    public static async Task<byte[]?> RenderAsync(byte[] content, string mimeType, int pageNumber, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageNumber, 1);
        if (mimeType == "application/pdf") return await RenderPdfPageAsync(content, pageNumber, cancellationToken).ConfigureAwait(false);
        var frames = mimeType == "image/tiff" ? PixImage.CountFrames(content) : 1;
        if (pageNumber > frames) return null;
        using var image = PixImage.Decode(content, pageNumber - 1);
        return image.EncodePng(MaxImageWidth);
    }

    private static async Task<byte[]?> RenderPdfPageAsync(byte[] content, int pageNumber, CancellationToken ct)
    {
        var dir = Directory.CreateTempSubdirectory("docflow-page-");
        try
        {
            var input = Path.Combine(dir.FullName, "in.pdf");
            await File.WriteAllBytesAsync(input, content, ct).ConfigureAwait(false);
            var output = Path.Combine(dir.FullName, "page");
            var page = pageNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var start = new ProcessStartInfo("pdftoppm")
            {
                ArgumentList = { "-r", PdfDpi.ToString(System.Globalization.CultureInfo.InvariantCulture), "-png", "-f", page, "-l", page, "-singlefile", input, output },
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            using var process = Process.Start(start) ?? throw new InvalidOperationException("pdftoppm could not be started.");
            var stderr = process.StandardError.ReadToEndAsync(ct);
            try
            {
                await process.WaitForExitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
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
