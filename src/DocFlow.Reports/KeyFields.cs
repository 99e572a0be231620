using System.Globalization;
using DocFlow.Documents;

namespace DocFlow.Reports;

/// <summary>The few fields of a document a batch is usually about (who, which invoice, when, how much),
/// taken from its entities so that summaries, CSV and reports need not reread every Document.</summary>
public sealed class KeyFields
{
    public string? Supplier { get; set; }
    public string? Receiver { get; set; }
    public string? InvoiceId { get; set; }
    /// <summary>ISO date (yyyy-MM-dd) when normalised, else the text as found.</summary>
    public string? InvoiceDate { get; set; }
    public string? ReceiptDate { get; set; }
    public string? DueDate { get; set; }
    public decimal? NetAmount { get; set; }
    public decimal? TaxAmount { get; set; }
    public decimal? TotalAmount { get; set; }
    /// <summary>ISO 4217 code: the total's currency, else the net's or tax's, else the <c>currency</c> entity.</summary>
    public string? Currency { get; set; }

    /// <summary>The document type from the <c>document_type</c> entity (invoice, receipt, form, letter, report, other).</summary>
    public static string? DocumentTypeOf(Document document) => Best(document, "document_type") is { } e ? TextOf(e) : null;

    /// <summary>Key fields of a document, from the most confident entity of each type; null when it has none.</summary>
    public static KeyFields? From(Document document)
    {
        if (document.Entities is not { Count: > 0 }) return null;
        var total = Best(document, "total_amount");
        var net = Best(document, "net_amount");
        var tax = Best(document, "total_tax_amount");
        var fields = new KeyFields
        {
            Supplier = Text(document, "supplier_name"),
            Receiver = Text(document, "receiver_name"),
            InvoiceId = Text(document, "invoice_id"),
            InvoiceDate = Date(Best(document, "invoice_date")),
            ReceiptDate = Date(Best(document, "receipt_date")),
            DueDate = Date(Best(document, "due_date")),
            TotalAmount = Amount(total),
            NetAmount = Amount(net),
            TaxAmount = Amount(tax),
            Currency = new[] { total, net, tax }.Select(e => e?.NormalizedValue?.MoneyValue?.CurrencyCode).FirstOrDefault(c => !string.IsNullOrWhiteSpace(c))
                ?? Text(document, "currency")?.ToUpperInvariant(),
        };
        return fields.IsEmpty ? null : fields;
    }

    internal bool IsEmpty =>
        Supplier is null && Receiver is null && InvoiceId is null && InvoiceDate is null && ReceiptDate is null && DueDate is null
        && NetAmount is null && TaxAmount is null && TotalAmount is null && Currency is null;

    /// <summary>google.type.Money as a decimal (units + nanos / 1e9).</summary>
    public static decimal ToDecimal(Money money) => money.Units + money.Nanos / 1_000_000_000m;

    private static Entity? Best(Document document, string type)
    {
        Entity? best = null;
        foreach (var e in document.Entities ?? [])
            if (e.Type == type && (best is null || e.Confidence > best.Confidence)) best = e;
        return best;
    }

    private static string? Text(Document document, string type) => Best(document, type) is { } e ? TextOf(e) : null;

    private static string? TextOf(Entity e)
    {
        var text = e.NormalizedValue?.Text ?? e.MentionText ?? e.TextAnchor?.Content;
        return string.IsNullOrWhiteSpace(text) ? null : text.Trim();
    }

    private static string? Date(Entity? e)
    {
        if (e is null) return null;
        if (e.NormalizedValue?.DateValue is { Year: > 0, Month: >= 1 and <= 12, Day: >= 1 and <= 31 } d)
            return string.Create(CultureInfo.InvariantCulture, $"{d.Year:D4}-{d.Month:D2}-{d.Day:D2}");
        return TextOf(e);
    }

    private static decimal? Amount(Entity? e)
    {
        if (e?.NormalizedValue?.MoneyValue is { } m) return ToDecimal(m);
        return e?.NormalizedValue?.FloatValue is { } f ? (decimal)f : null;
    }
}
