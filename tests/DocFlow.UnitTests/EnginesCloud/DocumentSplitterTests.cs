using DocFlow.Documents;
using DocFlow.Engines.Cloud;

namespace DocFlow.UnitTests.EnginesCloud;

/// <summary>The split of a packed request's answer back into its originals (the cases the fake does not produce: an empty
/// page, entities without a page, tables, form fields, chunks).</summary>
public sealed class DocumentSplitterTests
{
    private static Layout Anchor(long start, long end) =>
        new() { TextAnchor = new TextAnchor { TextSegments = [new TextSegment { StartIndex = start, EndIndex = end }] } };

    private static Document Packed() => new()
    {
        Text = "A1\nA2\nC1\n",
        MimeType = "application/pdf",
        Pages =
        [
            new Page { PageNumber = 1, Layout = Anchor(0, 3) },
            new Page { PageNumber = 2, Layout = Anchor(3, 6), FormFields = [new FormField { FieldName = Anchor(3, 4), FieldValue = Anchor(4, 5) }] },
            new Page { PageNumber = 3 }, // a blank image: no text
            new Page
            {
                PageNumber = 4, Layout = Anchor(6, 9), Tokens = [new Token { Layout = Anchor(6, 8) }],
                Tables = [new Table { Layout = Anchor(6, 9), BodyRows = [new TableRow { Cells = [new TableCell { Layout = Anchor(7, 8) }] }] }],
            },
        ],
        Entities =
        [
            new Entity { Type = "on_page_2", TextAnchor = Anchor(3, 5).TextAnchor, PageAnchor = new PageAnchor { PageRefs = [new PageRef { Page = 1 }] } },
            new Entity
            {
                Type = "text_only", TextAnchor = Anchor(6, 8).TextAnchor,
                Properties = [new Entity { Type = "part", TextAnchor = Anchor(7, 8).TextAnchor }],
            },
            new Entity { Type = "nowhere" },
        ],
        ChunkedDocument = new ChunkedDocument
        {
            Chunks =
            [
                new Chunk { ChunkId = "c1", PageSpan = new ChunkPageSpan { PageStart = 1, PageEnd = 2 } },
                new Chunk { ChunkId = "c2", PageSpan = new ChunkPageSpan { PageStart = 4, PageEnd = 4 }, PageRefs = [new PageRef { Page = 3 }] },
            ],
        },
    };

    [Fact]
    public void Split_GivesEachOriginalItsPagesTextAndAnchors_RebasedOnItself()
    {
        var parts = DocumentSplitter.Split(Packed(), [(2, "application/pdf"), (1, "image/png"), (1, "application/pdf")]);

        Assert.Equal(["A1\nA2\n", "", "C1\n"], parts.Select(p => p.Text));
        Assert.Equal(["application/pdf", "image/png", "application/pdf"], parts.Select(p => p.MimeType));
        Assert.Equal([[1, 2], [1], [1]], parts.Select(p => p.Pages!.Select(page => page.PageNumber).ToArray()));

        var (a, c) = (parts[0], parts[2]);
        Assert.Equal((3L, 4L), Segment(a.Pages![1].FormFields![0].FieldName!));
        Assert.Equal((0L, 3L), Segment(c.Pages![0].Layout!));
        Assert.Equal((0L, 2L), Segment(c.Pages![0].Tokens![0].Layout!));
        Assert.Equal((1L, 2L), Segment(c.Pages![0].Tables![0].BodyRows![0].Cells![0].Layout!));

        var onPage2 = Assert.Single(a.Entities!);
        Assert.Equal(("on_page_2", 1L), (onPage2.Type, onPage2.PageAnchor!.PageRefs![0].Page));
        var textOnly = Assert.Single(c.Entities!);
        Assert.Equal("text_only", textOnly.Type);
        Assert.Equal("C1", c.Text![(int)textOnly.TextAnchor!.TextSegments![0].StartIndex..(int)textOnly.TextAnchor.TextSegments[0].EndIndex]);
        Assert.Equal(1L, textOnly.Properties![0].TextAnchor!.TextSegments![0].StartIndex);
        Assert.Null(parts[1].Entities); // "nowhere" has no anchor and is dropped

        Assert.Equal("c1", Assert.Single(a.ChunkedDocument!.Chunks!).ChunkId);
        var c2 = Assert.Single(c.ChunkedDocument!.Chunks!);
        Assert.Equal((1, 1, 0L), (c2.PageSpan!.PageStart, c2.PageSpan.PageEnd, c2.PageRefs![0].Page));
    }

    [Fact]
    public void Split_RefusesAnAnswerWithoutThePacksPages()
    {
        var error = Assert.Throws<FormatException>(() => DocumentSplitter.Split(Packed(), [(2, "application/pdf"), (3, "application/pdf")]));
        Assert.Contains("pack of 5 pages has 4", error.Message);
    }

    private static (long, long) Segment(Layout layout) => (layout.TextAnchor!.TextSegments![0].StartIndex, layout.TextAnchor.TextSegments[0].EndIndex);
}
