using DocFlow.Documents;
using DocFlow.Engine.Extraction.Tables;

namespace DocFlow.UnitTests.Engine.Extraction.Tables;

public sealed class TableEnricherTests
{
    private static List<Table> Tables(FixturePage page, out Document document)
    {
        var (doc, layouts) = page.Build();
        new TableEnricher().Enrich(doc, layouts, CancellationToken.None);
        document = doc;
        return doc.Pages![0].Tables ?? [];
    }

    private static List<List<string>> Grid(Document document, Table table) =>
        [.. (table.HeaderRows ?? []).Concat(table.BodyRows ?? []).Select(r => r.Cells!.Select(c => FixturePage.Text(document, c.Layout)).ToList())];

    [Fact]
    public void RuledGrid_WithEmptyCell_KeepsTheEmptyCellInItsColumn()
    {
        // Three columns at x 100 | 200 | 300 | 400, three rows at y 100 | 120 | 140 | 160.
        var page = new FixturePage()
            .Line(105, (105, "Name"), (205, "Size"), (305, "Colour"))
            .Line(125, (105, "Bolt"), (305, "grey"))
            .Line(145, (105, "Nut"), (205, "M8"), (305, "black"));
        foreach (var y in new[] { 100f, 120, 140, 160 }) page.Rule(100, y, 400, y);
        foreach (var x in new[] { 100f, 200, 300, 400 }) page.Rule(x, 100, x, 160);

        var table = Assert.Single(Tables(page, out var document));

        Assert.Equal([["Name", "Size", "Colour"], ["Bolt", "", "grey"], ["Nut", "M8", "black"]], Grid(document, table));
        Assert.All(table.BodyRows!.Concat(table.HeaderRows!).SelectMany(r => r.Cells!), c => Assert.Equal((1, 1), (c.RowSpan, c.ColSpan)));
    }

    [Fact]
    public void RuledGrid_WithMissingInnerLine_MergesCellsIntoAColumnSpan()
    {
        var page = new FixturePage()
            .Line(105, (105, "Region"), (205, "Q1"), (305, "Q2"))
            .Line(125, (105, "North"), (205, "12"), (305, "14"))
            .Line(145, (105, "Closed"), (205, "for the season"));
        foreach (var y in new[] { 100f, 120, 140, 160 }) page.Rule(100, y, 400, y);
        page.Rule(100, 100, 100, 160).Rule(400, 100, 400, 160).Rule(200, 100, 200, 160).Rule(300, 100, 300, 140);

        var table = Assert.Single(Tables(page, out var document));

        var last = table.BodyRows![^1].Cells!;
        Assert.Equal(2, last.Count);
        Assert.Equal(("Closed", 1), (FixturePage.Text(document, last[0].Layout), last[0].ColSpan));
        Assert.Equal(("for the season", 2), (FixturePage.Text(document, last[1].Layout), last[1].ColSpan));
    }

    [Fact]
    public void WhitespaceTable_RightAlignedNumbers_MultiWordCells_HeaderDetected()
    {
        var page = new FixturePage()
            .Line(100, (50, "Item description"), (-260, "Qty"), (-360, "Amount"))
            .Line(115, (50, "Blue widget"), (-260, "2"), (-360, "10.00"))
            .Line(130, (50, "Large red gadget"), (-260, "10"), (-360, "1,120.50"))
            .Line(145, (50, "Spare part kit"), (-260, "125"), (-360, "7.25"))
            .Line(190, (50, "Thank you for your order and see you again soon."));

        var table = Assert.Single(Tables(page, out var document));

        Assert.Equal([["Item description", "Qty", "Amount"]], Grid(document, new Table { HeaderRows = table.HeaderRows }));
        Assert.Equal([["Blue widget", "2", "10.00"], ["Large red gadget", "10", "1,120.50"], ["Spare part kit", "125", "7.25"]],
            Grid(document, new Table { BodyRows = table.BodyRows }));
        Assert.NotNull(table.Layout?.BoundingPoly);
    }

    [Fact]
    public void WhitespaceTable_DescriptionWrappedOntoASecondLine_StaysOneCell()
    {
        var page = new FixturePage()
            .Line(100, (50, "Service"), (-260, "Hours"), (-360, "Amount"))
            .Line(118, (50, "Site survey"), (-260, "4"), (-360, "320.00"))
            .Line(136, (50, "Drainage repair and"), (-260, "12"), (-360, "960.00"))
            .Line(147, (50, "pipe replacement"))
            .Line(165, (50, "Final inspection"), (-260, "2"), (-360, "160.00"));

        var table = Assert.Single(Tables(page, out var document));

        Assert.Equal([["Site survey", "4", "320.00"], ["Drainage repair and pipe replacement", "12", "960.00"], ["Final inspection", "2", "160.00"]],
            Grid(document, new Table { BodyRows = table.BodyRows }));
    }

    [Fact]
    public void LabelValueLines_AreNotATable()
    {
        var page = new FixturePage()
            .Line(100, (50, "Name:"), (200, "Ann Smith"))
            .Line(115, (50, "Position:"), (200, "Buyer"))
            .Line(130, (50, "Phone:"), (200, "+44 1234 5678"));

        Assert.Empty(Tables(page, out _));
    }

    [Fact]
    public void ThreeColumnsOfProse_AreNotATable()
    {
        var page = new FixturePage()
            .Line(100, (20, "The quarter was the busiest in"), (200, "Returns remained stable at two"), (380, "Staffing grew by twelve people"))
            .Line(115, (20, "the history of the site and the"), (200, "percent of shipments and most"), (380, "over the quarter and overtime"))
            .Line(130, (20, "new sorting line was at capacity"), (200, "of them were wrong sizes in"), (380, "hours fell after the new shift"));

        Assert.Empty(Tables(page, out _));
    }

    [Fact]
    public void Prose_IsNotATable()
    {
        var page = new FixturePage()
            .Line(100, (50, "The quarter was the busiest in the history of the site."))
            .Line(115, (50, "Shipments grew in every region and the new line reached"))
            .Line(130, (50, "its design capacity in February."));

        Assert.Empty(Tables(page, out _));
    }
}
