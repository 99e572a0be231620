using System.ComponentModel.DataAnnotations;

namespace DocFlow.Server.DocumentAi;

/// <summary>The Google Document AI v1 compatible surface (<c>/v1/projects/…</c>). Section "DocumentAi".</summary>
public sealed class DocumentAiOptions
{
    public const string SectionName = "DocumentAi";

    /// <summary>Whether the <c>/v1/</c> routes are mapped. <value>Default true.</value></summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The processors, by id (<c>^[a-z0-9_-]+$</c>). <value>Default: <see cref="DefaultProcessors"/> (one per
    /// type: <c>ocr</c>, <c>form</c>, <c>invoice</c>, <c>expense</c>, <c>layout</c>) when none is configured.</value></summary>
    public Dictionary<string, ProcessorOptions> Processors { get; set; } = new(StringComparer.Ordinal);

    /// <summary><c>gs://</c> buckets, by name, mapped onto folders the server may read (inputs) and write (outputs).
    /// A <c>gs://</c> URI whose bucket is not here is refused: nothing is ever fetched from an arbitrary address.
    /// <value>Default: none.</value></summary>
    public Dictionary<string, BucketOptions> Buckets { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Largest document <c>:process</c> accepts, in bytes. <value>Default 40 MB (41,943,040), Google's online limit.</value></summary>
    [Range(1, long.MaxValue)]
    public long MaxOnlineBytes { get; set; } = 40L * 1024 * 1024;

    /// <summary>Most pages <c>:process</c> reads. <value>Default 15, Google's online limit.</value></summary>
    [Range(1, 100_000)]
    public int MaxOnlinePages { get; set; } = 15;

    /// <summary>Most pages <c>:process</c> reads with <c>imagelessMode</c>. <value>Default 30, Google's.</value></summary>
    [Range(1, 100_000)]
    public int MaxImagelessPages { get; set; } = 30;

    /// <summary>How long <c>:process</c> waits for its document before answering 504 DEADLINE_EXCEEDED (the job goes on).
    /// <value>Default 300 s, the official clients' own deadline for process.</value></summary>
    public TimeSpan ProcessDeadline { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>A <c>:batchProcess</c> with the same body from the same caller within this window returns the same operation
    /// (the clients re-send on 503). <value>Default 10 minutes.</value></summary>
    public TimeSpan BatchDedupWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Most files one <c>:batchProcess</c> takes. <value>Default 5,000, Google's.</value></summary>
    [Range(1, 1_000_000)]
    public int MaxBatchFiles { get; set; } = 5_000;

    /// <summary>The processors used when none is configured.</summary>
    public static IReadOnlyDictionary<string, ProcessorOptions> DefaultProcessors { get; } = new Dictionary<string, ProcessorOptions>(StringComparer.Ordinal)
    {
        ["ocr"] = new() { Type = ProcessorTypes.Ocr, DisplayName = "Document OCR" },
        ["form"] = new() { Type = ProcessorTypes.FormParser, DisplayName = "Form Parser" },
        ["invoice"] = new() { Type = ProcessorTypes.Invoice, DisplayName = "Invoice Parser" },
        ["expense"] = new() { Type = ProcessorTypes.Expense, DisplayName = "Expense Parser" },
        ["layout"] = new() { Type = ProcessorTypes.LayoutParser, DisplayName = "Layout Parser" },
    };

    /// <summary>The configured processors, or <see cref="DefaultProcessors"/> when none is.</summary>
    public IReadOnlyDictionary<string, ProcessorOptions> EffectiveProcessors => Processors.Count > 0 ? Processors : DefaultProcessors;
}

/// <summary>One processor: its type (what it returns) and name.</summary>
public sealed class ProcessorOptions
{
    /// <summary>OCR_PROCESSOR, FORM_PARSER_PROCESSOR, INVOICE_PROCESSOR, EXPENSE_PROCESSOR or LAYOUT_PARSER_PROCESSOR.
    /// <value>Default OCR_PROCESSOR.</value></summary>
    public string Type { get; set; } = ProcessorTypes.Ocr;

    /// <summary>The name tools show. <value>Default: the id.</value></summary>
    public string? DisplayName { get; set; }
}

/// <summary>A <c>gs://</c> bucket mapped onto a folder.</summary>
public sealed class BucketOptions
{
    /// <summary>The folder the bucket's objects are files in (object <c>a/b.pdf</c> is <c>{Path}/a/b.pdf</c>).</summary>
    [Required]
    public string Path { get; set; } = "";

    /// <summary>The tenant whose principals may use the bucket. <value>Default <c>default</c>.</value></summary>
    public string Tenant { get; set; } = DocFlow.Security.Tenants.Default;
}

/// <summary>The processor types DocFlow serves, with what each returns.</summary>
public static class ProcessorTypes
{
    public const string Ocr = "OCR_PROCESSOR";
    public const string FormParser = "FORM_PARSER_PROCESSOR";
    public const string Invoice = "INVOICE_PROCESSOR";
    public const string Expense = "EXPENSE_PROCESSOR";
    public const string LayoutParser = "LAYOUT_PARSER_PROCESSOR";

    public static readonly IReadOnlyList<string> All = [Ocr, FormParser, Invoice, Expense, LayoutParser];

    /// <summary>Google's category of the type (GENERAL or SPECIALIZED).</summary>
    public static string CategoryOf(string type) => type is Invoice or Expense ? "SPECIALIZED" : "GENERAL";
}
