using System.Globalization;
using DocFlow.Engine.Sniffing;
using DocFlow.Processing;

namespace DocFlow.Engine.Pdf;

/// <summary>
/// The pixel budget of a rendered page: big honest pages (posters, drawings) are rendered at a lower resolution so
/// that they fit <see cref="EngineLimits.MaxRenderPixels"/> and Tesseract's side limit; a page that would not fit even
/// at <see cref="EngineLimits.MinRasterDpi"/> is refused before pdftoppm allocates anything.
/// </summary>
public static class RenderLimits
{
    private const string MimeType = "application/pdf";

    /// <summary>The resolution page <paramref name="pageNumber"/> is rendered at: the configured one, or less to fit the budget.</summary>
    /// <exception cref="DocumentException">TooManyPixels (final) when even the minimum resolution does not fit.</exception>
    public static int Dpi(int pageNumber, float widthPoints, float heightPoints, EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var limits = options.Limits;
        var dpi = options.RasterDpi;
        if (widthPoints <= 0 || heightPoints <= 0) return dpi;
        double w = widthPoints / 72.0, h = heightPoints / 72.0; // inches
        var fit = Math.Sqrt(limits.MaxRenderPixels / (w * h));
        var side = EngineLimits.MaxOcrSide / Math.Max(w, h);
        var chosen = (int)Math.Floor(Math.Min(dpi, Math.Min(fit, side)));
        if (chosen >= limits.MinRasterDpi) return chosen;
        var atMin = (long)Math.Ceiling(w * limits.MinRasterDpi) * (long)Math.Ceiling(h * limits.MinRasterDpi);
        throw new DocumentException(DocumentErrorCode.TooManyPixels,
            $"Page {pageNumber} of the PDF is {N(widthPoints)} x {N(heightPoints)} points ({w:0.#} x {h:0.#} inches); even at the minimum of " +
            $"{limits.MinRasterDpi} dpi (Engine:Limits:MinRasterDpi) it would be {N(atMin)} pixels, more than the limit of " +
            $"{N(limits.MaxRenderPixels)} pixels per rendered page (Engine:Limits:MaxRenderPixels) or {EngineLimits.MaxOcrSide:N0} pixels a side.")
        { MimeType = MimeType };
    }

    /// <summary>An embedded JPEG handed to leptonica as it is: its own header (which may disagree with the PDF's /Width) must fit.</summary>
    public static void CheckEmbeddedJpeg(int pageNumber, ReadOnlySpan<byte> jpeg, EngineLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var size = ImageHeaders.ReadFrames(jpeg, "image/jpeg")[0];
        if (size.Pixels > limits.MaxPdfImagePixels || size.Width > EngineLimits.MaxOcrSide || size.Height > EngineLimits.MaxOcrSide)
            throw new DocumentException(DocumentErrorCode.TooManyPixels,
                $"The image of page {pageNumber} of the PDF is {size.Width} x {size.Height} pixels ({N(size.Pixels)} pixels), more than the " +
                $"limit of {N(limits.MaxPdfImagePixels)} pixels (Engine:Limits:MaxPdfImagePixels) or {EngineLimits.MaxOcrSide:N0} pixels a side.")
            { MimeType = MimeType };
    }

    private static string N(double n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
