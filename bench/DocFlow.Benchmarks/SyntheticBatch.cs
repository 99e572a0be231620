using DocFlow.Documents;
using DocFlow.Reports;

namespace DocFlow.Benchmarks;

/// <summary>A reproducible batch of synthetic documents: invoices and receipts with realistic names, entities
/// and a small line-item table each, a few failures, spread over a run of a few minutes.</summary>
public static class SyntheticBatch
{
    private static readonly string[] Suppliers =
    [
        "Müller & Söhne GmbH", "Acme Office Supplies Ltd", "Café Zürich AG", "Nordwind Logistik KG", "Blue Harbor Consulting LLC",
        "Société Générale d'Équipement SA", "Kowalski Budownictwo Sp. z o.o.", "Greenfield Farms Inc", "Tanaka Precision Co",
        "Bäckerei Schmidt", "Oakridge Legal Partners LLP", "Pixel & Print Studio", "São Paulo Importadora Ltda",
        "Fjord Energy AS", "Atlas Cloud Services", "Rossi Ristorante Srl",
    ];
    private static readonly string[] Currencies = ["EUR", "EUR", "EUR", "USD", "USD", "GBP", "CHF"];
    private static readonly string[] Items =
    [
        "Consulting services (hours)", "Printer paper A4, 80 g/m²", "Espresso beans 1 kg", "Freight Hamburg – Oslo",
        "Software licence, annual", "Office chairs, ergonomic", "Legal review of contract §4", "Catering for 12 guests",
    ];
    private static readonly string[] Errors = ["corrupt", "unsupported_type", "encrypted", "timeout"];

    public static (IReadOnlyList<ResultRow> Rows, IReadOnlyDictionary<string, Document> Documents) Create(int count, int seed = 42)
    {
        var random = new Random(seed);
        var rows = new List<ResultRow>(count);
        var documents = new Dictionary<string, Document>(count);
        long clock = 0;
        for (var i = 0; i < count; i++)
        {
            var ms = (long)(150 + random.NextDouble() * random.NextDouble() * 6000);
            clock += ms / 4; // four slots
            if (i % 40 == 39)
            {
                var code = Errors[random.Next(Errors.Length)];
                rows.Add(new ResultRow
                {
                    File = $"inbox/2025-03/scan-{i:D5}.pdf", Status = "failed", MimeType = "application/pdf", Milliseconds = ms,
                    FinishedAtMs = clock, ErrorCode = code, ErrorMessage = $"The document could not be read ({code.Replace('_', ' ')}); see the error file.",
                });
                continue;
            }
            var receipt = random.Next(4) == 0;
            var supplier = Suppliers[random.Next(Suppliers.Length)];
            var currency = Currencies[random.Next(Currencies.Length)];
            var lines = Enumerable.Range(0, 2 + random.Next(4)).Select(_ =>
            {
                var qty = 1 + random.Next(9);
                var price = Math.Round((decimal)(random.NextDouble() * 400 + 5), 2);
                return (Item: Items[random.Next(Items.Length)], Qty: qty, Price: price);
            }).ToList();
            var net = lines.Sum(l => l.Qty * l.Price);
            var tax = Math.Round(net * 0.19m, 2);
            var date = new DateOnly(2025, 1, 1).AddDays(random.Next(120));
            var pages = 1 + random.Next(3);
            var ocr = random.Next(3) == 0 ? pages : 0;
            var file = $"inbox/2025-03/{(receipt ? "receipt" : "invoice")}-{i:D5}.{(ocr > 0 ? "png" : "pdf")}";
            var doc = new Document
            {
                MimeType = ocr > 0 ? "image/png" : "application/pdf",
                Entities =
                [
                    Text("document_type", receipt ? "receipt" : "invoice"),
                    Text("supplier_name", supplier),
                    Text("receiver_name", "DocFlow Demo Customer Ltd"),
                    Text(receipt ? "id" : "invoice_id", $"INV-{date:yyyy}-{i:D5}"),
                    Date(receipt ? "receipt_date" : "invoice_date", date),
                    Date("due_date", date.AddDays(30)),
                    Money("net_amount", net, currency),
                    Money("total_tax_amount", tax, currency),
                    Money("total_amount", net + tax, currency),
                    Text("currency", currency),
                    Text("email", "accounts@" + new string([.. supplier.ToLowerInvariant().Where(char.IsAsciiLetter).Take(12)]) + ".example"),
                    Text("phone_number", $"+49 30 {random.Next(1000000, 9999999)}"),
                    Text("address", $"{random.Next(1, 200)} Hauptstraße, 10115 Berlin, Germany"),
                ],
                Pages =
                [
                    new Page
                    {
                        PageNumber = 1,
                        Tables =
                        [
                            new Table
                            {
                                HeaderRows = [Row("Description", "Qty", "Unit price", "Amount")],
                                BodyRows = [.. lines.Select(l => Row(l.Item, l.Qty.ToString(), l.Price.ToString("0.00"), (l.Qty * l.Price).ToString("0.00")))],
                            },
                        ],
                    },
                ],
            };
            documents[file] = doc;
            rows.Add(new ResultRow
            {
                File = file, Status = "succeeded", DocumentType = receipt ? "receipt" : "invoice", MimeType = doc.MimeType,
                Pages = pages, OcrPages = ocr, Milliseconds = ms, FinishedAtMs = clock, Fields = KeyFields.From(doc), Output = file + ".json",
            });
        }
        return (rows, documents);
    }

    public static BatchReport Report(IReadOnlyList<ResultRow> rows, IReadOnlyDictionary<string, Document> documents, string directory) => new()
    {
        OutputDirectory = directory,
        StartedAt = new DateTimeOffset(2025, 3, 14, 9, 0, 0, TimeSpan.Zero),
        FinishedAt = new DateTimeOffset(2025, 3, 14, 9, 0, 0, TimeSpan.Zero).AddMilliseconds(rows.Max(r => r.FinishedAtMs)),
        ElapsedMs = rows.Max(r => r.FinishedAtMs),
        Slots = 4,
        Rows = rows,
        DocumentOf = r => documents.GetValueOrDefault(r.File),
    };

    private static Entity Text(string type, string text) => new() { Type = type, MentionText = text, Confidence = 0.92f };

    private static Entity Date(string type, DateOnly d) => new()
    {
        Type = type, MentionText = d.ToString("dd.MM.yyyy"), Confidence = 0.95f,
        NormalizedValue = new NormalizedValue { DateValue = new DateValue { Year = d.Year, Month = d.Month, Day = d.Day } },
    };

    private static Entity Money(string type, decimal amount, string currency)
    {
        var units = (long)decimal.Truncate(amount);
        return new Entity
        {
            Type = type, MentionText = $"{amount:0.00} {currency}", Confidence = 0.9f,
            NormalizedValue = new NormalizedValue
            {
                Text = $"{amount:0.00} {currency}",
                MoneyValue = new Money { CurrencyCode = currency, Units = units, Nanos = (int)((amount - units) * 1_000_000_000m) },
            },
        };
    }

    private static TableRow Row(params string[] cells) =>
        new() { Cells = [.. cells.Select(c => new TableCell { Layout = new Layout { TextAnchor = new TextAnchor { Content = c } } })] };
}
