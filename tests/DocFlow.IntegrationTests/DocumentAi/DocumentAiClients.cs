using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DocFlow.IntegrationTests.DocumentAi;

/// <summary>
/// The exact HTTP requests of the official Document AI clients (DESIGN.md §8), replayed by hand, and their responses
/// parsed back as those clients do.
/// </summary>
/// <remarks>
/// Python (google-cloud-documentai, <c>transport="rest"</c>, <c>client_options={"api_endpoint": "http://host:port",
/// "api_key": K}</c>): <c>?%24alt=json%3Benum-encoding%3Dint</c> on every call, <c>x-goog-request-params</c>,
/// <c>x-goog-api-client</c>, <c>x-goog-api-key</c>; body camelCase, enums as integers, defaults omitted, <c>name</c> taken
/// out of the body (it is in the URL); responses parsed ignoring unknown fields, the exception chosen by HTTP code.
/// .NET (Google.Cloud.DocumentAI.V1 with <c>RestGrpcAdapter</c>, <c>Endpoint = "http://host:port"</c>): the whole request
/// including <c>name</c> in the body, enums by name, <c>Authorization: Bearer</c>; errors read from <c>error.status</c>.
/// </remarks>
internal static partial class DocumentAiClients
{
    public const string PythonApiClient = "gl-python/3.11.7 grpc/1.67.1 gax/2.24.0 gapic/3.16.0 rest/2.40.0";
    public const string DotNetApiClient = "gl-dotnet/10.0.0 gccl/3.20.0 gax/4.16.0 rest/4.16.0";
    private const string PythonQuery = "?%24alt=json%3Benum-encoding%3Dint";

    /// <summary>The Python client's request: <paramref name="name"/> is the resource (processor or operation) the URL and the
    /// routing header carry; <paramref name="verb"/> the custom method (<c>:process</c>) or empty for a GET.</summary>
    public static HttpRequestMessage Python(HttpMethod method, string name, string verb, string? body, string apiKey)
    {
        var request = new HttpRequestMessage(method, $"v1/{name}{verb}{PythonQuery}");
        request.Headers.Add("x-goog-request-params", "name=" + Uri.EscapeDataString(name));
        request.Headers.Add("x-goog-api-client", PythonApiClient);
        request.Headers.Add("x-goog-api-key", apiKey);
        request.Headers.UserAgent.ParseAdd("python-requests/2.32.3");
        request.Headers.Accept.ParseAdd("*/*");
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return request;
    }

    /// <summary>The .NET client's request (RestGrpcAdapter): the body holds the whole request message, name included.</summary>
    public static HttpRequestMessage DotNet(HttpMethod method, string name, string verb, string? body, string bearer)
    {
        var request = new HttpRequestMessage(method, $"v1/{name}{verb}");
        request.Headers.Add("x-goog-request-params", "name=" + Uri.EscapeDataString(name));
        request.Headers.Add("x-goog-api-client", DotNetApiClient);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return request;
    }

    /// <summary>Python's ProcessRequest for raw bytes: MessageToJson(use_integers_for_enums=True), name removed.</summary>
    public static string PythonProcessBody(byte[] pdf, string? extra = null) =>
        $$"""{"rawDocument": {"content": "{{Convert.ToBase64String(pdf)}}", "mimeType": "application/pdf"}, "skipHumanReview": true{{extra}}}""";

    /// <summary>.NET's ProcessRequest (JsonFormatter): name first, camelCase, defaults omitted.</summary>
    public static string DotNetProcessBody(string name, byte[] pdf, string? extra = null) =>
        $$"""{ "name": "{{name}}", "rawDocument": { "content": "{{Convert.ToBase64String(pdf)}}", "mimeType": "application/pdf", "displayName": "scan.pdf" }, "skipHumanReview": true{{extra}} }""";

    /// <summary>Parses a ProcessResponse the way the clients' JSON parsers do: unknown fields ignored, but every known field
    /// must have its proto3 JSON type (int64 as strings or numbers, enums as names or numbers).</summary>
    public static ParsedProcessResponse ParseProcessResponse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var document = root.GetProperty("document");
        var pages = new List<int>();
        foreach (var page in document.TryGetProperty("pages", out var p) ? p.EnumerateArray() : default)
        {
            pages.Add(page.GetProperty("pageNumber").GetInt32());
            foreach (var token in page.TryGetProperty("tokens", out var t) ? t.EnumerateArray() : default)
            {
                var segments = token.GetProperty("layout").GetProperty("textAnchor").GetProperty("textSegments");
                foreach (var s in segments.EnumerateArray())
                {
                    Int64Of(s, "startIndex", optional: true);
                    Int64Of(s, "endIndex", optional: false);
                }
                EnumOf(token.GetProperty("layout"), "orientation", ["ORIENTATION_UNSPECIFIED", "PAGE_UP", "PAGE_RIGHT", "PAGE_DOWN", "PAGE_LEFT"]);
            }
        }
        var state = EnumOf(root.GetProperty("humanReviewStatus"), "state", ["STATE_UNSPECIFIED", "SKIPPED", "VALIDATION_PASSED", "IN_PROGRESS", "ERROR"]);
        return new ParsedProcessResponse(
            document.TryGetProperty("text", out var text) ? text.GetString()! : "",
            document.GetProperty("mimeType").GetString()!,
            pages,
            document.TryGetProperty("entities", out var entities) ? entities.GetArrayLength() : 0,
            state,
            root.GetProperty("humanReviewStatus").GetProperty("state").ValueKind == JsonValueKind.Number);
    }

    /// <summary>An Operation as the LRO clients read it: the name must match <c>projects/*/locations/*/operations/*</c>
    /// (they refuse others), metadata and response are Any messages with <c>@type</c>.</summary>
    public static ParsedOperation ParseOperation(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var name = root.GetProperty("name").GetString()!;
        if (!OperationName().IsMatch(name)) throw new FormatException($"operation name {name} is not projects/*/locations/*/operations/*");
        var metadata = root.GetProperty("metadata");
        if (metadata.GetProperty("@type").GetString() != "type.googleapis.com/google.cloud.documentai.v1.BatchProcessMetadata")
            throw new FormatException("metadata is not BatchProcessMetadata");
        var state = EnumOf(metadata, "state", ["STATE_UNSPECIFIED", "WAITING", "RUNNING", "SUCCEEDED", "CANCELLING", "CANCELLED", "FAILED"]);
        DateTimeOffset.Parse(metadata.GetProperty("createTime").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var statuses = new List<(string Input, int Code, string? Output)>();
        foreach (var s in metadata.TryGetProperty("individualProcessStatuses", out var list) ? list.EnumerateArray() : default)
            statuses.Add((s.GetProperty("inputGcsSource").GetString()!,
                s.GetProperty("status").TryGetProperty("code", out var code) ? code.GetInt32() : 0,
                s.TryGetProperty("outputGcsDestination", out var output) ? output.GetString() : null));
        var done = root.TryGetProperty("done", out var d) && d.GetBoolean();
        string? responseType = root.TryGetProperty("response", out var response) ? response.GetProperty("@type").GetString() : null;
        int? errorCode = root.TryGetProperty("error", out var error) ? error.GetProperty("code").GetInt32() : null;
        return new ParsedOperation(name, state, done, statuses, responseType, errorCode);
    }

    /// <summary>The error as Python (HTTP code) and .NET (<c>error.status</c>) read it.</summary>
    public static (int Code, string Status, string Message) ParseError(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var error = doc.RootElement.GetProperty("error");
        return (error.GetProperty("code").GetInt32(), error.GetProperty("status").GetString()!, error.GetProperty("message").GetString()!);
    }

    private static long Int64Of(JsonElement obj, string name, bool optional)
    {
        if (!obj.TryGetProperty(name, out var v))
            return optional ? 0 : throw new FormatException($"{name} missing");
        return v.ValueKind == JsonValueKind.String ? long.Parse(v.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : v.GetInt64();
    }

    private static string EnumOf(JsonElement obj, string name, string[] names)
    {
        if (!obj.TryGetProperty(name, out var v)) return names[0];
        return v.ValueKind == JsonValueKind.Number ? names[v.GetInt32()]
            : Array.IndexOf(names, v.GetString()) >= 0 ? v.GetString()! : throw new FormatException($"{name}: unknown enum value {v}");
    }

    [GeneratedRegex("^projects/[^/]+/locations/[^/]+/operations/[^/]+$")]
    private static partial Regex OperationName();
}

internal sealed record ParsedProcessResponse(string Text, string MimeType, IReadOnlyList<int> Pages, int Entities, string HumanReviewState, bool EnumsAsNumbers);

internal sealed record ParsedOperation(string Name, string State, bool Done, IReadOnlyList<(string Input, int Code, string? Output)> Statuses,
    string? ResponseType, int? ErrorCode);
