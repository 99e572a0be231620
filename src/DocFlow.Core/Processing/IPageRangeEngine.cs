using DocFlow.Documents;
using DocFlow.Queueing;

namespace DocFlow.Processing;

/// <summary>An engine that can read a document a page range at a time and finish it from the page layouts.</summary>
/// <remarks>
/// <see cref="IDocumentEngine.ProcessAsync"/> must equal <see cref="ProcessPagesAsync"/> over all pages followed by
/// <see cref="Finish"/>: a split document then gives the same Document as one processed in one piece.
/// </remarks>
public interface IPageRangeEngine
{
    /// <summary>Sniffs and validates the input (type, size, header limits) without reading its pages.</summary>
    /// <exception cref="DocumentException">The input is unsupported, too large or damaged.</exception>
    DocumentOutline Inspect(DocumentInput input);

    /// <summary>Reads the pages of <paramref name="pages"/> (text layer or OCR), without assembling a Document.</summary>
    Task<PageRangeResult> ProcessPagesAsync(DocumentInput input, PageRange pages, CancellationToken cancellationToken);

    /// <summary>Assembles and enriches the Document from the layouts of all its pages (in any order).</summary>
    /// <param name="mimeType">The sniffed media type.</param>
    /// <param name="layouts">One layout per page of the document.</param>
    /// <param name="rasterizedPages">Pages rasterised before OCR, for the stats.</param>
    /// <param name="elapsed">Wall time of the whole document so far, for the stats.</param>
    /// <param name="cancellationToken">Stops the enrichers.</param>
    DocumentResult Finish(string mimeType, IReadOnlyList<PageLayout> layouts, IReadOnlyCollection<int> rasterizedPages,
        TimeSpan elapsed, CancellationToken cancellationToken);
}

/// <summary>What inspection learnt about a document before any page is read.</summary>
public sealed record DocumentOutline(string MimeType, int Pages);

/// <summary>The layouts of a page range, which of its pages were rasterised before OCR, and the sniffed media type.</summary>
public sealed record PageRangeResult(string MimeType, IReadOnlyList<PageLayout> Layouts, IReadOnlyList<int> RasterizedPages);
