using System.Text.Json;
using System.Text.Json.Serialization;

namespace DocFlow.Samples;

/// <summary>
/// What a sample document contains, written beside it as <c>NAME.truth.json</c>.
/// Page text convention: the visual lines of the page top to bottom, the words of a line joined by
/// one space, every line (the last one too) ended by "\n". A table row is one line.
/// </summary>
public sealed record GroundTruth
{
    /// <summary>File name of the document, relative to the truth file's folder.</summary>
    public required string File { get; init; }

    public required string MimeType { get; init; }

    /// <summary>invoice, receipt, form, letter, report or other.</summary>
    public required string DocumentType { get; init; }

    public required IReadOnlyList<TruthPage> Pages { get; init; }

    /// <summary>Key → value: invoice fields (invoice_id, total_amount, ...) and form labels/checkbox states.</summary>
    public IReadOnlyDictionary<string, string> Fields { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<TruthEntity> Entities { get; init; } = [];

    public IReadOnlyList<TruthTable> Tables { get; init; } = [];

    /// <summary>Text of the whole document: the pages' text concatenated in order.</summary>
    [JsonIgnore]
    public string Text => string.Concat(Pages.Select(p => p.Text));

    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static GroundTruth Load(string path)
    {
        var json = System.IO.File.ReadAllText(path);
        return JsonSerializer.Deserialize<GroundTruth>(json, JsonOptions)
            ?? throw new InvalidDataException($"{path}: empty ground truth");
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";

    public void Save(string path) => System.IO.File.WriteAllText(path, ToJson());
}

/// <param name="PageNumber">1-based.</param>
/// <param name="Kind">"text" for a PDF page with a text layer, "ocr" for an image or scanned page.</param>
/// <param name="Rotation">Degrees the page content was turned clockwise in the file (0, 90, 180, 270);
/// turn it back by this much counter-clockwise to read it.</param>
/// <param name="SkewDegrees">Small scan skew applied to the content (positive = clockwise), 0 for digital pages.</param>
/// <param name="Text">The page's lines, see <see cref="GroundTruth"/>.</param>
public sealed record TruthPage(int PageNumber, string Kind, int Rotation, double SkewDegrees, string Text);

/// <param name="Type">Google Document AI entity type (invoice_id, total_amount, email, ...).</param>
/// <param name="MentionText">Exactly as it appears in the page text.</param>
/// <param name="Normalized">ISO date (yyyy-MM-dd), amount as plain decimal ("1234.50"), currency code, or the text itself.</param>
public sealed record TruthEntity(string Type, string MentionText, string Normalized);

public sealed record TruthTable(int PageNumber, IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows);
