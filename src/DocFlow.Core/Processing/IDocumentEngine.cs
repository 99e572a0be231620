using DocFlow.Documents;

namespace DocFlow.Processing;

/// <summary>The document AI engine port: bytes in, a <see cref="Document"/> out.</summary>
public interface IDocumentEngine
{
    /// <summary>Processes one document. Throws <see cref="DocumentException"/> with a code when it cannot.</summary>
    Task<DocumentResult> ProcessAsync(DocumentInput input, CancellationToken cancellationToken);
}

/// <summary>A document to process: its name (for messages only) and content.</summary>
public sealed record DocumentInput(string Name, ReadOnlyMemory<byte> Content)
{
    /// <summary>Only these pages are read (their original numbers kept); null reads every page.</summary>
    public PageSelection? Pages { get; init; }
}

/// <summary>The Document and how it was made (metadata lives on the job, not inside the Document).</summary>
public sealed record DocumentResult(Document Document, ProcessingStats Stats);

/// <summary>Processing metadata of one document.</summary>
/// <param name="MimeType">Sniffed media type.</param>
/// <param name="Pages">Number of pages.</param>
/// <param name="OcrPages">1-based numbers of the pages that were OCR'd.</param>
/// <param name="RasterizedPages">1-based numbers of the PDF pages rasterised with pdftoppm before OCR.</param>
/// <param name="RotatedPages">1-based numbers of the pages turned upright, with the rotation applied.</param>
/// <param name="Elapsed">Wall time of the whole document.</param>
public sealed record ProcessingStats(
    string MimeType,
    int Pages,
    IReadOnlyList<int> OcrPages,
    IReadOnlyList<int> RasterizedPages,
    IReadOnlyDictionary<int, int> RotatedPages,
    TimeSpan Elapsed)
{
    /// <summary>invoice, receipt, form, letter, report or other, when the classifier ran.</summary>
    public string? DocumentType { get; init; }

    /// <summary>Time spent in enrichers (fields, entities, tables, classification) after the pages were read.</summary>
    public TimeSpan EnrichmentTime { get; init; }

    /// <summary>The engine that produced the Document: "local", or the name of a cloud engine in configuration
    /// (<c>Engines:Cloud:NAME</c>). A document that a cloud engine handed to the local one says "local".</summary>
    public string Engine { get; init; } = LocalEngineName;

    /// <summary>The name of the local engine in <see cref="Engine"/> and in <c>Engines:Routes</c>.</summary>
    public const string LocalEngineName = "local";

    /// <summary>"text-layer", "ocr" or "mixed".</summary>
    public string EnginePath => OcrPages.Count == 0 ? "text-layer" : OcrPages.Count == Pages ? "ocr" : "mixed";
}
