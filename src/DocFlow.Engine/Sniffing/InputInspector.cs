using System.Globalization;
using DocFlow.Engine.Pdf;
using DocFlow.Processing;

namespace DocFlow.Engine.Sniffing;

/// <summary>What ingest learned about a file before accepting it.</summary>
public sealed record InspectedInput(InputKind Kind, string MimeType, int PageCount);

/// <summary>
/// Validates a submitted file before anything is decoded: size, type (from bytes), image headers
/// (pixel and page limits), and whether a PDF opens at all.
/// </summary>
public static class InputInspector
{
    public const string AcceptedTypes = "DocFlow accepts PDF, PNG, JPEG, TIFF, BMP, GIF and WebP.";

    /// <exception cref="DocumentException">TooLarge, UnsupportedType, Corrupt, TooManyPixels, TooManyPages or Encrypted.</exception>
    public static InspectedInput Inspect(ReadOnlyMemory<byte> content, EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var sniff = FileSniffer.Sniff(content.Span);

        if (content.Length > options.MaxFileBytes)
            throw new DocumentException(DocumentErrorCode.TooLarge,
                $"The file is {Size(content.Length)}, larger than the limit of {Size(options.MaxFileBytes)}. " +
                "Split it into smaller files or compress its images, then submit again.")
            { MimeType = sniff.MimeType };

        switch (sniff.Kind)
        {
            case InputKind.Unsupported:
                throw new DocumentException(DocumentErrorCode.UnsupportedType, UnsupportedMessage(sniff)) { MimeType = sniff.MimeType };

            case InputKind.Image:
                var frames = ImageHeaders.ReadFrames(content.Span, sniff.MimeType, options.MaxPages);
                for (var i = 0; i < frames.Count; i++)
                {
                    var f = frames[i];
                    if (f.Pixels > options.MaxPixelsPerPage)
                        throw new DocumentException(DocumentErrorCode.TooManyPixels,
                            $"{(frames.Count > 1 ? $"Page {i + 1} of the image" : "The image")} is {f.Width} x {f.Height} pixels " +
                            $"({N(f.Pixels)} pixels), more than the limit of {N(options.MaxPixelsPerPage)} pixels per page. " +
                            "Scale it down (300 dpi is plenty for OCR) and submit it again.")
                        { MimeType = sniff.MimeType };
                }
                if (frames.Count > options.MaxPages)
                    throw TooManyPages(sniff.MimeType, options.MaxPages);
                if (sniff.MimeType == "image/gif")
                    CheckGif(content.Span, options);
                return new InspectedInput(InputKind.Image, sniff.MimeType, frames.Count);

            default:
                // Bounded, iterative pre-scan first: PdfPig must never see what would overflow its stack or hang it.
                PdfPreflight.Check(content.Span, options.Limits);
                using (var pdf = PdfSource.Open(content))
                {
                    if (pdf.PageCount > options.MaxPages)
                        throw TooManyPages(sniff.MimeType, options.MaxPages, pdf.PageCount);
                    return new InspectedInput(InputKind.Pdf, sniff.MimeType, pdf.PageCount);
                }
        }
    }

    /// <summary>giflib decodes every frame at its own size: the logical screen proves nothing, the frames are what count.</summary>
    private static void CheckGif(ReadOnlySpan<byte> content, EngineOptions options)
    {
        var gif = ImageHeaders.ReadGif(content, options.Limits.MaxGifFrames);
        if (gif.Frames > options.Limits.MaxGifFrames)
            throw new DocumentException(DocumentErrorCode.TooLarge,
                $"The GIF has more than {N(options.Limits.MaxGifFrames)} frames, the limit of Engine:Limits:MaxGifFrames. " +
                "Submit the page as a single-frame PNG or JPEG.")
            { MimeType = "image/gif" };
        if (gif.TotalPixels > options.MaxPixelsPerPage)
            throw new DocumentException(DocumentErrorCode.TooManyPixels,
                $"The GIF's {N(gif.Frames)} frame(s) hold {N(gif.TotalPixels)} pixels (largest {gif.Canvas.Width} x {gif.Canvas.Height}), " +
                $"more than the limit of {N(options.MaxPixelsPerPage)} pixels per page (Engine:MaxPixelsPerPage). " +
                "Scale it down and submit it again.")
            { MimeType = "image/gif" };
    }

    /// <summary>"The file is an HTML document (text/html); DocFlow accepts ..."</summary>
    public static string UnsupportedMessage(SniffResult sniff) =>
        sniff.MimeType == "application/x-empty"
            ? $"The file is empty (0 bytes); {AcceptedTypes} Check that the upload contains the document."
            : $"The file is {sniff.Description} ({sniff.MimeType}); {AcceptedTypes}";

    private static DocumentException TooManyPages(string mimeType, int limit, int? actual = null) =>
        new(DocumentErrorCode.TooManyPages,
            $"The document has {(actual is { } n ? N(n) : $"more than {N(limit)}")} pages, more than the limit of {N(limit)}. " +
            "Split it into smaller documents and submit them separately.")
        { MimeType = mimeType };

    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Size(long bytes) => bytes switch
    {
        >= 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MB"),
        >= 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
        _ => $"{bytes} bytes",
    };
}
