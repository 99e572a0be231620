using System.Text.Json.Serialization;

namespace DocFlow.Documents;

// The result model follows Google Cloud Document AI v1 `Document` field for field
// (https://cloud.google.com/document-ai/docs/reference/rest/v1/Document), so that code written
// against that service reads ours unchanged. Proto3 JSON rules apply: lowerCamelCase names,
// defaults omitted, int64 values (text indices) written as strings.

/// <summary>A processed document: its full text and the pages, layout and entities that point into it.</summary>
public sealed class Document
{
    /// <summary>The document's text; every <see cref="TextAnchor"/> indexes into it.</summary>
    public string? Text { get; set; }

    /// <summary>IANA media type of the original, as sniffed from its content.</summary>
    public string? MimeType { get; set; }

    public List<Page>? Pages { get; set; }

    public List<Entity>? Entities { get; set; }

    /// <summary>The document cut into chunks for retrieval (LLM/RAG), as Document AI's layout parser writes it; only when
    /// asked for (see docs/outputs.md).</summary>
    public ChunkedDocument? ChunkedDocument { get; set; }

    /// <summary>Set when processing failed; the other fields may then be empty.</summary>
    public Status? Error { get; set; }
}

/// <summary>google.rpc.Status.</summary>
public sealed class Status
{
    public int Code { get; set; }
    public string? Message { get; set; }
}

public sealed class Page
{
    /// <summary>1-based page number in the original.</summary>
    public int PageNumber { get; set; }
    public Dimension? Dimension { get; set; }
    public Layout? Layout { get; set; }
    public List<DetectedLanguage>? DetectedLanguages { get; set; }
    public List<Block>? Blocks { get; set; }
    public List<Paragraph>? Paragraphs { get; set; }
    public List<Line>? Lines { get; set; }
    public List<Token>? Tokens { get; set; }
    public List<Table>? Tables { get; set; }
    public List<FormField>? FormFields { get; set; }
    public Image? Image { get; set; }
    public List<Transform>? Transforms { get; set; }
}

public sealed class Dimension
{
    public float Width { get; set; }
    public float Height { get; set; }
    /// <summary>"pixels" for images and scans, "points" for PDF text-layer pages.</summary>
    public string? Unit { get; set; }
}

public sealed class Image
{
    public string? MimeType { get; set; }
    public int Width { get; set; }
    public int Height { get; set; }
}

public sealed class Transform
{
    public int Rows { get; set; }
    public int Cols { get; set; }
    public int Type { get; set; }
    public string? Data { get; set; }
}

public sealed class DetectedLanguage
{
    public string? LanguageCode { get; set; }
    public float Confidence { get; set; }
}

/// <summary>Where an element is: its text, position and confidence.</summary>
public sealed class Layout
{
    public TextAnchor? TextAnchor { get; set; }
    public float Confidence { get; set; }
    public BoundingPoly? BoundingPoly { get; set; }
    [JsonConverter(typeof(JsonStringEnumConverter<Orientation>))]
    public Orientation Orientation { get; set; }
}

/// <summary>Orientation of an element relative to the page's upright reading direction.</summary>
public enum Orientation
{
    [JsonStringEnumMemberName("ORIENTATION_UNSPECIFIED")] Unspecified = 0,
    [JsonStringEnumMemberName("PAGE_UP")] PageUp = 1,
    [JsonStringEnumMemberName("PAGE_RIGHT")] PageRight = 2,
    [JsonStringEnumMemberName("PAGE_DOWN")] PageDown = 3,
    [JsonStringEnumMemberName("PAGE_LEFT")] PageLeft = 4,
}

public sealed class TextAnchor
{
    public List<TextSegment>? TextSegments { get; set; }
    public string? Content { get; set; }
}

/// <summary>A half-open range [StartIndex, EndIndex) of <see cref="Document.Text"/>.</summary>
public sealed class TextSegment
{
    [JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)]
    public long StartIndex { get; set; }

    [JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)]
    public long EndIndex { get; set; }
}

public sealed class BoundingPoly
{
    /// <summary>Corners in the page's pixel (or point) space, clockwise from top-left.</summary>
    public List<Vertex>? Vertices { get; set; }
    /// <summary>The same corners divided by the page's width and height (0..1).</summary>
    public List<NormalizedVertex>? NormalizedVertices { get; set; }
}

public sealed class Vertex
{
    public int X { get; set; }
    public int Y { get; set; }
}

public sealed class NormalizedVertex
{
    public float X { get; set; }
    public float Y { get; set; }
}

public sealed class Block
{
    public Layout? Layout { get; set; }
    public List<DetectedLanguage>? DetectedLanguages { get; set; }
}

public sealed class Paragraph
{
    public Layout? Layout { get; set; }
    public List<DetectedLanguage>? DetectedLanguages { get; set; }
}

public sealed class Line
{
    public Layout? Layout { get; set; }
    public List<DetectedLanguage>? DetectedLanguages { get; set; }
}

public sealed class Token
{
    public Layout? Layout { get; set; }
    public DetectedBreak? DetectedBreak { get; set; }
    public List<DetectedLanguage>? DetectedLanguages { get; set; }
}

public sealed class DetectedBreak
{
    [JsonConverter(typeof(JsonStringEnumConverter<BreakType>))]
    public BreakType Type { get; set; }
}

public enum BreakType
{
    [JsonStringEnumMemberName("TYPE_UNSPECIFIED")] Unspecified = 0,
    [JsonStringEnumMemberName("SPACE")] Space = 1,
    [JsonStringEnumMemberName("WIDE_SPACE")] WideSpace = 2,
    [JsonStringEnumMemberName("HYPHEN")] Hyphen = 3,
}

public sealed class Table
{
    public Layout? Layout { get; set; }
    public List<TableRow>? HeaderRows { get; set; }
    public List<TableRow>? BodyRows { get; set; }
    public List<DetectedLanguage>? DetectedLanguages { get; set; }
}

public sealed class TableRow
{
    public List<TableCell>? Cells { get; set; }
}

public sealed class TableCell
{
    public Layout? Layout { get; set; }
    public int RowSpan { get; set; }
    public int ColSpan { get; set; }
}

public sealed class FormField
{
    public Layout? FieldName { get; set; }
    public Layout? FieldValue { get; set; }
    public List<DetectedLanguage>? NameDetectedLanguages { get; set; }
    public List<DetectedLanguage>? ValueDetectedLanguages { get; set; }
    /// <summary>"filled_checkbox", "unfilled_checkbox", or null for text values.</summary>
    public string? ValueType { get; set; }
}

public sealed class Entity
{
    public TextAnchor? TextAnchor { get; set; }
    public string? Type { get; set; }
    public string? MentionText { get; set; }
    public float Confidence { get; set; }
    public PageAnchor? PageAnchor { get; set; }
    public string? Id { get; set; }
    public NormalizedValue? NormalizedValue { get; set; }
    public List<Entity>? Properties { get; set; }
}

public sealed class PageAnchor
{
    public List<PageRef>? PageRefs { get; set; }
}

public sealed class PageRef
{
    [JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)]
    public long Page { get; set; }
    public BoundingPoly? BoundingPoly { get; set; }
    public float Confidence { get; set; }
}

public sealed class NormalizedValue
{
    public string? Text { get; set; }
    public Money? MoneyValue { get; set; }
    public DateValue? DateValue { get; set; }
    public string? DatetimeValue { get; set; }
    public bool? BooleanValue { get; set; }
    public int? IntegerValue { get; set; }
    public float? FloatValue { get; set; }
}

/// <summary>google.type.Money.</summary>
public sealed class Money
{
    public string? CurrencyCode { get; set; }
    [JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)]
    public long Units { get; set; }
    public int Nanos { get; set; }
}

/// <summary>google.type.Date.</summary>
public sealed class DateValue
{
    public int Year { get; set; }
    public int Month { get; set; }
    public int Day { get; set; }
}

/// <summary>Document.ChunkedDocument: the document's content in chunks.</summary>
public sealed class ChunkedDocument
{
    public List<Chunk>? Chunks { get; set; }
}

/// <summary>Document.ChunkedDocument.Chunk, plus <see cref="PageRefs"/> (DocFlow's addition: where the chunk's content is).</summary>
public sealed class Chunk
{
    public string? ChunkId { get; set; }
    public List<string>? SourceBlockIds { get; set; }
    /// <summary>The chunk's content as Markdown, led by the headings it sits under.</summary>
    public string? Content { get; set; }
    public ChunkPageSpan? PageSpan { get; set; }
    public List<ChunkPageHeader>? PageHeaders { get; set; }
    public List<ChunkPageFooter>? PageFooters { get; set; }
    /// <summary>Not in Document AI: the bounding boxes of the chunk's content, one per page it covers (<see cref="PageRef.Page"/> is 0-based).</summary>
    public List<PageRef>? PageRefs { get; set; }
}

/// <summary>The pages a chunk covers, 1-based and inclusive.</summary>
public sealed class ChunkPageSpan
{
    public int PageStart { get; set; }
    public int PageEnd { get; set; }
}

public sealed class ChunkPageHeader
{
    public string? Text { get; set; }
    public ChunkPageSpan? PageSpan { get; set; }
}

public sealed class ChunkPageFooter
{
    public string? Text { get; set; }
    public ChunkPageSpan? PageSpan { get; set; }
}
