using DocFlow.Documents;
using DocFlow.Reports;
using DocFlow.Reports.Pdf;
using DocFlow.UnitTests.Reports.Support;
using UglyToad.PdfPig;

namespace DocFlow.UnitTests.Reports;

public sealed class ReportPdfTests
{
    private static (BatchReport Report, int Documents) SampleBatch()
    {
        var documents = new Dictionary<string, Document>
        {
            ["cafe.pdf"] = Some.Invoice("Café Zürich AG", "INV-2025-001", 1000m, 190m, "EUR"),
            ["acme.pdf"] = Some.Invoice("Acme Corporation", "A-77", 50m, 5m, "USD"),
            ["empty.png"] = new Document { MimeType = "image/png", Text = "" },
        };
        var rows = new List<ResultRow>
        {
            Some.Row("cafe.pdf", ms: 900, finishedAtMs: 900, fields: KeyFields.From(documents["cafe.pdf"])),
            Some.Row("acme.pdf", pages: 2, ocrPages: 1, ms: 1500, finishedAtMs: 1600, fields: KeyFields.From(documents["acme.pdf"])),
            Some.Row("empty.png", type: null, ms: 300, finishedAtMs: 1900),
            Some.Row("broken.pdf", status: "failed", ms: 10, finishedAtMs: 1950, errorCode: "corrupt", errorMessage: "The PDF ends before its cross-reference table."),
        };
        return (Some.Report(rows, documents), 3);
    }

    private static byte[] Render(BatchReport report)
    {
        using var stream = new MemoryStream();
        ReportPdf.Render(report, stream, CancellationToken.None);
        return stream.ToArray();
    }

    private static string Words(UglyToad.PdfPig.Content.Page page) => string.Join(" ", page.GetWords().Select(w => w.Text));

    [Fact]
    public void Render_HasCoverChartsOnePagePerDocumentAndAppendix()
    {
        var (report, documents) = SampleBatch();

        var bytes = Render(report);

        Assert.True(bytes.Length > 10_000);
        using var pdf = PdfDocument.Open(bytes);
        Assert.Equal(1 + 1 + documents + 1, pdf.NumberOfPages);
        Assert.Contains("Batch summary", Words(pdf.GetPage(1)));
        Assert.Contains("Charts", Words(pdf.GetPage(2)));
        Assert.Equal(3, pdf.GetPage(2).GetImages().Count());
        Assert.Contains("Error appendix", Words(pdf.GetPage(pdf.NumberOfPages)));
    }

    [Fact]
    public void Render_ShowsKeyValues_WithNonAsciiText()
    {
        var (report, _) = SampleBatch();

        using var pdf = PdfDocument.Open(Render(report));

        var cover = Words(pdf.GetPage(1));
        Assert.Contains("Café Zürich AG", cover);
        Assert.Contains("1,190.00", cover);
        Assert.Contains("p95", cover);
        var invoice = Words(pdf.GetPage(3));
        Assert.Contains("cafe.pdf", invoice);
        Assert.Contains("INV-2025-001", invoice);
        Assert.Contains("2025-04-13", invoice);
        Assert.Contains("Müller & Söhne GmbH", invoice);
        Assert.Contains("Consulting", invoice); // the line-item table
        Assert.Contains("30 days net", invoice); // a form field
        var appendix = Words(pdf.GetPage(pdf.NumberOfPages));
        Assert.Contains("broken.pdf", appendix);
        Assert.Contains("corrupt", appendix);
    }

    [Fact]
    public void Render_EuroSign_IsEmbeddedAsText()
    {
        var doc = Some.Invoice("Bäckerei € Co", "E-1", 10m, 1m, "EUR");
        var report = Some.Report([Some.Row("e.pdf", fields: KeyFields.From(doc))], new Dictionary<string, Document> { ["e.pdf"] = doc });

        using var pdf = PdfDocument.Open(Render(report));

        Assert.Contains("Bäckerei € Co", Words(pdf.GetPage(3)));
    }

    [Fact]
    public void Render_LongText_IsWrappedOrCut_NotOverflowing()
    {
        var longName = string.Concat(Enumerable.Repeat("Extraordinarily Long Supplier Name Holdings ", 30));
        var unbroken = new string('X', 400);
        var doc = Some.Invoice(longName, unbroken, 1m, 0m, "EUR", [[unbroken, longName, "1.00"]]);
        var report = Some.Report([Some.Row(unbroken + ".pdf", fields: KeyFields.From(doc))], new Dictionary<string, Document> { [unbroken + ".pdf"] = doc });

        using var pdf = PdfDocument.Open(Render(report));

        foreach (var page in pdf.GetPages())
        {
            foreach (var letter in page.Letters)
            {
                Assert.InRange(letter.BoundingBox.Left, PdfCanvas.Margin - 1, PdfCanvas.PageWidth - PdfCanvas.Margin + 1);
                Assert.InRange(letter.BoundingBox.Right, PdfCanvas.Margin - 1, PdfCanvas.PageWidth - PdfCanvas.Margin + 1);
            }
        }
        Assert.Contains("…", Words(pdf.GetPage(3)));
    }

    [Fact]
    public void Render_ManyEntities_ContinuesOnAnotherPage()
    {
        var doc = Some.Invoice("Acme", "A-1", 1m, 0m, "EUR");
        doc.Entities!.AddRange(Enumerable.Range(0, 40).Select(i => Some.Text("id", $"ID-{i:D3}")));
        var report = Some.Report([Some.Row("many.pdf", fields: KeyFields.From(doc))], new Dictionary<string, Document> { ["many.pdf"] = doc });

        using var pdf = PdfDocument.Open(Render(report));

        Assert.Equal(5, pdf.NumberOfPages); // cover, charts, the document on two pages, appendix
        Assert.Contains("ID-039", Words(pdf.GetPage(4)));
    }

    [Fact]
    public void Render_EmptyBatch_StillHasCoverChartsAndAppendix()
    {
        using var pdf = PdfDocument.Open(Render(Some.Report([])));
        Assert.Equal(3, pdf.NumberOfPages);
    }
}
