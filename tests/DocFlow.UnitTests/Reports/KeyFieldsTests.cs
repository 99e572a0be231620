using DocFlow.Documents;
using DocFlow.Reports;
using DocFlow.UnitTests.Reports.Support;

namespace DocFlow.UnitTests.Reports;

public sealed class KeyFieldsTests
{
    [Fact]
    public void From_TakesNormalisedValues_OfTheMostConfidentEntity()
    {
        var doc = Some.Invoice("Acme GmbH", "INV-1", 100m, 19.99m, "EUR");
        doc.Entities!.Add(Some.Text("supplier_name", "Acme (low confidence)", confidence: 0.1f));

        var f = KeyFields.From(doc)!;

        Assert.Equal("Acme GmbH", f.Supplier);
        Assert.Equal("INV-1", f.InvoiceId);
        Assert.Equal("2025-03-14", f.InvoiceDate);
        Assert.Equal("2025-04-13", f.DueDate);
        Assert.Equal(119.99m, f.TotalAmount);
        Assert.Equal(19.99m, f.TaxAmount);
        Assert.Equal("EUR", f.Currency);
        Assert.Equal("invoice", KeyFields.DocumentTypeOf(doc));
    }

    [Fact]
    public void From_UsesTheCurrencyEntity_WhenAmountsHaveNoCode()
    {
        var doc = new Document { Entities = [Some.Text("currency", "chf"), Some.Text("receipt_date", "2 Jan 2025")] };

        var f = KeyFields.From(doc)!;

        Assert.Equal("CHF", f.Currency);
        Assert.Equal("2 Jan 2025", f.ReceiptDate);
    }

    [Fact]
    public void From_DocumentWithoutKeyEntities_IsNull() =>
        Assert.Null(KeyFields.From(new Document { Entities = [Some.Text("email", "a@b.c")] }));
}
