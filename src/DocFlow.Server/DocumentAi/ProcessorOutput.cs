using System.Text.Json;
using System.Text.Json.Nodes;
using DocFlow.Documents;

namespace DocFlow.Server.DocumentAi;

/// <summary>The hook for <c>LAYOUT_PARSER_PROCESSOR</c>'s chunks: when one is registered, its <c>chunkedDocument</c> is added
/// to the layout parser's Document (issue 14's Markdown/chunks work registers it; DocFlow has none yet, so the layout
/// parser returns the layout only).</summary>
public interface IChunkedDocumentBuilder
{
    /// <summary>The <c>chunkedDocument</c> of <paramref name="document"/>, as Document AI's JSON, honouring
    /// <paramref name="layoutConfig"/> (<c>processOptions.layoutConfig</c>: chunkSize, includeAncestorHeadings) when given.</summary>
    JsonNode? Build(Document document, JsonElement? layoutConfig);
}

/// <summary>What each processor type returns of DocFlow's Document, and <c>fieldMask</c>.</summary>
internal static class ProcessorOutput
{
    /// <summary>The Document as the processor type returns it: entities only where the type has them (invoice, expense),
    /// form fields and tables where it reads them (form parser), the page layout for all.</summary>
    public static Document Shape(Document document, string type)
    {
        var keepEntities = type is ProcessorTypes.Invoice or ProcessorTypes.Expense;
        var keepForms = type is ProcessorTypes.FormParser;
        if (!keepEntities) document.Entities = null;
        foreach (var page in document.Pages ?? [])
        {
            if (!keepForms)
            {
                page.FormFields = null;
                page.Tables = null;
            }
        }
        return document;
    }

    /// <summary>The Document as JSON (camelCase, int64 as strings, defaults omitted), the layout parser's chunks added
    /// by the hook, and only the fields of <paramref name="fieldMask"/> when one is given.</summary>
    public static JsonNode ToJson(Document document, string type, string? fieldMask, IChunkedDocumentBuilder? chunks, JsonElement? layoutConfig)
    {
        var node = JsonNode.Parse(DocumentJson.Serialize(document))!;
        if (type == ProcessorTypes.LayoutParser && chunks?.Build(document, layoutConfig) is { } chunked)
            node["chunkedDocument"] = chunked;
        return string.IsNullOrWhiteSpace(fieldMask) ? node : Mask(node, fieldMask);
    }

    /// <summary>Keeps only the paths of a FieldMask (<c>text,entities,pages.pageNumber</c>; camelCase or snake_case).</summary>
    public static JsonNode Mask(JsonNode node, string fieldMask)
    {
        var paths = fieldMask.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('.').Select(CamelCase).ToArray()).ToList();
        return Keep(node, paths) ?? new JsonObject();

        static JsonNode? Keep(JsonNode? node, List<string[]> paths)
        {
            if (node is null) return null;
            if (paths.Any(p => p.Length == 0)) return node.DeepClone();
            switch (node)
            {
                case JsonArray array:
                    return new JsonArray([.. array.Select(item => Keep(item, paths))]);
                case JsonObject obj:
                    var result = new JsonObject();
                    foreach (var group in paths.GroupBy(p => p[0], StringComparer.Ordinal))
                        if (obj[group.Key] is { } child && Keep(child, [.. group.Select(p => p[1..])]) is { } kept)
                            result[group.Key] = kept;
                    return result;
                default:
                    return node.DeepClone();
            }
        }
    }

    private static string CamelCase(string name)
    {
        if (!name.Contains('_', StringComparison.Ordinal)) return name;
        var parts = name.Split('_', StringSplitOptions.RemoveEmptyEntries);
        return parts[0] + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
    }
}
