using DocFlow.Documents;
using DocFlow.Engine.Ocr;

namespace DocFlow.UnitTests.Engine.Ocr;

public sealed class PageRotationTests
{
    [Fact]
    public void Turn_QuarterTurn_TurnsTheRulingsWithTheWords()
    {
        var word = new WordLayout("Total", new Box(10, 20, 60, 30), 0.9f);
        var line = new LineLayout([word], word.Box, 0.9f);
        var block = new BlockLayout([new ParagraphLayout([line], line.Box, 0.9f)], line.Box, 0.9f);
        var page = new PageLayout(1, 200, 100, "pixels", [block], PageSource.Ocr)
        {
            Rulings = [new Ruling(10, 40, 150, 40), new Ruling(170, 5, 170, 90)],
        };

        var turned = PageRotation.Turn(page, 1);

        // A quarter turn clockwise maps (x, y) to (height - y, x).
        Assert.Equal((100f, 200f), (turned.Width, turned.Height));
        Assert.Equal(new Box(70, 10, 80, 60), turned.Blocks[0].Paragraphs[0].Lines[0].Words[0].Box);
        Assert.Equal([new Ruling(60, 10, 60, 150), new Ruling(10, 170, 95, 170)], turned.Rulings);
    }
}
