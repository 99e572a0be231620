using System.Text.Json.Nodes;
using DocFlow.Documents;

namespace DocFlow.UnitTests.Documents;

public sealed class DocumentJsonTests
{
    // Shaped like the output of Google Cloud Document AI (form parser / invoice parser): proto3 JSON,
    // int64 indices as strings, startIndex 0 omitted, enums by name.
    private const string GoogleShaped = """
    {
      "mimeType": "application/pdf",
      "text": "Invoice INV-001\nTotal: $1,234.50\n",
      "pages": [
        {
          "pageNumber": 1,
          "dimension": { "width": 1700, "height": 2200, "unit": "pixels" },
          "layout": {
            "textAnchor": { "textSegments": [ { "endIndex": "33" } ] },
            "confidence": 0.98,
            "boundingPoly": {
              "vertices": [ {}, { "x": 1700 }, { "x": 1700, "y": 2200 }, { "y": 2200 } ],
              "normalizedVertices": [ {}, { "x": 1 }, { "x": 1, "y": 1 }, { "y": 1 } ]
            },
            "orientation": "PAGE_UP"
          },
          "detectedLanguages": [ { "languageCode": "en", "confidence": 0.99 } ],
          "tokens": [
            {
              "layout": {
                "textAnchor": { "textSegments": [ { "endIndex": "7" } ] },
                "confidence": 0.97,
                "boundingPoly": { "normalizedVertices": [ { "x": 0.1, "y": 0.05 }, { "x": 0.3, "y": 0.05 }, { "x": 0.3, "y": 0.07 }, { "x": 0.1, "y": 0.07 } ] },
                "orientation": "PAGE_UP"
              },
              "detectedBreak": { "type": "SPACE" }
            }
          ],
          "formFields": [
            {
              "fieldName": { "textAnchor": { "textSegments": [ { "startIndex": "16", "endIndex": "22" } ], "content": "Total:" }, "confidence": 0.9 },
              "fieldValue": { "textAnchor": { "textSegments": [ { "startIndex": "23", "endIndex": "32" } ], "content": "$1,234.50" }, "confidence": 0.9 }
            }
          ]
        }
      ],
      "entities": [
        {
          "textAnchor": { "textSegments": [ { "startIndex": "23", "endIndex": "32" } ], "content": "$1,234.50" },
          "type": "total_amount",
          "mentionText": "$1,234.50",
          "confidence": 0.95,
          "pageAnchor": { "pageRefs": [ { "page": "1", "confidence": 0.95 } ] },
          "id": "0",
          "normalizedValue": { "moneyValue": { "currencyCode": "USD", "units": "1234", "nanos": 500000000 }, "text": "1234.50" }
        },
        {
          "type": "invoice_date",
          "mentionText": "15 JAN 2018",
          "normalizedValue": { "dateValue": { "year": 2018, "month": 1, "day": 15 }, "text": "2018-01-15" }
        }
      ]
    }
    """;

    [Fact]
    public void RoundTrip_GoogleShapedDocument_IsUnchanged()
    {
        var document = DocumentJson.Deserialize(GoogleShaped);
        var written = DocumentJson.Serialize(document);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(GoogleShaped), JsonNode.Parse(written)),
            $"round trip changed the JSON:\n{written}");
    }

    [Fact]
    public void Deserialize_GoogleShapedDocument_ReadsStringIndicesAndEnums()
    {
        var document = DocumentJson.Deserialize(GoogleShaped);

        var total = document.Entities![0];
        Assert.Equal("$1,234.50", DocumentAssembler.TextOf(document, total.TextAnchor));
        Assert.Equal(1234, total.NormalizedValue!.MoneyValue!.Units);
        Assert.Equal(Orientation.PageUp, document.Pages![0].Layout!.Orientation);
        Assert.Equal(BreakType.Space, document.Pages[0].Tokens![0].DetectedBreak!.Type);
        Assert.Equal(15, document.Entities[1].NormalizedValue!.DateValue!.Day);
    }

    [Fact]
    public void Serialize_WritesCamelCaseInt64AsStringsAndOmitsDefaults()
    {
        var document = new Document
        {
            Text = "ab\n",
            Pages = [new Page { PageNumber = 1, Tokens = [new Token { Layout = new Layout { TextAnchor = new TextAnchor { TextSegments = [new TextSegment { StartIndex = 0, EndIndex = 2 }] } } }] }],
        };

        var json = DocumentJson.Serialize(document);

        Assert.Contains("\"textSegments\":[{\"endIndex\":\"2\"}]", json);
        Assert.DoesNotContain("startIndex", json);
        Assert.DoesNotContain("entities", json);
        Assert.DoesNotContain("confidence", json);
        Assert.StartsWith("{\"text\":", json);
    }
}
