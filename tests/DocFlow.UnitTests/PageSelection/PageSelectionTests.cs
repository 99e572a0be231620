using DocFlow.Processing;
using Selection = DocFlow.Processing.PageSelection;

namespace DocFlow.UnitTests.PageSelection;

public sealed class PageSelectionTests
{
    [Theory]
    [InlineData("1-3,7,-1", 10, "1,2,3,7,10")]
    [InlineData("-1", 5, "5")]
    [InlineData("-3--1", 5, "3,4,5")]
    [InlineData("2--2", 5, "2,3,4")]
    [InlineData("3,1,3,2", 5, "1,2,3")]
    [InlineData(" 1 - 2 , 4 ", 5, "1,2,4")]
    [InlineData("first:2", 5, "1,2")]
    [InlineData("first:9", 5, "1,2,3,4,5")]
    [InlineData("last:2", 5, "4,5")]
    [InlineData("last:9", 3, "1,2,3")]
    public void Resolve_GivesTheSelectedPages_AscendingAndOnce(string text, int pageCount, string expected) =>
        Assert.Equal(expected, string.Join(",", Selection.Parse(text).Resolve(pageCount)));

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("a")]
    [InlineData("1,,2")]
    [InlineData("3-1")]
    [InlineData("1-2-3")]
    [InlineData("first:0")]
    [InlineData("last:x")]
    [InlineData("1.5")]
    public void Parse_RefusesWhatIsNotASelection_NamingIt(string text)
    {
        var ex = Assert.Throws<FormatException>(() => Selection.Parse(text));
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
        Assert.False(Selection.TryParse(text, out _, out var error));
        Assert.Equal(ex.Message, error);
    }

    [Theory]
    [InlineData("7", 5)]
    [InlineData("-6", 5)]
    [InlineData("4-9", 5)]
    public void Resolve_PagesBeyondTheDocument_AreAnInvalidPagesError(string text, int pageCount)
    {
        var ex = Assert.Throws<DocumentException>(() => Selection.Parse(text).Resolve(pageCount));
        Assert.Equal(DocumentErrorCode.InvalidPages, ex.Code);
        Assert.Equal("invalid_pages", ex.Code.ToWireName());
        Assert.Contains($"{pageCount} page", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1-3,7,-1")]
    [InlineData("-3--1")]
    [InlineData("first:4")]
    [InlineData("last:2")]
    public void ToString_IsCanonical_AndParsesBack(string text)
    {
        var selection = Selection.Parse(text);
        Assert.Equal(text, selection.ToString());
        Assert.Equal(selection, Selection.Parse(selection.ToString()));
    }

    [Fact]
    public void Factories_MatchDocumentAiSelectors()
    {
        Assert.Equal("first:3", Selection.FromStart(3).ToString());
        Assert.Equal("last:2", Selection.FromEnd(2).ToString());
        Assert.Equal("2,5", Selection.Of([2, 5]).ToString());
        Assert.Throws<FormatException>(() => Selection.Of([]));
    }

    [Fact]
    public void Key_IsShortForLongSelections_AndDiffersBySelection()
    {
        var longer = Selection.Of(Enumerable.Range(1, 200).Where(p => p % 2 == 0));
        Assert.True(longer.Key().Length <= 40);
        Assert.NotEqual(Selection.Parse("1").Key(), Selection.Parse("2").Key());
    }

    [Theory]
    [InlineData("1,2,3,7,10", 8, "1-3,7-7,10-10")]
    [InlineData("1,2,3,4,5", 2, "1-2,3-4,5-5")]
    public void Runs_GroupConsecutivePages_UpToALength(string pages, int maxLength, string expected) =>
        Assert.Equal(expected, string.Join(",", Selection.Runs([.. pages.Split(',').Select(int.Parse)], maxLength)));
}
