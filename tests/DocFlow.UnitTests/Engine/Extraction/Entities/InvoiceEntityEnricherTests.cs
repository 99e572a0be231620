using DocFlow.Documents;
using DocFlow.Engine.Extraction.Classification;
using DocFlow.Engine.Extraction.Entities;

namespace DocFlow.UnitTests.Engine.Extraction.Entities;

public sealed class InvoiceEntityEnricherTests
{
    private static Document Enrich(TestPages pages)
    {
        var document = pages.Build();
        var layouts = pages.Layouts();
        new GenericEntityEnricher().Enrich(document, layouts, CancellationToken.None);
        new DocumentTypeEnricher().Enrich(document, layouts, CancellationToken.None);
        new InvoiceEntityEnricher().Enrich(document, layouts, CancellationToken.None);
        return document;
    }

    private static string? Value(Document d, string type) => d.Entities!.FirstOrDefault(e => e.Type == type)?.NormalizedValue?.Text;

    private static TestPages Invoice() => new TestPages().Page()
        .Line(60, 34, (50, "Ashcombe Print & Design Ltd"))
        .Lines(110, "Unit 7, Millbrook Trading Estate, Leeds LS12 6HP", "Phone: +44 113 496 0821", "INVOICE")
        .Line(230, 20, (50, "Invoice No."), (600, "Date:"), (700, "3 Feb 2026"))
        .Line(260, 20, (50, "# INV-0042"), (600, "Due:"), (700, "17/02/2026"))
        .Lines(310, "Bill to:", "Hollis & Marsh Architects", "42 Wellington Road", "Harrogate HG1 2DX")
        .Line(450, 20, (50, "Description"), (500, "Qty"), (800, "Amount"))
        .Line(480, 20, (50, "Letterhead design"), (500, "6"), (800, "1,560.00"))
        .Line(510, 20, (50, "Courier"), (500, "1"), (800, "60.00"))
        .Line(560, 20, (500, "Subtotal")).Line(560, 20, (800, "£1,620.00"))
        .Line(590, 20, (500, "VAT 20%")).Line(590, 20, (800, "£324.00"))
        .Line(620, 20, (500, "T0TAL DUE")).Line(620, 20, (800, "£1,944.0O"));

    [Fact]
    public void Enrich_PairsLabelsAndValuesByGeometry()
    {
        var d = Enrich(Invoice());
        Assert.Equal("invoice", Value(d, "document_type"));
        Assert.Equal("Ashcombe Print & Design Ltd", Value(d, "supplier_name"));
        Assert.Equal("Unit 7, Millbrook Trading Estate, Leeds LS12 6HP", Value(d, "supplier_address"));
        Assert.Equal("INV-0042", Value(d, "invoice_id"));
        Assert.Equal("2026-02-03", Value(d, "invoice_date"));
        Assert.Equal("2026-02-17", Value(d, "due_date"));
        Assert.Equal("Hollis & Marsh Architects", Value(d, "receiver_name"));
        Assert.Equal("1620.00", Value(d, "net_amount"));
        Assert.Equal("324.00", Value(d, "total_tax_amount"));
        Assert.Equal("1944.00", Value(d, "total_amount"));
        Assert.Equal("GBP", Value(d, "currency"));
        // net + tax = total: the amounts vouch for each other.
        Assert.True(d.Entities!.Single(e => e.Type == "total_amount").Confidence > 0.9f);
    }

    [Fact]
    public void Enrich_TakesTheAmountUnderALabelStandingAloneInItsColumn()
    {
        var d = Enrich(new TestPages().Page()
            .Line(60, 30, (50, "GREEN LEAF MARKET"))
            .Lines(110, "Receipt", "Cash sale 12.00", "Card 3.00")
            .Line(300, 20, (600, "Amount due"))
            .Line(330, 20, (600, "$15.00")));
        Assert.Equal("15.00", Value(d, "total_amount"));
        Assert.Equal("USD", Value(d, "currency"));
    }

    [Fact]
    public void Enrich_SumsTaxLinesOfSeveralRates()
    {
        var d = Enrich(new TestPages().Page().Lines(60, "BISTRO LUMEN", "Receipt 04.05.2026 15:48", "Net 100.00", "VAT 7% 3.50", "VAT 19% 9.50", "TOTAL 113.00 €"));
        Assert.Equal("13.00", Value(d, "total_tax_amount"));
        Assert.Equal("2026-05-04", Value(d, "receipt_date"));
        Assert.Equal("113.00", Value(d, "total_amount"));
    }

    [Fact]
    public void Enrich_DoesNotTakeVatIdsOrInvoiceHeadingsForValues()
    {
        var d = Enrich(new TestPages().Page().Lines(60, "Nordwind GmbH", "VAT ID: DE136695976", "INVOICE", "Invoice number: NW-2026-3914", "Payment terms: 14 days net", "Total 50.00 EUR"));
        Assert.Null(Value(d, "total_tax_amount"));
        Assert.Null(Value(d, "net_amount"));
        Assert.Equal("NW-2026-3914", Value(d, "invoice_id"));
        Assert.Equal("50.00", Value(d, "total_amount"));
    }

    [Fact]
    public void Enrich_OnALetter_StillGuessesSupplierAndDate_WithLowConfidence()
    {
        var d = Enrich(new TestPages().Page().Lines(60, "Harbor & Finch LLP", "June 23, 2026", "Dear Ms. Brandt,",
            "Thank you for meeting with us last week to discuss the renewal of your lease and the terms.",
            "Please let us know by July 14, 2026 whether you would like us to negotiate these points for you.", "Sincerely,", "Daniel Reyes"));
        Assert.Equal("letter", Value(d, "document_type"));
        // The type never blocks extraction; the confidence says how little the layout vouches for the guess.
        Assert.Equal("Harbor & Finch LLP", Value(d, "supplier_name"));
        Assert.True(d.Entities!.Single(e => e.Type == "supplier_name").Confidence < 0.6f);
        Assert.Equal("2026-06-23", Value(d, "invoice_date"));
        Assert.True(d.Entities!.Single(e => e.Type == "invoice_date").Confidence < 0.5f);
    }
}
