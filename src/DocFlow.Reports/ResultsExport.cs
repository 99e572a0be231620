using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DocFlow.Reports;

/// <summary>results.csv (RFC 4180) and results.json: one row per document.</summary>
/// <remarks>
/// Formula injection (CWE-1236): a spreadsheet runs a cell that starts with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab
/// or a carriage return as a formula. Every text column (file name, status, type, extracted values, error message) goes
/// through <see cref="Neutralise"/>, which prefixes such a value with a single quote (OWASP's advice); the numeric
/// columns (pages, ocr_pages, ms, net, tax, total, cost) are written by DocFlow from numbers with the invariant culture, are
/// never neutralised, and so a negative amount such as <c>-12.50</c> stays a number.
/// </remarks>
public static class ResultsExport
{
    public const string CsvFileName = "results.csv";
    public const string JsonFileName = "results.json";

    public static readonly IReadOnlyList<string> CsvColumns =
    [
        "file", "status", "type", "pages", "ocr_pages", "ms", "supplier", "invoice_id", "date", "due_date",
        "net", "tax", "total", "currency", "error_code", "error_message", "engine", "cost",
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
                Text(r.File), Text(r.Status), Text(r.DocumentType), Int(r.Pages), Int(r.OcrPages), r.Milliseconds.ToString(CultureInfo.InvariantCulture),
                Text(f?.Supplier), Text(f?.InvoiceId), Text(f?.InvoiceDate ?? f?.ReceiptDate), Text(f?.DueDate),
                Money(f?.NetAmount), Money(f?.TaxAmount), Money(f?.TotalAmount), Text(f?.Currency),
                Text(r.ErrorCode), Text(r.ErrorMessage), Text(r.Engine), r.Cost?.ToString("0.00######", CultureInfo.InvariantCulture),
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

    /// <summary>The characters that make a spreadsheet read a cell as a formula when they come first (OWASP CSV injection).</summary>
    public static readonly SearchValues<char> FormulaTriggers = SearchValues.Create("=+-@\t\r");

    /// <summary>A text cell made inert: a value starting with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage
    /// return gets a leading single quote (shown as text, the rest unchanged); anything else is returned as is.
    /// RFC 4180 quoting (<see cref="Quote"/>) is applied after this.</summary>
    public static string? Neutralise(string? text) =>
        string.IsNullOrEmpty(text) || !FormulaTriggers.Contains(text[0]) ? text : "'" + text;

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

    private static string? Text(string? value) => Neutralise(value);

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
