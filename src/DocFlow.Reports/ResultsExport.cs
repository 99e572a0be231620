using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DocFlow.Reports;

/// <summary>results.csv (RFC 4180) and results.json: one row per document.</summary>
public static class ResultsExport
{
    public const string CsvFileName = "results.csv";
    public const string JsonFileName = "results.json";

    public static readonly IReadOnlyList<string> CsvColumns =
    [
        "file", "status", "type", "pages", "ocr_pages", "ms", "supplier", "invoice_id", "date", "due_date",
        "net", "tax", "total", "currency", "error_code", "error_message",
    ];

    /// <summary>Writes the header and one record per row, CRLF line ends, fields quoted when they must be.</summary>
    public static void WriteCsv(IEnumerable<ResultRow> rows, TextWriter writer)
    {
        WriteRecord(writer, CsvColumns);
        foreach (var r in rows)
        {
            var f = r.Fields;
            WriteRecord(writer,
            [
                r.File, r.Status, r.DocumentType, Int(r.Pages), Int(r.OcrPages), r.Milliseconds.ToString(CultureInfo.InvariantCulture),
                f?.Supplier, f?.InvoiceId, f?.InvoiceDate ?? f?.ReceiptDate, f?.DueDate,
                Money(f?.NetAmount), Money(f?.TaxAmount), Money(f?.TotalAmount), f?.Currency,
                r.ErrorCode, r.ErrorMessage,
            ]);
        }
    }

    public static string ToCsv(IEnumerable<ResultRow> rows)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        WriteCsv(rows, writer);
        return writer.ToString();
    }

    /// <summary>RFC 4180: a field with a comma, quote, CR or LF is enclosed in quotes, quotes doubled.</summary>
    public static string Quote(string? field)
    {
        if (string.IsNullOrEmpty(field)) return "";
        return field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    public static Task WriteJsonAsync(IReadOnlyList<ResultRow> rows, Stream stream, CancellationToken cancellationToken) =>
        JsonSerializer.SerializeAsync(stream, rows, ReportsJsonContext.Default.IReadOnlyListResultRow, cancellationToken);

    /// <summary>UTF-8 without a byte order mark (spreadsheets detect it; many CSV readers choke on a BOM).</summary>
    internal static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    private static void WriteRecord(TextWriter writer, IReadOnlyList<string?> fields)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0) writer.Write(',');
            writer.Write(Quote(fields[i]));
        }
        writer.Write("\r\n");
    }

    private static string Int(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string? Money(decimal? d) => d?.ToString("0.00##", CultureInfo.InvariantCulture);
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(IReadOnlyList<ResultRow>))]
[JsonSerializable(typeof(BatchAggregate))]
internal sealed partial class ReportsJsonContext : JsonSerializerContext;
