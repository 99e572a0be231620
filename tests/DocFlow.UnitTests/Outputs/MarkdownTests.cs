using DocFlow.Outputs;

namespace DocFlow.UnitTests.Outputs;

public sealed class MarkdownTests
{
    private static readonly string Md = Markdown.Write(TestDocuments.Report());

    [Fact]
    public void Headings_come_from_type_size()
    {
        Assert.Contains("\n# Annual Review\n", Md, StringComparison.Ordinal);
        Assert.Contains("\n### Results and plans\n", Md, StringComparison.Ordinal);
        // Body text at body size is never a heading.
        Assert.DoesNotContain("# This review", Md, StringComparison.Ordinal);
    }

    [Fact]
    public void Paragraphs_are_joined_lines_with_hyphenation_undone()
    {
        Assert.Contains("\nThis review covers the year in brief and the plans for the next document in the series.\n", Md, StringComparison.Ordinal);
    }

    [Fact]
    public void Lists_keep_bullets_numbers_and_continuation_lines()
    {
        Assert.Contains("- First point made\n- Second point, which runs on to a second line\n", Md, StringComparison.Ordinal);
        Assert.Contains("1. Step one\n2. Step two\n", Md, StringComparison.Ordinal);
    }

    [Fact]
    public void Form_fields_are_bold_keys_with_values()
    {
        Assert.Contains("**Customer:** Jane Doe\n**Approved:** \\[x\\]\n", Md, StringComparison.Ordinal);
        // The field's line is not repeated as a paragraph.
        Assert.DoesNotContain("Customer: Jane Doe", Md, StringComparison.Ordinal);
    }

    [Fact]
    public void Tables_are_github_tables_in_place_of_their_lines()
    {
        Assert.Contains("| Item | Qty | Price |\n| --- | --- | --- |\n| Apples | 3 | 1.20 |\n| Pears | 5 | 0.80 |\n", Md, StringComparison.Ordinal);
        Assert.DoesNotContain("Apples 3 1.20", Md, StringComparison.Ordinal);
    }

    [Fact]
    public void Pages_are_marked_in_reading_order()
    {
        var page1 = Md.IndexOf("<!-- page 1 -->", StringComparison.Ordinal);
        var page2 = Md.IndexOf("<!-- page 2 -->", StringComparison.Ordinal);
        Assert.Equal(0, page1);
        Assert.True(page2 > Md.IndexOf("Pears", StringComparison.Ordinal));
        Assert.True(Md.IndexOf("The second page", StringComparison.Ordinal) > page2);
        Assert.True(Md.IndexOf("Annual Review", StringComparison.Ordinal) < Md.IndexOf("Results and plans", StringComparison.Ordinal));
    }

    [Fact]
    public void Running_headers_and_footers_are_recognised_on_repeated_margins()
    {
        var elements = Markdown.Elements(TestDocuments.Report());
        Assert.Equal(2, elements.Count(e => e.Kind == MarkdownKind.PageHeader && e.Markdown == "ACME Quarterly Report"));
        Assert.Equal(["Page 1 of 2", "Page 2 of 2"], elements.Where(e => e.Kind == MarkdownKind.PageFooter).Select(e => e.Markdown));
    }

    [Theory]
    [InlineData("2. Volumes", "2\\. Volumes")]
    [InlineData("# not a heading", "\\# not a heading")]
    [InlineData("a *star* and_underscore", "a \\*star\\* and\\_underscore")]
    [InlineData("<script>", "\\<script>")]
    public void Text_cannot_turn_into_markup(string text, string expected) => Assert.Equal(expected, Markdown.Inline(text));
}
