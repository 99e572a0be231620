using DocFlow.Documents;

namespace DocFlow.UnitTests.Documents;

public sealed class DocumentAssemblerTests
{
    private static PageLayout Page(int number, params string[][] lines)
    {
        var y = 0f;
        var lineLayouts = lines.Select(words =>
        {
            var x = 0f;
            var ws = words.Select(w => { var b = new Box(x, y, x + w.Length * 10, y + 20); x += w.Length * 10 + 5; return new WordLayout(w, b, 0.9f); }).ToList();
            y += 30;
            return new LineLayout(ws, Box.Union(ws.Select(w => w.Box)), 0.9f);
        }).ToList();
        var paragraph = new ParagraphLayout(lineLayouts, Box.Union(lineLayouts.Select(l => l.Box)), 0.9f);
        return new PageLayout(number, 1000, 1000, "pixels", [new BlockLayout([paragraph], paragraph.Box, 0.9f)], PageSource.Ocr);
    }

    [Fact]
    public void Assemble_EveryAnchorPointsAtItsOwnText()
    {
        var document = DocumentAssembler.Assemble("image/png",
        [
            Page(2, ["Total:", "$12.50"]),
            Page(1, ["Invoice", "INV-7"], ["Due", "2026-12-01"]),
        ]);

        Assert.Equal("Invoice INV-7\nDue 2026-12-01\nTotal: $12.50\n", document.Text);
        var pages = document.Pages!;
        Assert.Equal([1, 2], pages.Select(p => p.PageNumber));
        var tokens = pages.SelectMany(p => p.Tokens!).Select(t => DocumentAssembler.TextOf(document, t.Layout!.TextAnchor)).ToList();
        Assert.Equal(["Invoice", "INV-7", "Due", "2026-12-01", "Total:", "$12.50"], tokens);
        var lines = pages.SelectMany(p => p.Lines!).Select(l => DocumentAssembler.TextOf(document, l.Layout!.TextAnchor)).ToList();
        Assert.Equal(["Invoice INV-7\n", "Due 2026-12-01\n", "Total: $12.50\n"], lines);
        Assert.Equal("Invoice INV-7\nDue 2026-12-01\n", DocumentAssembler.TextOf(document, pages[0].Blocks![0].Layout!.TextAnchor));
        Assert.Equal("Total: $12.50\n", DocumentAssembler.TextOf(document, pages[1].Layout!.TextAnchor));
    }

    [Fact]
    public void Assemble_BoxesAreNormalisedToThePage()
    {
        var document = DocumentAssembler.Assemble("image/png", [Page(1, ["abcdefghij"])]);

        var poly = document.Pages![0].Tokens![0].Layout!.BoundingPoly!;
        Assert.Equal(100, poly.Vertices![1].X);
        Assert.Equal(0.1f, poly.NormalizedVertices![1].X, 3);
        Assert.Equal(0.02f, poly.NormalizedVertices[2].Y, 3);
    }

    [Fact]
    public void PlainText_MatchesTheAssembledPageText()
    {
        var page = Page(1, ["a", "b"], ["c"]);
        var document = DocumentAssembler.Assemble("image/png", [page]);

        Assert.Equal(page.PlainText(), document.Text);
    }
}
