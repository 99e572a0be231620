using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DocFlow.Server.DocumentAi;

/// <summary>A google.rpc.Status error: the HTTP code and the canonical status name that go with it.</summary>
public sealed class GoogleStatusException(int httpStatus, string status, string message) : Exception(message)
{
    public int HttpStatus { get; } = httpStatus;
    public string Status { get; } = status;

    public static GoogleStatusException InvalidArgument(string message) => new(400, "INVALID_ARGUMENT", message);
    public static GoogleStatusException NotFound(string message) => new(404, "NOT_FOUND", message);
    public static GoogleStatusException FailedPrecondition(string message) => new(400, "FAILED_PRECONDITION", message);
    public static GoogleStatusException PermissionDenied(string message) => new(403, "PERMISSION_DENIED", message);
}

/// <summary>Proto3 JSON as Google's REST surface speaks it: camelCase or snake_case names in, unknown fields ignored,
/// enums by name or number in, google.rpc.Status errors out, <c>$alt=json;enum-encoding=int</c> honoured.</summary>
internal static class GoogleWire
{
    /// <summary>Canonical codes (google.rpc.Code) by status name.</summary>
    private static readonly Dictionary<string, int> Codes = new(StringComparer.Ordinal)
    {
        ["OK"] = 0, ["CANCELLED"] = 1, ["UNKNOWN"] = 2, ["INVALID_ARGUMENT"] = 3, ["DEADLINE_EXCEEDED"] = 4, ["NOT_FOUND"] = 5,
        ["ALREADY_EXISTS"] = 6, ["PERMISSION_DENIED"] = 7, ["RESOURCE_EXHAUSTED"] = 8, ["FAILED_PRECONDITION"] = 9, ["ABORTED"] = 10,
        ["OUT_OF_RANGE"] = 11, ["UNIMPLEMENTED"] = 12, ["INTERNAL"] = 13, ["UNAVAILABLE"] = 14, ["DATA_LOSS"] = 15, ["UNAUTHENTICATED"] = 16,
    };

    /// <summary>The canonical status name for an HTTP code (google.rpc.Code's HTTP mapping).</summary>
    public static string StatusOf(int http) => http switch
    {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        405 or 501 => "UNIMPLEMENTED",
        409 => "ALREADY_EXISTS",
        411 or 413 or 415 or 431 => "INVALID_ARGUMENT",
        429 => "RESOURCE_EXHAUSTED",
        499 => "CANCELLED",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        >= 500 => "INTERNAL",
        _ => "UNKNOWN",
    };

    /// <summary>The numeric google.rpc.Code of a status name.</summary>
    public static int CodeOf(string status) => Codes.TryGetValue(status, out var code) ? code : 2;

    /// <summary>Whether the request is one of the <c>/v1/</c> Document AI routes (its errors are google.rpc.Status).</summary>
    public static bool IsGoogleRoute(HttpContext context) => context.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal);

    /// <summary><c>{"error": {"code", "message", "status", "details": []}}</c> with the HTTP status: Python picks the
    /// exception by the HTTP code, .NET by <c>status</c>; both are sent and agree.</summary>
    public static IResult Error(int http, string status, string message) =>
        Results.Json(ErrorBody(http, status, message), statusCode: http);

    public static JsonObject ErrorBody(int http, string status, string message) => new()
    {
        ["error"] = new JsonObject
        {
            ["code"] = http,
            ["message"] = message,
            ["status"] = status,
            ["details"] = new JsonArray(),
        },
    };

    /// <summary>Whether the caller asked for enums as integers (<c>$alt=json;enum-encoding=int</c>, the Python client's default).</summary>
    public static bool EnumsAsInts(HttpRequest request)
    {
        var alt = request.Query["$alt"].ToString();
        return alt.Contains("enum-encoding=int", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A field by its proto3 JSON name (camelCase) or its proto name (snake_case); null when absent or JSON null.</summary>
    public static JsonElement? Field(this JsonElement obj, string camelName)
    {
        if (obj.ValueKind != JsonValueKind.Object) return null;
        if (obj.TryGetProperty(camelName, out var v) && v.ValueKind != JsonValueKind.Null) return v;
        if (obj.TryGetProperty(SnakeCase(camelName), out v) && v.ValueKind != JsonValueKind.Null) return v;
        return null;
    }

    public static string? String(this JsonElement obj, string camelName) =>
        obj.Field(camelName) is { } v ? v.ValueKind == JsonValueKind.String ? v.GetString()
            : throw GoogleStatusException.InvalidArgument($"Invalid value for field '{camelName}': expected a string.") : null;

    public static bool Bool(this JsonElement obj, string camelName) => obj.Field(camelName) switch
    {
        null => false,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw GoogleStatusException.InvalidArgument($"Invalid value for field '{camelName}': expected a boolean."),
    };

    /// <summary>An int32 field: a JSON number or a string holding one (proto3 JSON accepts both).</summary>
    public static int? Int(this JsonElement obj, string camelName)
    {
        if (obj.Field(camelName) is not { } v) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n)) return n;
        if (v.ValueKind == JsonValueKind.String && int.TryParse(v.GetString(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out n)) return n;
        throw GoogleStatusException.InvalidArgument($"Invalid value for field '{camelName}': expected an integer.");
    }

    /// <summary>An enum field given by name or by number; returns the name (<paramref name="names"/>[number]).</summary>
    public static string? Enum(this JsonElement obj, string camelName, IReadOnlyList<string> names)
    {
        if (obj.Field(camelName) is not { } v) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && n >= 0 && n < names.Count) return names[n];
        if (v.ValueKind == JsonValueKind.String && names.Contains(v.GetString()!, StringComparer.Ordinal)) return v.GetString();
        throw GoogleStatusException.InvalidArgument($"Invalid value for enum field '{camelName}': {v.GetRawText()}.");
    }

    private static string SnakeCase(string camel)
    {
        var sb = new System.Text.StringBuilder(camel.Length + 4);
        foreach (var c in camel)
        {
            if (char.IsUpper(c)) sb.Append('_').Append(char.ToLowerInvariant(c));
            else sb.Append(c);
        }
        return sb.ToString();
    }

    // The enums of the responses: their names in number order (the proto enum values).
    private static readonly string[] Orientations = ["ORIENTATION_UNSPECIFIED", "PAGE_UP", "PAGE_RIGHT", "PAGE_DOWN", "PAGE_LEFT"];

    private static readonly string[] BreakTypes = ["TYPE_UNSPECIFIED", "SPACE", "WIDE_SPACE", "HYPHEN"];
    private static readonly string[] HumanReviewStates = ["STATE_UNSPECIFIED", "SKIPPED", "VALIDATION_PASSED", "IN_PROGRESS", "ERROR"];
    private static readonly string[] ProcessorStates = ["STATE_UNSPECIFIED", "ENABLED", "DISABLED", "ENABLING", "DISABLING", "CREATING", "FAILED", "DELETING"];
    internal static readonly string[] BatchStates = ["STATE_UNSPECIFIED", "WAITING", "RUNNING", "SUCCEEDED", "CANCELLING", "CANCELLED", "FAILED"];
    private static readonly string[] LaunchStages = ["LAUNCH_STAGE_UNSPECIFIED", "EARLY_ACCESS", "ALPHA", "BETA", "GA", "DEPRECATED", "PRELAUNCH", "UNIMPLEMENTED"];

    /// <summary>Rewrites enum names to their numbers in a response (for <c>enum-encoding=int</c>), by field and context.</summary>
    public static void ToIntEnums(JsonNode? node, string? parent = null)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (value is JsonValue v && v.TryGetValue<string>(out var s))
                    {
                        var names = name switch
                        {
                            "orientation" => Orientations,
                            "type" when parent == "detectedBreak" => BreakTypes,
                            "state" when parent == "humanReviewStatus" => HumanReviewStates,
                            "state" when parent == "metadata" => BatchStates,
                            "state" when parent == "processor" => ProcessorStates,
                            "launchStage" => LaunchStages,
                            _ => null,
                        };
                        if (names is not null && Array.IndexOf(names, s) is var i and >= 0) obj[name] = i;
                        continue;
                    }
                    ToIntEnums(value, value is JsonArray ? ParentOfItems(name) : name);
                }
                break;
            case JsonArray array:
                foreach (var item in array) ToIntEnums(item, parent);
                break;
        }

        static string ParentOfItems(string arrayName) => arrayName switch
        {
            "processors" => "processor",
            "individualProcessStatuses" => "status",
            "operations" => "operation",
            _ => arrayName,
        };
    }

    /// <summary>Writes a response: camelCase as built, enums as numbers when asked.</summary>
    public static IResult Json(HttpRequest request, JsonNode body, int status = 200)
    {
        if (EnumsAsInts(request)) ToIntEnums(body);
        return Results.Text(body.ToJsonString(), "application/json; charset=utf-8", statusCode: status);
    }
}
