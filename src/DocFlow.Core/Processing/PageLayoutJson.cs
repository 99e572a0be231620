using System.Text.Json;
using System.Text.Json.Serialization;
using DocFlow.Documents;

namespace DocFlow.Processing;

/// <summary>Page layouts as JSON, the form in which a part of a split job keeps its pages until the job is finished.</summary>
/// <remarks>Floats are written in their shortest round-trip form, so layouts read back are equal to those written
/// and the finished Document is the same as one made in one piece.</remarks>
public static class PageLayoutJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        // Confidences and boxes come from native code; a NaN must not make a part unstorable.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        IgnoreReadOnlyProperties = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Serialize(IReadOnlyList<PageLayout> layouts) => JsonSerializer.Serialize(layouts, Options);

    public static IReadOnlyList<PageLayout> Deserialize(string json) =>
        JsonSerializer.Deserialize<List<PageLayout>>(json, Options) ?? throw new JsonException("Page layouts are null.");
}
