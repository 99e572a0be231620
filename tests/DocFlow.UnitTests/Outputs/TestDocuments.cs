using DocFlow.Documents;

namespace DocFlow.UnitTests.Outputs;

/// <summary>Documents built from page layouts as the engine builds them (DocumentAssembler), with tables and form fields
/// pointing at their tokens as the extractors make them.</summary>
internal static class TestDocuments
{
    /// <summary>A line of words at (left, top), each word 20 px per character wide, 10 px apart, <paramref name="height"/> tall.</summary>
    public static LineLayout Line(float left, float top, float height, string text)
    {
        var words = new List<WordLayout>();
        var x = left;
        foreach (var w in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var width = w.Length * height * 0.5f;
            words.Add(new WordLayout(w, new Box(x, top, x + width, top + height), 0.9f));
            x += width + height * 0.4f;
        }
        return new LineLayout(words, Box.Union(words.Select(v => v.Box)), 0.9f);
    }

    public static BlockLayout Block(params LineLayout[] lines) =>
        new([new ParagraphLayout(lines, Box.Union(lines.Select(l => l.Box)), 0.9f)], Box.Union(lines.Select(l => l.Box)), 0.9f);

    public static PageLayout Page(int number, params BlockLayout[] blocks) =>
        new(number, 2480, 3508, "pixels", blocks, PageSource.Ocr) { LanguageCode = "en" };

    /// <summary>The layout of the tokens <paramref name="first"/>..<paramref name="last"/> (inclusive) of a page.</summary>
    public static Layout Span(Document document, Page page, int first, int last)
    {
        var start = page.Tokens![first].Layout!.TextAnchor!.TextSegments![0].StartIndex;
        var end = page.Tokens[last].Layout!.TextAnchor!.TextSegments![0].EndIndex;
        var boxes = page.Tokens.Skip(first).Take(last - first + 1).Select(t => t.Layout!.BoundingPoly!.Vertices!)
            .Select(v => new Box(v[0].X, v[0].Y, v[2].X, v[2].Y));
        return new Layout
        {
            TextAnchor = new TextAnchor { TextSegments = [new TextSegment { StartIndex = start, EndIndex = end }], Content = document.Text![(int)start..(int)end] },
            BoundingPoly = DocumentAssembler.MakePoly(Box.Union(boxes), page.Dimension!.Width, page.Dimension.Height),
            Confidence = 0.9f,
        };
    }

    public static int TokenIndex(Document document, Page page, string text, int from = 0)
    {
        for (var i = from; i < page.Tokens!.Count; i++)
            if (DocumentAssembler.TextOf(document, page.Tokens[i].Layout!.TextAnchor) == text) return i;
        throw new InvalidOperationException($"no token '{text}'");
    }

    /// <summary>
    /// Two pages: a large title, a section heading, body paragraphs (one hyphenated across lines), a bulleted and a numbered
    /// list, form fields (a text and a checkbox), a 3 x 3 table, a running header and footer on both pages.
    /// </summary>
    public static Document Report()
    {
        var page1 = Page(1,
            Block(Line(200, 100, 30, "ACME Quarterly Report")),                 // running header (top band)
            Block(Line(200, 400, 110, "Annual Review")),                        // title: 110 / 50 = 2.2 × body
            Block(Line(200, 600, 50, "This review covers the year in brief and"), Line(200, 660, 50, "the plans for the next docu-"),
                  Line(200, 720, 50, "ment in the series.")),
            Block(Line(200, 900, 65, "Results and plans")),                     // section: 65 / 50 = 1.3 × body
            Block(Line(200, 1000, 50, "• First point made"), Line(200, 1060, 50, "• Second point, which runs on"),
                  Line(260, 1120, 50, "to a second line")),
            Block(Line(200, 1300, 50, "1. Step one"), Line(200, 1360, 50, "2. Step two")),
            Block(Line(200, 1500, 50, "Customer: Jane Doe")),
            Block(Line(200, 1560, 50, "Approved: X")),
            Block(Line(200, 1700, 50, "Item Qty Price"), Line(200, 1760, 50, "Apples 3 1.20"), Line(200, 1820, 50, "Pears 5 0.80")),
            Block(Line(200, 3300, 30, "Page 1 of 2")));                          // running footer (bottom band)
        var page2 = Page(2,
            Block(Line(200, 100, 30, "ACME Quarterly Report")),
            Block(Line(200, 400, 50, "The second page has one more paragraph of body text to read.")),
            Block(Line(200, 3300, 30, "Page 2 of 2")));
        var document = DocumentAssembler.Assemble("image/tiff", [page1, page2]);
        var p = document.Pages![0];

        var customer = TokenIndex(document, p, "Customer:");
        var approved = TokenIndex(document, p, "Approved:");
        p.FormFields =
        [
            new FormField { FieldName = Span(document, p, customer, customer), FieldValue = Span(document, p, customer + 1, customer + 2) },
            new FormField { FieldName = Span(document, p, approved, approved), FieldValue = Span(document, p, approved + 1, approved + 1), ValueType = "filled_checkbox" },
        ];

        var item = TokenIndex(document, p, "Item");
        TableRow Row(int first) => new() { Cells = [.. Enumerable.Range(first, 3).Select(i => new TableCell { Layout = Span(document, p, i, i), RowSpan = 1, ColSpan = 1 })] };
        var tableLayout = Span(document, p, item, item + 8);
        p.Tables = [new Table { Layout = tableLayout, HeaderRows = [Row(item)], BodyRows = [Row(item + 3), Row(item + 6)] }];
        return document;
    }

    /// <summary>One page, one heading and <paramref name="paragraphs"/> paragraphs of <paramref name="words"/> numbered words each.</summary>
    public static Document Long(int paragraphs, int words)
    {
        var blocks = new List<BlockLayout> { Block(Line(100, 100, 90, "Long Section")) };
        var n = 0;
        for (var i = 0; i < paragraphs; i++)
        {
            var text = string.Join(' ', Enumerable.Range(0, words).Select(_ => $"w{n++}"));
            blocks.Add(Block(Line(100, 300 + i * 60, 40, text)));
        }
        return DocumentAssembler.Assemble("image/png", [Page(1, [.. blocks])]);
    }
}
