using DocFlow.Documents;
using DocFlow.Engine.Extraction.Forms;
using DocFlow.Engine.Extraction.Tables;
using DocFlow.UnitTests.Engine.Extraction.Tables;

namespace DocFlow.UnitTests.Engine.Extraction.Forms;

public sealed class FormEnricherTests
{
    private static List<(string Name, string Value, string? Type)> Fields(FixturePage page, PageSource source = PageSource.TextLayer)
    {
        var (document, layouts) = page.Build(source);
        new TableEnricher().Enrich(document, layouts, CancellationToken.None);
        new FormEnricher().Enrich(document, layouts, CancellationToken.None);
        return [.. (document.Pages![0].FormFields ?? []).Select(f =>
            (FixturePage.Text(document, f.FieldName), FixturePage.Text(document, f.FieldValue), f.ValueType))];
    }

    [Fact]
    public void TwoLabelValuePairsOnOneLine_AreTwoFields()
    {
        var fields = Fields(new FixturePage().Line(100, (50, "Date: 1/2/2026"), (250, "Ref: A-7")));

        Assert.Equal([("Date", "1/2/2026", null), ("Ref", "A-7", null)], fields);
    }

    [Fact]
    public void TwoLabelValuePairsOnOneLine_WithSingleSpaces_AreTwoFields()
    {
        var fields = Fields(new FixturePage().Line(100, (50, "Invoice date: 1/2/2026 Due date: 15/2/2026 Opening hours: 08:00-17:00")));

        Assert.Equal([("Invoice date", "1/2/2026", null), ("Due date", "15/2/2026", null), ("Opening hours", "08:00-17:00", null)], fields);
    }

    [Fact]
    public void LabelInItsOwnColumn_TakesTheValueColumn()
    {
        var fields = Fields(new FixturePage()
            .Line(100, (50, "Company name:"), (200, "Brightwater Pumps GmbH"))
            .Line(115, (50, "VAT ID:"), (200, "DE346024091")));

        Assert.Equal([("Company name", "Brightwater Pumps GmbH", null), ("VAT ID", "DE346024091", null)], fields);
    }

    [Fact]
    public void LabelWithEmptyValue_IsAFieldWithNoValue_AndDoesNotSwallowTheNextLabel()
    {
        var fields = Fields(new FixturePage()
            .Line(100, (50, "Notes:"))
            .Line(115, (50, "Name: Ann Smith")));

        Assert.Equal([("Notes", "", null), ("Name", "Ann Smith", null)], fields);
    }

    [Fact]
    public void SmallLabelAboveLargerValue_IsAField()
    {
        var fields = Fields(new FixturePage()
            .Line(100, 9, (50, "Full name"))
            .Line(112, 12, (55, "Marta Kowalczyk"))
            .Line(140, 9, (50, "Date of birth"))
            .Line(152, 12, (55, "02/03/1999")), PageSource.Ocr);

        Assert.Equal([("Full name", "Marta Kowalczyk", null), ("Date of birth", "02/03/1999", null)], fields);
    }

    [Fact]
    public void SeveralLabelsOnARow_EachTakeTheValueUnderThem()
    {
        var fields = Fields(new FixturePage()
            .Line(100, 9, (50, "Surname"), (200, "Given names"), (350, "Date of birth"))
            .Line(112, 12, (52, "Novak"), (202, "Jana Maria"), (352, "14/05/1988")), PageSource.Ocr);

        Assert.Equal([("Surname", "Novak", null), ("Given names", "Jana Maria", null), ("Date of birth", "14/05/1988", null)], fields);
    }

    [Fact]
    public void ConsecutiveProseLines_AreNotLabelAndValue()
    {
        var fields = Fields(new FixturePage()
            .Line(100, (50, "Kind regards"))
            .Line(115, (50, "Jonas Albrecht")));

        Assert.Empty(fields);
    }

    [Fact]
    public void LabelAboveAnUnderlinedValue_IsAField_EvenInTheSameSize()
    {
        var fields = Fields(new FixturePage()
            .Line(100, (50, "Registered address"))
            .Line(114, (55, "Am Kanal 19, 01159 Dresden"))
            .Rule(50, 126, 300, 126));

        Assert.Equal([("Registered address", "Am Kanal 19, 01159 Dresden", null)], fields);
    }

    [Fact]
    public void AddressBlock_IsNotALabelAndValue()
    {
        var fields = Fields(new FixturePage()
            .Line(100, 9, (50, "42 Wellington Road"))
            .Line(112, 9, (50, "Harrogate HG1 2DX"))
            .Line(124, 10, (50, "United Kingdom")));

        Assert.Empty(fields);
    }

    [Fact]
    public void CheckboxGlyphsAndBrackets_GiveCheckboxFieldsWithTheirLabels()
    {
        var fields = Fields(new FixturePage()
            .Line(100, (50, "☑ Pumps and valves"))
            .Line(115, (50, "☐ ISO 45001"))
            .Line(130, (50, "[x] I accept the terms"))
            .Line(145, (50, "☒ Yes"), (150, "☐ No")));

        Assert.Equal([
            ("Pumps and valves", "☑", "filled_checkbox"),
            ("ISO 45001", "☐", "unfilled_checkbox"),
            ("I accept the terms", "[x]", "filled_checkbox"),
            ("Yes", "☒", "filled_checkbox"),
            ("No", "☐", "unfilled_checkbox"),
        ], fields);
    }

    [Fact]
    public void OcrBoxReadings_AndABoxOcrDropped_AreCheckboxes_ButAWrappedLabelLineIsNot()
    {
        // Tesseract reads empty boxes as "L]" or "[]" and often drops a box with a cross through it.
        var fields = Fields(new FixturePage()
            .Line(100, (50, "Adult"))
            .Line(116, (30, "L]"), (50, "Junior (under 18)"))
            .Line(132, (30, "[]"), (50, "I would like to receive the club"))
            .Line(142, (50, "newsletter by post")), PageSource.Ocr);

        Assert.Equal([
            ("Adult", "", "filled_checkbox"),
            ("Junior (under 18)", "L]", "unfilled_checkbox"),
            ("I would like to receive the club", "[]", "unfilled_checkbox"),
        ], fields);
    }

    [Fact]
    public void GridOfLabelledBoxes_IsAFormNotATable()
    {
        var page = new FixturePage()
            .Line(105, (105, "Surname: Novak"), (255, "Born: 1988"))
            .Line(125, (105, "City: Brno"), (255, "Zip: 60200"));
        foreach (var y in new[] { 100f, 120, 140 }) page.Rule(100, y, 400, y);
        foreach (var x in new[] { 100f, 250, 400 }) page.Rule(x, 100, x, 140);

        var (document, layouts) = page.Build();
        new TableEnricher().Enrich(document, layouts, CancellationToken.None);
        new FormEnricher().Enrich(document, layouts, CancellationToken.None);

        Assert.Null(document.Pages![0].Tables);
        Assert.Equal(["Surname=Novak", "Born=1988", "City=Brno", "Zip=60200"],
            document.Pages[0].FormFields!.Select(f => FixturePage.Text(document, f.FieldName) + "=" + FixturePage.Text(document, f.FieldValue)));
    }

    [Fact]
    public void DrawnSquare_BesideALabel_IsACheckbox_CheckedWhenMarked()
    {
        var fields = Fields(new FixturePage()
            .Rect(50, 100, 60, 110).Line(100, (66, "Express delivery"))
            .Rect(50, 120, 60, 130).Line(120, (52, "X"), (66, "Gift wrap")));

        Assert.Equal([("Express delivery", "", "unfilled_checkbox"), ("Gift wrap", "X", "filled_checkbox")], fields);
    }

    [Fact]
    public void LabelLeftOfADrawnBox_TakesTheTextInTheBox()
    {
        var fields = Fields(new FixturePage()
            .Line(102, (50, "Reference"))
            .Rect(120, 98, 350, 116).Line(102, (125, "PO 4471"))
            .Rect(120, 128, 350, 146).Line(132, (50, "Comment")));

        Assert.Equal([("Reference", "PO 4471", null), ("Comment", "", null)], fields);
    }
}
