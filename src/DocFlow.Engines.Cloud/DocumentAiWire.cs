using System.Buffers;
using System.Text.Json;
using DocFlow.Documents;
using DocFlow.Processing;
using DocFlow.Queueing;

namespace DocFlow.Engines.Cloud;

/// <summary>The Document AI v1 REST wire format of <c>:process</c> (DESIGN §8): proto3 JSON, camelCase.</summary>
internal static class DocumentAiWire
{
    /// <summary>A ProcessRequest with the content as <c>rawDocument</c>; a page range becomes
    /// <c>processOptions.individualPageSelector</c> (1-based pages of the original).</summary>
    public static byte[] ProcessRequest(DocumentInput input, string mimeType, PageRange? pages)
    {
        var buffer = new ArrayBufferWriter<byte>(input.Content.Length / 3 * 4 + 512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject("rawDocument");
            w.WriteBase64String("content", input.Content.Span);
            w.WriteString("mimeType", mimeType);
            w.WriteString("displayName", input.Name);
            w.WriteEndObject();
            w.WriteBoolean("skipHumanReview", true);
            if (pages is { } range)
            {
                w.WriteStartObject("processOptions");
                w.WriteStartObject("individualPageSelector");
                w.WriteStartArray("pages");
                for (var p = range.First; p <= range.Last; p++) w.WriteNumberValue(p);
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The <c>document</c> of a ProcessResponse (unknown fields ignored, enums as names or numbers, int64 as
    /// strings or numbers).</summary>
    /// <exception cref="JsonException">The body is not a ProcessResponse with a document.</exception>
    public static Document ParseDocument(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        using var json = JsonDocument.ParseValue(ref reader);
        if (json.RootElement.ValueKind != JsonValueKind.Object || !json.RootElement.TryGetProperty("document", out var document)
            || document.ValueKind != JsonValueKind.Object)
            throw new JsonException("The response holds no document.");
        return DocumentJson.Deserialize(document.GetRawText());
    }

    /// <summary>The google.rpc.Status of an error body <c>{"error": {"code", "message", "status"}}</c>, or null.</summary>
    public static RpcStatus? ParseError(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var json = JsonDocument.ParseValue(ref reader);
            if (json.RootElement.ValueKind != JsonValueKind.Object || !json.RootElement.TryGetProperty("error", out var error)
                || error.ValueKind != JsonValueKind.Object)
                return null;
            var code = error.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : 0;
            var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            var status = error.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            return new RpcStatus(code, status ?? "", message ?? "");
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>A google.rpc.Status as the REST transport sends it.</summary>
internal sealed record RpcStatus(int Code, string Status, string Message);
