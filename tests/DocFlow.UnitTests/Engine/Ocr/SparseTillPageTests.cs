using DocFlow.Documents;
using DocFlow.Engine.Ocr;

namespace DocFlow.UnitTests.Engine.Ocr;

/// <summary>Which first readings of a page earn a reading as one block (<see cref="TesseractEnginePool.SparseTillPage"/>).</summary>
public sealed class SparseTillPageTests
{
    /// <summary>A page of <paramref name="lines"/> lines of four eight-letter words, each read at <paramref name="confidence"/>.</summary>
    private static PageLayout Page(int width, int height, int lines, float confidence)
    {
        var blocks = Enumerable.Range(0, lines).Select(i =>
        {
            var words = Enumerable.Range(0, 4).Select(j => new WordLayout("ABCDEFGH", new Box(10 + 60 * j, 20 * i, 60 + 60 * j, 20 * i + 12), confidence)).ToList();
            var line = new LineLayout(words, Box.Union(words.Select(w => w.Box)), confidence);
            return new BlockLayout([new ParagraphLayout([line], line.Box, confidence)], line.Box, confidence);
        }).ToList();
        return new PageLayout(1, width, height, "pixels", blocks, PageSource.Ocr) { Confidence = confidence };
    }

    [Fact]
    public void A_till_shaped_page_that_read_almost_nothing_is_sparse()
    {
        // Three lines: 96 characters at 0.6, far under what a read receipt holds.
        Assert.True(TesseractEnginePool.SparseTillPage(700, 1400, Page(700, 1400, 3, 0.6f)));
        Assert.True(TesseractEnginePool.SparseTillPage(600, 1800, Page(600, 1800, 0, 0f)));
    }

    [Fact]
    public void A_till_shaped_page_read_in_full_is_not_sparse()
    {
        // Twenty lines of confident words: 640 characters at 0.9.
        Assert.False(TesseractEnginePool.SparseTillPage(700, 1400, Page(700, 1400, 20, 0.9f)));
    }

    [Fact]
    public void A_page_shaped_scan_is_never_read_as_one_block_for_this()
    {
        // A form or letter that read little (a picture, a blank page) keeps its automatic segmentation.
        Assert.False(TesseractEnginePool.SparseTillPage(1000, 1300, Page(1000, 1300, 1, 0.5f)));
        Assert.False(TesseractEnginePool.SparseTillPage(1300, 1000, Page(1300, 1000, 0, 0f)));
    }
}
