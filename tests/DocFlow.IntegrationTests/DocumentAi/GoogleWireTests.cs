using System.Text.Json;
using System.Text.Json.Nodes;
using DocFlow.Server.DocumentAi;

namespace DocFlow.IntegrationTests.DocumentAi;

/// <summary>The proto3 JSON rules of the Document AI surface, piece by piece (no server).</summary>
public sealed class GoogleWireTests
{
    [Fact]
    public void Fields_AreFoundByCamelOrSnakeCaseName_AndNullIsAbsent()
    {
        var json = JsonDocument.Parse("""{"rawDocument": {"mime_type": "application/pdf"}, "skip_human_review": true, "fieldMask": null}""").RootElement;
        Assert.Equal("application/pdf", json.Field("rawDocument")!.Value.String("mimeType"));
        Assert.True(json.Bool("skipHumanReview"));
        Assert.Null(json.Field("fieldMask"));
        Assert.Throws<GoogleStatusException>(() => JsonDocument.Parse("""{"imagelessMode": "yes"}""").RootElement.Bool("imagelessMode"));
    }

    [Theory]
    [InlineData("""{"state": 1}""", "SKIPPED")]
    [InlineData("""{"state": "VALIDATION_PASSED"}""", "VALIDATION_PASSED")]
    public void Enums_AreReadByNameOrNumber(string json, string expected) =>
        Assert.Equal(expected, JsonDocument.Parse(json).RootElement.Enum("state", ["STATE_UNSPECIFIED", "SKIPPED", "VALIDATION_PASSED"]));

    [Fact]
    public void Int32_IsReadFromANumberOrAString()
    {
        Assert.Equal(3, JsonDocument.Parse("""{"fromStart": 3}""").RootElement.Int("fromStart"));
        Assert.Equal(3, JsonDocument.Parse("""{"from_start": "3"}""").RootElement.Int("fromStart"));
        Assert.Throws<GoogleStatusException>(() => JsonDocument.Parse("""{"fromStart": 1.5}""").RootElement.Int("fromStart"));
    }

    [Fact]
    public void IntEnumEncoding_RewritesEveryResponseEnum_ByItsContext()
    {
        var node = JsonNode.Parse("""
            {"document": {"pages": [{"tokens": [{"layout": {"orientation": "PAGE_UP"}, "detectedBreak": {"type": "SPACE"}}]}]},
             "humanReviewStatus": {"state": "SKIPPED"},
             "operations": [{"metadata": {"state": "CANCELLED", "individualProcessStatuses": [{"humanReviewStatus": {"state": "SKIPPED"}}]}}],
             "processors": [{"state": "ENABLED", "type": "OCR_PROCESSOR"}],
             "processorTypes": [{"launchStage": "GA"}]}
            """)!;
        GoogleWire.ToIntEnums(node);
        Assert.Equal(1, (int)node["document"]!["pages"]![0]!["tokens"]![0]!["layout"]!["orientation"]!);
        Assert.Equal(1, (int)node["document"]!["pages"]![0]!["tokens"]![0]!["detectedBreak"]!["type"]!);
        Assert.Equal(1, (int)node["humanReviewStatus"]!["state"]!);
        Assert.Equal(5, (int)node["operations"]![0]!["metadata"]!["state"]!);
        Assert.Equal(1, (int)node["operations"]![0]!["metadata"]!["individualProcessStatuses"]![0]!["humanReviewStatus"]!["state"]!);
        Assert.Equal(1, (int)node["processors"]![0]!["state"]!);
        Assert.Equal("OCR_PROCESSOR", (string)node["processors"]![0]!["type"]!); // a string field, not an enum
        Assert.Equal(4, (int)node["processorTypes"]![0]!["launchStage"]!);
    }

    [Fact]
    public void FieldMask_KeepsOnlyItsPaths_ThroughArrays()
    {
        var node = JsonNode.Parse("""{"text": "a", "mimeType": "x", "pages": [{"pageNumber": 1, "tokens": []}, {"pageNumber": 2}], "entities": [{"type": "t"}]}""")!;
        var masked = ProcessorOutput.Mask(node, "text, pages.page_number");
        Assert.Equal("""{"text":"a","pages":[{"pageNumber":1},{"pageNumber":2}]}""", masked.ToJsonString());
    }

    [Theory]
    [InlineData("""{"individualPageSelector": {"pages": [3, 1]}}""", "3,1")]
    [InlineData("""{"individual_page_selector": {"pages": ["2"]}}""", "2")]
    [InlineData("""{"fromStart": 2}""", "first:2")]
    [InlineData("""{"from_end": 1}""", "last:1")]
    [InlineData("""{"ocrConfig": {"enableNativePdfParsing": true}}""", null)]
    public void PageSelectors_BecomeAPageSelection(string json, string? expected) =>
        Assert.Equal(expected, DocumentAiApi.PagesOf(JsonDocument.Parse(json).RootElement)?.ToString());

    [Theory]
    [InlineData("""{"individualPageSelector": {"pages": []}}""")]
    [InlineData("""{"individualPageSelector": {"pages": [0]}}""")]
    [InlineData("""{"fromStart": 0}""")]
    [InlineData("""{"fromStart": 1, "individualPageSelector": {"pages": [1]}}""")]
    public void BadPageSelectors_AreInvalidArgument(string json)
    {
        var e = Assert.Throws<GoogleStatusException>(() => DocumentAiApi.PagesOf(JsonDocument.Parse(json).RootElement));
        Assert.Equal((400, "INVALID_ARGUMENT"), (e.HttpStatus, e.Status));
    }

    [Theory]
    [InlineData(400, "INVALID_ARGUMENT")]
    [InlineData(401, "UNAUTHENTICATED")]
    [InlineData(403, "PERMISSION_DENIED")]
    [InlineData(404, "NOT_FOUND")]
    [InlineData(413, "INVALID_ARGUMENT")]
    [InlineData(429, "RESOURCE_EXHAUSTED")]
    [InlineData(500, "INTERNAL")]
    [InlineData(503, "UNAVAILABLE")]
    [InlineData(504, "DEADLINE_EXCEEDED")]
    public void HttpCodes_MapToTheCanonicalStatus(int http, string status) => Assert.Equal(status, GoogleWire.StatusOf(http));
}
