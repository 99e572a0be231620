using DocFlow.Documents;
using DocFlow.Engine.Extraction.Classification;
using DocFlow.UnitTests.Engine.Extraction.Entities;

namespace DocFlow.UnitTests.Engine.Extraction.Classification;

public sealed class DocumentTypeEnricherTests
{
    private static Entity Classify(TestPages pages)
    {
        var document = pages.Build();
        new DocumentTypeEnricher().Enrich(document, pages.Layouts(), CancellationToken.None);
        return Assert.Single(document.Entities!, e => e.Type == "document_type");
    }

    private const string Prose = "The parties reviewed the figures in detail and agreed on the next steps for the coming months.";

    [Fact]
    public void Classify_ANarrowPageWithTotalsAndCard_IsAReceipt()
    {
        var e = Classify(new TestPages().Page(400, 1400).Lines(50, "CORNER SHOP", "Milk 1.20", "Bread 2.10", "Eggs 3.40", "TOTAL 6.70", "VISA ending 1234", "Thank you for shopping with us!"));
        Assert.Equal("receipt", e.MentionText);
        Assert.InRange(e.Confidence, 0.4f, 1f);
    }

    [Fact]
    public void Classify_PaymentWordsOnAmountLines_AreTillEvidence()
    {
        // A letter-size till slip: no "receipt" word, its cash and change lines carry amounts.
        var e = Classify(new TestPages().Page().Lines(50, "MINI MARKET", "Bread 2.10", "Milk 1.20", "TOTAL 3.30", "CASH 5.00", "CHANGE 1.70"));
        Assert.Equal("receipt", e.MentionText);
    }

    [Fact]
    public void Classify_ChangeRequestForm_IsNotAReceipt()
    {
        // "Change" as an everyday word (a change request), with labels to fill in and no amount beside it.
        var e = Classify(new TestPages().Page().Lines(50, "CHANGE OF AUTHORIZED COST", "Date:", "Brand:", "Reason for change", "Change requested by:",
            "Change approved by:", "Cash flow impact: see attached", "Card file updated"));
        Assert.NotEqual("receipt", e.MentionText);
    }

    [Fact]
    public void Classify_InvoiceHeadingBillToAndLineItems_IsAnInvoice() =>
        Assert.Equal("invoice", Classify(new TestPages().Page().Lines(50, "Acme Ltd", "INVOICE", "Invoice number: 42", "Bill to:", "Client Co", "Widget 2 10.00 20.00", "Gadget 1 5.00 5.00", "Subtotal 25.00", "VAT 5.00", "Total 30.00")).MentionText);

    [Fact]
    public void Classify_SalutationAndClosing_IsALetter() =>
        Assert.Equal("letter", Classify(new TestPages().Page().Lines(50, "Dear Mr Smith,", Prose, Prose, Prose, "Kind regards,", "Jane Doe")).MentionText);

    [Fact]
    public void Classify_LabelsAndCheckboxes_IsAForm() =>
        Assert.Equal("form", Classify(new TestPages().Page().Lines(50, "APPLICATION FORM", "Full name:", "Date of birth:", "Address:", "Phone:", "☐ Adult", "☑ Junior", "Signature of applicant:")).MentionText);

    [Fact]
    public void Classify_NumberedSectionsOverSeveralPages_IsAReport()
    {
        var pages = new TestPages();
        for (var p = 0; p < 3; p++)
            pages.Page().Lines(50, $"{p + 1}. Results and analysis", Prose, Prose, Prose, Prose, $"Page {p + 1} of 3");
        Assert.Equal("report", Classify(pages).MentionText);
    }

    [Fact]
    public void Classify_AMemo_IsOther() =>
        Assert.Equal("other", Classify(new TestPages().Page().Lines(50, "MEMORANDUM", "To: All staff", "From: Operations", "Subject: Stock take", Prose, Prose)).MentionText);

    [Fact]
    public void Classify_ConfidenceIsAProbability()
    {
        var e = Classify(new TestPages().Page().Lines(50, "hello"));
        Assert.InRange(e.Confidence, 1f / DocumentTypeEnricher.Types.Length, 1f);
    }
}
