namespace DocFlow.Samples;

internal sealed record InvoiceSpec(
    string SupplierName,
    string SupplierAddress,
    string SupplierPhone,
    string SupplierEmail,
    string VatId,
    string InvoiceId,
    DateOnly InvoiceDate,
    DateOnly DueDate,
    string DateFormat,
    string ReceiverName,
    string[] ReceiverAddress,
    (string Description, int Qty, decimal Unit)[] Items,
    decimal TaxRate,
    string Symbol,
    string Currency,
    string BankName,
    string Iban,
    string Bic);

internal static class Invoices
{
    public static InvoiceSpec EuroScan(Random rng)
    {
        (string, decimal)[] catalogue =
        [
            ("Ergonomic office chair", 289.00m), ("Standing desk frame", 412.50m), ("Dual monitor arm", 96.90m),
            ("LED desk lamp", 54.20m), ("Cable management kit", 18.75m), ("Whiteboard 120 x 90 cm", 139.00m),
            ("Installation service (hours)", 68.00m), ("Acoustic desk divider", 121.40m),
        ];
        var items = Fmt.Pick(rng, catalogue, 5).Select(c => (c.Item1, rng.Next(1, 13), c.Item2)).ToArray();
        var date = Fmt.DateIn2026(rng, 20, 300);
        return new InvoiceSpec(
            "Nordwind Buerotechnik GmbH", "Hafenstrasse 12, 20457 Hamburg, Germany", "+49 40 3187 2290",
            "billing@nordwind-buero.example", Fmt.GermanVatId(rng), "NW-2026-" + Fmt.Digits(rng, 4),
            date, date.AddDays(30), "dd.MM.yyyy",
            "Lindqvist Baumarkt AG", ["Attn: Accounts Payable", "Industriestrasse 48", "70565 Stuttgart"],
            items, 0.19m, "€", "EUR", "Hamburger Sparkasse",
            Fmt.Iban("DE", "20050550" + Fmt.Digits(rng, 10)), "HASPDEHHXXX");
    }

    public static InvoiceSpec PoundDigital(Random rng)
    {
        (string, decimal)[] catalogue =
        [
            ("Business cards, 500 pcs", 42.00m), ("A5 flyers, 2000 pcs", 118.50m), ("Roll-up banner 85 x 200 cm", 89.00m),
            ("Letterhead design", 260.00m), ("Brochure print run, 250 pcs", 375.00m), ("Courier delivery", 14.95m),
            ("Poster A2, matt", 6.80m), ("Presentation folders, 100 pcs", 96.00m),
        ];
        var items = Fmt.Pick(rng, catalogue, 6).Select(c => (c.Item1, rng.Next(1, 9), c.Item2)).ToArray();
        var date = Fmt.DateIn2026(rng, 20, 300);
        return new InvoiceSpec(
            "Ashcombe Print & Design Ltd", "Unit 7, Millbrook Trading Estate, Leeds LS12 6HP", "+44 113 496 0821",
            "accounts@ashcombe-print.example", Fmt.BritishVatId(rng), "INV-" + Fmt.Digits(rng, 6),
            date, date.AddDays(14), "d MMMM yyyy",
            "Hollis & Marsh Architects", ["42 Wellington Road", "Harrogate HG1 2DX", "United Kingdom"],
            items, 0.20m, "£", "GBP", "Northern Counties Bank",
            Fmt.Iban("GB", "NCBK" + "401276" + Fmt.Digits(rng, 8)), "NCBKGB2L");
    }

    /// <summary>Lays out a one-page invoice and records its truth (fields, entities, table).</summary>
    public static PageLayout Layout(InvoiceSpec s, Sample sample, double width, double height, bool digital)
    {
        var b = new PageBuilder(width, height, margin: 56, top: 40);
        var sans = Face.Sans;
        b.Line(s.SupplierName, Face.SansBold, 18);
        b.Line(s.SupplierAddress, sans, 10.5, lead: 1.6);
        b.Line("Phone: " + s.SupplierPhone, sans, 10.5, lead: 1.4);
        b.Line("Email: " + s.SupplierEmail, sans, 10.5, lead: 1.4);
        b.Line("VAT ID: " + s.VatId, sans, 10.5, lead: 1.4);
        b.Rule(before: 10);
        b.Gap(10);
        b.Line("INVOICE", Face.SansBold, 20, lead: 1.6);
        b.Gap(4);

        var invDate = Fmt.Date(s.InvoiceDate, s.DateFormat);
        var dueDate = Fmt.Date(s.DueDate, s.DateFormat);
        b.LabelValue("Invoice number", s.InvoiceId, valueX: 190);
        b.LabelValue("Invoice date", invDate, valueX: 190);
        b.LabelValue("Due date", dueDate, valueX: 190);
        b.Gap(8);
        b.Line("Bill to:", Face.SansBold, 11);
        b.Line(s.ReceiverName, sans, 11, lead: 1.4);
        foreach (var line in s.ReceiverAddress)
        {
            b.Line(line, sans, 11, lead: 1.4);
        }
        b.Gap(10);

        var size = 10.5;
        Cell[] Cols(string d, string q, string u, string a) =>
            [new(d, b.Margin), new(q, 318, Align.Right), new(u, 420, Align.Right), new(a, b.Right, Align.Right)];
        var header = new[] { "Description", "Qty", "Unit price", "Amount" };
        b.Rule(before: 4);
        b.Cells(Cols(header[0], header[1], header[2], header[3]), Face.SansBold, size, lead: 1.5);
        b.Rule(before: 5);
        var rows = new List<IReadOnlyList<string>>();
        decimal net = 0;
        foreach (var (desc, qty, unit) in s.Items)
        {
            var amount = qty * unit;
            net += amount;
            var row = new[] { desc, qty.ToString(Fmt.Inv), Fmt.Money(unit), Fmt.Money(amount) };
            b.Cells(Cols(row[0], row[1], row[2], row[3]), sans, size, lead: 1.75);
            rows.Add(row);
        }
        b.Rule(before: 7);
        sample.Table(new TruthTable(sample.NextPageNumber, header, rows));

        var tax = Math.Round(net * s.TaxRate, 2, MidpointRounding.AwayFromZero);
        var total = net + tax;
        string Amt(decimal v) => s.Symbol + Fmt.Money(v);
        var pct = (s.TaxRate * 100).ToString("0", Fmt.Inv) + "%";
        b.Cells([new("Subtotal:", 330), new(Amt(net), b.Right, Align.Right)], sans, 11, lead: 1.8);
        b.Cells([new($"VAT {pct}:", 330), new(Amt(tax), b.Right, Align.Right)], sans, 11);
        b.Cells([new($"TOTAL {s.Currency}:", 330), new(Amt(total), b.Right, Align.Right)], Face.SansBold, 12);
        b.Gap(10);
        b.LabelValue("Currency", s.Currency, Face.Sans, Face.Sans);
        b.LabelValue("Payment terms", $"{(s.DueDate.DayNumber - s.InvoiceDate.DayNumber).ToString(Fmt.Inv)} days net", Face.Sans, Face.Sans);
        b.LabelValue("Bank", s.BankName, Face.Sans, Face.Sans);
        b.LabelValue("IBAN", s.Iban, Face.Sans, Face.Sans);
        b.LabelValue("BIC", s.Bic, Face.Sans, Face.Sans);
        b.Gap(12);
        b.Line(digital ? "Thank you for your business. Please quote the invoice number with your payment."
                       : "Thank you for your business.", Face.Sans, 10.5);

        sample.FieldEntity("supplier_name", s.SupplierName, s.SupplierName);
        sample.Entity("supplier_address", s.SupplierAddress, s.SupplierAddress);
        sample.Entity("phone_number", s.SupplierPhone, s.SupplierPhone);
        sample.Entity("email", s.SupplierEmail, s.SupplierEmail);
        sample.Field("supplier_tax_id", s.VatId);
        sample.Entity("id", s.VatId, s.VatId);
        sample.FieldEntity("invoice_id", s.InvoiceId, s.InvoiceId);
        sample.FieldEntity("invoice_date", invDate, Fmt.Iso(s.InvoiceDate));
        sample.FieldEntity("due_date", dueDate, Fmt.Iso(s.DueDate));
        sample.FieldEntity("receiver_name", s.ReceiverName, s.ReceiverName);
        sample.FieldEntity("net_amount", Amt(net), Fmt.Plain(net));
        sample.FieldEntity("total_tax_amount", Amt(tax), Fmt.Plain(tax));
        sample.FieldEntity("total_amount", Amt(total), Fmt.Plain(total));
        sample.FieldEntity("currency", s.Currency, s.Currency);
        sample.Field("iban", s.Iban);
        sample.Entity("id", s.Iban, s.Iban.Replace(" ", "", StringComparison.Ordinal));
        foreach (var (desc, qty, unit) in s.Items)
        {
            sample.Entity("price", Fmt.Money(qty * unit), Fmt.Plain(qty * unit));
        }
        return b.Page;
    }
}
