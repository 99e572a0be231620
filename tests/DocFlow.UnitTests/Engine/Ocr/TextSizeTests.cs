using DocFlow.Engine.Ocr;

namespace DocFlow.UnitTests.Engine.Ocr;

public sealed class TextSizeTests
{
    private static IEnumerable<(int, int, int, int)> Glyphs(int count, int height) =>
        Enumerable.Range(0, count).Select(i => (i * 20, 100, Math.Max(2, height * 2 / 3), height));

    [Fact]
    public void MedianGlyphHeight_OfGlyphLikeBoxes_IsTheirMedianHeight()
    {
        var boxes = Glyphs(30, 10).Concat(Glyphs(20, 14));

        Assert.Equal(10f, TextSize.MedianGlyphHeight(boxes, 1000));
    }

    [Fact]
    public void MedianGlyphHeight_IgnoresSpecksRulesAndPictures()
    {
        var specks = Enumerable.Range(0, 200).Select(i => (i, 5, 2, 2));
        var horizontalRules = Enumerable.Range(0, 50).Select(i => (0, i * 10, 600, 8));
        var verticalRules = Enumerable.Range(0, 50).Select(i => (i * 10, 0, 2, 400));
        var pictures = Enumerable.Range(0, 50).Select(i => (0, 0, 300, 300));
        var boxes = Glyphs(25, 12).Concat(specks).Concat(horizontalRules).Concat(verticalRules).Concat(pictures);

        Assert.Equal(12f, TextSize.MedianGlyphHeight(boxes, 1000));
    }

    [Fact]
    public void MedianGlyphHeight_WithTooFewGlyphs_IsUnknown()
    {
        Assert.Null(TextSize.MedianGlyphHeight(Glyphs(TextSize.MinGlyphs - 1, 12), 1000));
    }

    [Fact]
    public void ScaleFor_SmallText_EnlargesTowardsTheTarget()
    {
        var glyph = TextSize.TargetGlyphHeight / 2;

        Assert.Equal(2f, TextSize.ScaleFor(glyph), 3);
    }

    [Fact]
    public void ScaleFor_TinyText_IsCappedAtTheLargestEnlargement()
    {
        Assert.Equal(TextSize.MaxUpscale, TextSize.ScaleFor(1f));
    }

    [Fact]
    public void ScaleFor_LargeText_ReducesToTheLargestComfortableSize()
    {
        var glyph = TextSize.LargestGlyphHeight * 2;

        Assert.Equal(0.5f, TextSize.ScaleFor(glyph), 3);
    }

    [Fact]
    public void ScaleFor_HugeText_IsCappedAtTheSmallestReduction()
    {
        Assert.Equal(TextSize.MinScale, TextSize.ScaleFor(TextSize.LargestGlyphHeight * 100));
    }

    [Theory]
    [InlineData(0.9f)]
    [InlineData(1.0f)]
    [InlineData(1.5f)]
    [InlineData(2.5f)]
    public void ScaleFor_TextOfAComfortableSize_LeavesThePageAsItIs(float relative)
    {
        Assert.Equal(1f, TextSize.ScaleFor(TextSize.TargetGlyphHeight * relative));
    }

    [Fact]
    public void ScaleFor_UnknownSize_LeavesThePageAsItIs()
    {
        Assert.Equal(1f, TextSize.ScaleFor(null));
    }
}
