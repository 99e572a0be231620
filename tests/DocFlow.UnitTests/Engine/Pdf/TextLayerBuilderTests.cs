using DocFlow.Documents;
using DocFlow.Engine.Pdf;

namespace DocFlow.UnitTests.Engine.Pdf;

public sealed class TextLayerBuilderTests
{
    /// <summary>A word whose glyphs are 5 points wide; <paramref name="gapAfter"/> adds space after the glyph at that index.</summary>
    private static PdfWord Word(string text, float left, Dictionary<int, float> gapAfter)
    {
        var glyphs = new List<(string, Box)>();
        var x = left;
        for (var i = 0; i < text.Length; i++)
        {
            glyphs.Add((text[i].ToString(), new Box(x, 93, x + 5, 100)));
            x += 5 + gapAfter.GetValueOrDefault(i);
        }
        return new PdfWord(text, Box.Union(glyphs.Select(g => g.Item2)), 100, 9, false) { Glyphs = glyphs };
    }

    private static string Text(params PdfWord[] words) =>
        TextLayerBuilder.Build(1, new PageSnapshot(595, 842, words, true, null))!.PlainText();

    [Fact]
    public void Build_RowDrawnAsOneRunWithGlyphGaps_SplitsTheCells()
    {
        // "ST-01" then 30 points of glyph displacement, then "Riverside", 25 points, then "7.42".
        var run = Word("ST-01Riverside7.42", 60, new() { [4] = 30, [13] = 25 });

        Assert.Equal("ST-01 Riverside 7.42\n", Text(run));
    }

    [Fact]
    public void Build_OrdinaryLetterSpacing_KeepsTheWord()
    {
        var word = Word("Spaced", 60, new() { [0] = 1.5f, [1] = 1.5f, [2] = 1.5f, [3] = 1.5f, [4] = 1.5f });

        Assert.Equal("Spaced\n", Text(word));
    }
}
