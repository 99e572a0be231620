using System.ComponentModel.DataAnnotations;

namespace DocFlow.Processing;

/// <summary>
/// Limits checked before anything is decoded, so that a small hostile file cannot make the engine spend memory,
/// stack or time out of proportion to its size. Section "Engine:Limits" in configuration; every refusal is a final
/// (never retried) error naming the page and the limit. See docs/security.md, "Limits at every decode".
/// </summary>
public sealed class EngineLimits
{
    /// <summary>Most objects in a PDF (counted in the raw bytes and in object streams). <value>Default 500,000.</value></summary>
    [Range(1, int.MaxValue)]
    public int MaxPdfObjects { get; set; } = 500_000;

    /// <summary>Deepest nesting of dictionaries and arrays (<c>&lt;&lt;</c>, <c>[</c>) in a PDF's objects. <value>Default 64.</value></summary>
    [Range(4, 10_000)]
    public int MaxPdfNesting { get; set; } = 64;

    /// <summary>Deepest nesting of <c>{ }</c> in a Type 4 (PostScript calculator) function. <value>Default 64.</value></summary>
    [Range(2, 10_000)]
    public int MaxFunctionNesting { get; set; } = 64;

    /// <summary>Largest decompressed size of one PDF stream (bounded inflate). <value>Default 256 MB.</value></summary>
    [Range(1, long.MaxValue)]
    public long MaxStreamBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Largest decompressed size of all a PDF's streams together. <value>Default 1 GB.</value></summary>
    [Range(1, long.MaxValue)]
    public long MaxTotalStreamBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Most XObjects one page or form XObject may paint, counting what the forms it draws paint in turn (fan-out;
    /// PdfPig spends ~25 µs a paint, so 2^20 paints take it 25 s). <value>Default 50,000.</value></summary>
    [Range(1, int.MaxValue)]
    public int MaxXObjectPaints { get; set; } = 50_000;

    /// <summary>Most pixels of one image embedded in a PDF (width × height from its dictionary); a larger one is refused.
    /// Images above <see cref="MaxRenderPixels"/> but within this limit are not decoded by DocFlow: their page is rendered
    /// (pdftoppm streams and down-samples them). <value>Default 250 MP.</value></summary>
    [Range(1, long.MaxValue)]
    public long MaxPdfImagePixels { get; set; } = 250_000_000;

    /// <summary>Most pixels of a page image handed to OCR from a PDF: larger pages are rendered at a lower resolution to fit,
    /// and larger embedded page images are rendered rather than decoded. <value>Default 40 MP (as Engine:MaxPixelsPerPage).</value></summary>
    [Range(1, long.MaxValue)]
    public long MaxRenderPixels { get; set; } = 40_000_000;

    /// <summary>Lowest resolution a page is rendered at to fit <see cref="MaxRenderPixels"/>; a page that does not fit even
    /// at this resolution is refused. <value>Default 30 dpi.</value></summary>
    [Range(10, 600)]
    public int MinRasterDpi { get; set; } = 30;

    /// <summary>Wall time for rendering one page with pdftoppm; the child process is killed after it. <value>Default 60 s.</value></summary>
    public TimeSpan RenderTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Most frames in a GIF (giflib reads every frame). <value>Default 100.</value></summary>
    [Range(1, 100_000)]
    public int MaxGifFrames { get; set; } = 100;

    /// <summary>Tesseract refuses images wider or taller than this (a fixed limit of the library).</summary>
    public const int MaxOcrSide = 32_767;
}
