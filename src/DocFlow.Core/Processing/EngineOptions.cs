using System.ComponentModel.DataAnnotations;

namespace DocFlow.Processing;

/// <summary>Limits and knobs of the local document engine. Section "Engine" in configuration.</summary>
public sealed class EngineOptions
{
    public const string SectionName = "Engine";

    /// <summary>Largest accepted file in bytes. <value>Default 50 MB.</value></summary>
    [Range(1, long.MaxValue)]
    public long MaxFileBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>Most pages in one document. <value>Default 500.</value></summary>
    [Range(1, 100_000)]
    public int MaxPages { get; set; } = 500;

    /// <summary>Most pixels on one image page, checked from headers. <value>Default 40 MP.</value></summary>
    [Range(1, long.MaxValue)]
    public long MaxPixelsPerPage { get; set; } = 40_000_000;

    /// <summary>Tesseract languages, '+'-separated (e.g. "eng+deu"). <value>Default "eng".</value></summary>
    [Required]
    public string Languages { get; set; } = "eng";

    /// <summary>Pages processed at once, one OCR engine each. <value>Default: the number of cores.</value></summary>
    [Range(1, 1024)]
    public int Slots { get; set; } = Environment.ProcessorCount;

    /// <summary>Time budget for one document. <value>Default 10 minutes.</value></summary>
    public TimeSpan DocumentTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Resolution at which scanned PDF pages without a usable embedded image are rasterised. <value>Default 300.</value></summary>
    [Range(72, 600)]
    public int RasterDpi { get; set; } = 300;

    /// <summary>Limits checked before decoding (section "Engine:Limits").</summary>
    [Required]
    public EngineLimits Limits { get; set; } = new();

    /// <summary>Folder holding *.traineddata; null uses Tesseract's default (/usr/share/tesseract-ocr/5/tessdata).</summary>
    public string? TessdataPath { get; set; }

    /// <summary>
    /// Known suppliers that receipts' misread names and addresses are resolved against: a JSON file
    /// (<c>{"suppliers": [{"name": "...", "addresses": ["..."]}]}</c>, e.g. a vendor master list), "none" for none,
    /// or null for the registry shipped in the engine (learned from the dev set's labelled receipts). See docs/extraction.md.
    /// </summary>
    public string? Suppliers { get; set; }
}
