using System.Text.Json;
using System.Text.Json.Serialization;

namespace DocFlow.Documents;

/// <summary>Reads and writes <see cref="Document"/> as Document AI JSON (camelCase, defaults omitted).</summary>
public static class DocumentJson
{
    public static string Serialize(Document document, bool indented = false) =>
        JsonSerializer.Serialize(document, indented ? DocumentJsonContext.Indented.Document : DocumentJsonContext.Default.Document);

    public static Task SerializeAsync(Stream stream, Document document, CancellationToken cancellationToken) =>
        JsonSerializer.SerializeAsync(stream, document, DocumentJsonContext.Default.Document, cancellationToken);

    /// <summary>The chunks alone (GET .../chunks), as they appear under <c>chunkedDocument</c>.</summary>
    public static string Serialize(ChunkedDocument chunks) =>
        JsonSerializer.Serialize(chunks, DocumentJsonContext.Default.ChunkedDocument);

    public static Document Deserialize(string json) =>
        JsonSerializer.Deserialize(json, DocumentJsonContext.Default.Document)
        ?? throw new JsonException("The JSON holds no document.");

    /// <summary>A document from its UTF-8 JSON (what the database or a file holds), without a string in between.</summary>
    public static Document Deserialize(ReadOnlySpan<byte> utf8Json) =>
        JsonSerializer.Deserialize(utf8Json, DocumentJsonContext.Default.Document)
        ?? throw new JsonException("The JSON holds no document.");

    /// <summary>What <see cref="Serialize(Document, bool)"/> writes (not indented), for a serializer that writes straight to
    /// a response: the same bytes, without the string (docs/benchmarks.md, "Authentication and audit cost", session 10).</summary>
    public static System.Text.Json.Serialization.Metadata.JsonTypeInfo<Document> TypeInfo => DocumentJsonContext.Default.Document;

    public static async Task<Document> DeserializeAsync(Stream stream, CancellationToken cancellationToken) =>
        await JsonSerializer.DeserializeAsync(stream, DocumentJsonContext.Default.Document, cancellationToken).ConfigureAwait(false)
        ?? throw new JsonException("The JSON holds no document.");
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(Document))]
[JsonSerializable(typeof(ChunkedDocument))]
internal sealed partial class DocumentJsonContext : JsonSerializerContext
{
    private static DocumentJsonContext? _indented;

    public static DocumentJsonContext Indented => _indented ??= new DocumentJsonContext(new JsonSerializerOptions(Default.Options) { WriteIndented = true });
}
