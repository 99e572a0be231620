using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using DocFlow.Documents;
using DocFlow.Outputs;

namespace DocFlow.IntegrationTests.Outputs;

/// <summary>hOCR and Markdown of the bundled samples as the engine reads them.</summary>
[Collection(OutputsCollection.Name)]
public sealed partial class HocrAndMarkdownTests(OutputsFixture fixture)
{
    public static TheoryData<string> Samples => [.. OutputsFixture.Samples];

    private static readonly XNamespace X = "http://www.w3.org/1999/xhtml";

    [GeneratedRegex(@"^bbox (\d+) (\d+) (\d+) (\d+)(;|$)")]
    private static partial Regex BboxProperty();

    [GeneratedRegex(@"; x_wconf (\d+)$")]
    private static partial Regex WconfProperty();

    private static (int L, int T, int R, int B) Bbox(XElement e)
    {
        var m = BboxProperty().Match(e.Attribute("title")!.Value);
        Assert.True(m.Success, $"no bbox first in title '{e.Attribute("title")?.Value}'");
        var b = (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
            int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture));
        Assert.True(b.Item1 <= b.Item3 && b.Item2 <= b.Item4, $"bbox {b} is not x0 <= x1, y0 <= y1");
        return b;
    }

    private static bool Inside((int L, int T, int R, int B) inner, (int L, int T, int R, int B) outer) =>
        inner.L >= outer.L && inner.T >= outer.T && inner.R <= outer.R && inner.B <= outer.B;

    [Theory]
    [MemberData(nameof(Samples))]
    public void Hocr_is_well_formed_xhtml_with_the_spec_structure_and_the_documents_words(string sample)
    {
        var document = fixture.Documents[sample];
        var hocr = Hocr.Write(document, sample);
        var xml = XDocument.Parse(hocr, LoadOptions.None); // throws on anything not well-formed
        Assert.Equal(X + "html", xml.Root!.Name);

        var meta = xml.Descendants(X + "meta").ToDictionary(m => (string?)m.Attribute("name") ?? (string)m.Attribute("http-equiv")!, m => (string)m.Attribute("content")!);
        Assert.Equal("docflow", meta["ocr-system"]);
        var capabilities = meta["ocr-capabilities"].Split(' ');
        Assert.Subset(capabilities.ToHashSet(), new HashSet<string> { "ocr_page", "ocr_carea", "ocr_par", "ocr_line", "ocrx_word" });
        Assert.Equal(document.Pages!.Count.ToString(CultureInfo.InvariantCulture), meta["ocr-number-of-pages"]);

        var ids = xml.Descendants().Select(e => (string?)e.Attribute("id")).OfType<string>().ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());

        string Class(XElement e) => (string?)e.Attribute("class") ?? "";
        var pages = xml.Descendants().Where(e => Class(e) == "ocr_page").ToList();
        Assert.Equal(document.Pages.Count, pages.Count);
        var words = new List<string>();
        foreach (var (page, xpage) in document.Pages.Zip(pages))
        {
            var pageBox = Bbox(xpage);
            Assert.Equal((0, 0), (pageBox.L, pageBox.T));
            var scale = page.Dimension!.Unit == "points" ? Hocr.TextLayerDpi / 72.0 : 1.0;
            Assert.Equal((int)Math.Round(page.Dimension.Width * scale), pageBox.R);
            Assert.Contains($"ppageno {page.PageNumber - 1}", xpage.Attribute("title")!.Value, StringComparison.Ordinal);
            // Nesting as the spec has it: page > carea > par > line > word, each inside its parent's box.
            foreach (var carea in xpage.Elements().Where(e => Class(e) == "ocr_carea"))
            {
                Assert.Equal(X + "div", carea.Name);
                foreach (var par in carea.Elements())
                {
                    Assert.Equal(("ocr_par", X + "p"), (Class(par), par.Name));
                    Assert.True(Inside(Bbox(par), Bbox(carea)), $"{sample}: a paragraph outside its area");
                    foreach (var line in par.Elements())
                    {
                        Assert.Equal(("ocr_line", X + "span"), (Class(line), line.Name));
                        Assert.True(Inside(Bbox(line), Bbox(par)), $"{sample}: a line outside its paragraph");
                        foreach (var word in line.Elements())
                        {
                            Assert.Equal(("ocrx_word", X + "span"), (Class(word), word.Name));
                            var box = Bbox(word);
                            Assert.True(Inside(box, pageBox), $"{sample}: word '{word.Value}' {box} outside the page {pageBox}");
                            var conf = WconfProperty().Match(word.Attribute("title")!.Value);
                            Assert.True(conf.Success, word.Attribute("title")!.Value);
                            Assert.InRange(int.Parse(conf.Groups[1].Value, CultureInfo.InvariantCulture), 0, 100);
                            words.Add(word.Value);
                        }
                    }
                }
            }
            Assert.DoesNotContain(xpage.Elements(), e => Class(e) != "ocr_carea");
        }
        var tokens = document.Pages.SelectMany(p => p.Tokens ?? []).Select(t => DocumentAssembler.TextOf(document, t.Layout?.TextAnchor));
        Assert.Equal(tokens, words);
    }

    [Fact]
    public void Hocr_word_boxes_are_the_token_pixels()
    {
        var document = fixture.Documents["invoice-scan.png"];
        var xml = XDocument.Parse(Hocr.Write(document));
        var first = xml.Descendants(X + "span").First(e => (string?)e.Attribute("class") == "ocrx_word");
        var v = document.Pages![0].Tokens![0].Layout!.BoundingPoly!.Vertices!;
        var (l, t, r, b) = Bbox(first);
        Assert.InRange(l, v[0].X - 1, v[0].X);
        Assert.InRange(t, v[0].Y - 1, v[0].Y);
        Assert.InRange(r, v[2].X, v[2].X + 1);
        Assert.InRange(b, v[2].Y, v[2].Y + 1);
    }

    [Fact]
    public void Markdown_of_the_scanned_invoice_has_its_table_fields_and_heading()
    {
        var md = Markdown.Write(fixture.Documents["invoice-scan.png"]);
        Assert.StartsWith("<!-- page 1 -->\n", md, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^# INVOICE", md);
        Assert.Matches(@"(?m)^\| Description \| Qty \| Unit price \| Amount \|\n\| --- \| --- \| --- \| --- \|\n\| LED desk lamp \| 11 \| 54\.20 \| 596\.20 \|$", md);
        Assert.Contains("**Invoice number:** NW-2026-3914\n", md, StringComparison.Ordinal);
        Assert.Contains("**IBAN:** DE80 2005 0550 7466 0081 79\n", md, StringComparison.Ordinal);
        // The table's cells are not repeated as form fields (column header as key, cell as value).
        Assert.DoesNotContain("**Qty:**", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_of_the_report_has_sized_headings_tables_and_page_marks()
    {
        var md = Markdown.Write(fixture.Documents["report-multipage.pdf"]);
        Assert.Matches(@"(?m)^# Q1 2026 Operations Report$", md);
        Assert.Matches(@"(?m)^#+ 1\. Summary$", md);
        Assert.Matches(@"(?m)^#+ 2\. Volumes and service levels$", md);
        Assert.Matches(@"(?m)^\| Region \| Shipments \| On-time rate \| Revenue \(EUR\) \|$", md);
        for (var page = 1; page <= fixture.Documents["report-multipage.pdf"].Pages!.Count; page++)
            Assert.Contains($"<!-- page {page} -->", md, StringComparison.Ordinal);
        var chunks = Chunker.Chunk(fixture.Documents["report-multipage.pdf"], new ChunkingOptions { ChunkSize = 120, Overlap = 20 }).Chunks!;
        Assert.All(chunks, c => Assert.InRange(Chunker.Words(c.Content!), 1, 120));
        Assert.All(chunks, c => Assert.DoesNotContain("Page 1 of", c.Content!, StringComparison.Ordinal));
        Assert.Contains(chunks, c => c.PageFooters?.Any(f => f.Text == "Page 1 of 4") == true);
    }
}
