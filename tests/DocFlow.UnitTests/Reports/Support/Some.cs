using DocFlow.Documents;
using DocFlow.Reports;

namespace DocFlow.UnitTests.Reports.Support;

/// <summary>Test data builders for documents with entities and tables, and report rows.</summary>
internal static class Some
{
    public static Entity Text(string type, string text, float confidence = 0.9f) =>
        new() { Type = type, MentionText = text, Confidence = confidence };

    public static Entity Money(string type, decimal amount, string currency, float confidence = 0.9f)
    {
        var units = (long)decimal.Truncate(amount);
        return new Entity
        {
            Type = type,
            MentionText = $"{amount:0.00} {currency}",
            Confidence = confidence,
            NormalizedValue = new NormalizedValue
            {
                Text = $"{amount:0.00} {currency}",
                MoneyValue = new Money { CurrencyCode = currency, Units = units, Nanos = (int)((amount - units) * 1_000_000_000m) },
            },
        };
    }

    public static Entity Date(string type, int year, int month, int day) => new()
    {
        Type = type,
        MentionText = $"{day:D2}.{month:D2}.{year}",
        Confidence = 0.95f,
        NormalizedValue = new NormalizedValue { DateValue = new DateValue { Year = year, Month = month, Day = day } },
    };

    /// <summary>An invoice with the usual entities and a line-item table on page 1.</summary>
    public static Document Invoice(string supplier, string invoiceId, decimal net, decimal tax, string currency,
        IReadOnlyList<string[]>? lines = null)
    {
        lines ??= [["Consulting", "2", "450.00"], ["Travel", "1", "120.50"]];
        return new Document
        {
            MimeType = "application/pdf",
            Text = $"{supplier}\nInvoice {invoiceId}\n",
            Entities =
            [
                Text("document_type", "invoice"),
                Text("supplier_name", supplier),
                Text("receiver_name", "Müller & Söhne GmbH"),
                Text("invoice_id", invoiceId),
                Date("invoice_date", 2025, 3, 14),
                Date("due_date", 2025, 4, 13),
                Money("net_amount", net, currency),
                Money("total_tax_amount", tax, currency),
                Money("total_amount", net + tax, currency),
                Text("currency", currency),
                Text("email", "billing@example.com"),
            ],
            Pages =
            [
                new Page
                {
                    PageNumber = 1,
                    Tables = [Table(["Item", "Qty", "Amount"], lines)],
                    FormFields = [Field("Payment terms", "30 days net")],
                },
            ],
        };
    }

    public static Table Table(string[] header, IReadOnlyList<string[]> body) => new()
    {
        HeaderRows = [Row(header)],
        BodyRows = [.. body.Select(Row)],
    };

    private static TableRow Row(string[] cells) =>
        new() { Cells = [.. cells.Select(c => new TableCell { Layout = new Layout { TextAnchor = new TextAnchor { Content = c } } })] };

    public static FormField Field(string name, string value) => new()
    {
        FieldName = new Layout { TextAnchor = new TextAnchor { Content = name } },
        FieldValue = new Layout { TextAnchor = new TextAnchor { Content = value } },
    };

    public static ResultRow Row(string file, string status = "succeeded", string? type = "invoice", int pages = 1, int ocrPages = 0,
        long ms = 100, long finishedAtMs = 0, KeyFields? fields = null, string? errorCode = null, string? errorMessage = null) => new()
    {
        File = file,
        Status = status,
        DocumentType = status == "failed" ? null : type,
        MimeType = "application/pdf",
        Pages = pages,
        OcrPages = ocrPages,
        Milliseconds = ms,
        FinishedAtMs = finishedAtMs,
        Fields = fields,
        ErrorCode = errorCode,
        ErrorMessage = errorMessage,
        Output = status == "failed" ? null : file + ".json",
    };

    public static KeyFields Fields(string supplier, decimal total, string currency, string? invoiceId = null) =>
        new() { Supplier = supplier, TotalAmount = total, Currency = currency, InvoiceId = invoiceId };

    /// <summary>A report over rows whose documents come from <paramref name="documents"/> by file name.</summary>
    public static BatchReport Report(IReadOnlyList<ResultRow> rows, IReadOnlyDictionary<string, Document>? documents = null, string? directory = null) => new()
    {
        OutputDirectory = directory ?? Path.GetTempPath(),
        StartedAt = new DateTimeOffset(2025, 3, 14, 9, 0, 0, TimeSpan.Zero),
        FinishedAt = new DateTimeOffset(2025, 3, 14, 9, 0, 12, TimeSpan.Zero),
        ElapsedMs = Math.Max(1000, rows.Select(r => r.FinishedAtMs).DefaultIfEmpty(0).Max()),
        Slots = 2,
        Rows = rows,
        DocumentOf = r => documents?.GetValueOrDefault(r.File),
    };
}
