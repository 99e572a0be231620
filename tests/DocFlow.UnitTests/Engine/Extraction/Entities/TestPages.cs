using DocFlow.Documents;

namespace DocFlow.UnitTests.Engine.Extraction.Entities;

/// <summary>Builds small fixture documents from hand-made page layouts: lines of words with boxes.</summary>
internal sealed class TestPages
{
    private readonly List<PageLayout> _pages = [];
    private List<LineLayout> _lines = [];
    private float _width = 1000, _height = 1400;

    /// <summary>Starts a page (pixels, OCR).</summary>
    public TestPages Page(float width = 1000, float height = 1400)
    {
        Flush();
        _width = width;
        _height = height;
        return this;
    }

    /// <summary>A line at <paramref name="y"/> of text height <paramref name="h"/>; each segment starts at its own x (a column).</summary>
    public TestPages Line(float y, float h, params (float X, string Text)[] segments)
    {
        var words = new List<WordLayout>();
        foreach (var (x0, text) in segments)
        {
            var x = x0;
            foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var w = word.Length * h * 0.55f;
                words.Add(new WordLayout(word, new Box(x, y, x + w, y + h), 0.95f));
                x += w + h * 0.3f;
            }
        }
        _lines.Add(new LineLayout(words, Box.Union(words.Select(w => w.Box)), 0.95f));
        return this;
    }

    /// <summary>A line of text starting at the left margin.</summary>
    public TestPages Text(float y, string text, float h = 20) => Line(y, h, (50, text));

    /// <summary>Lines one under another from <paramref name="top"/>, 30 px apart.</summary>
    public TestPages Lines(float top, params string[] lines)
    {
        for (var i = 0; i < lines.Length; i++) Text(top + 30 * i, lines[i]);
        return this;
    }

    public IReadOnlyList<PageLayout> Layouts()
    {
        Flush();
        return _pages;
    }

    public Document Build() => DocumentAssembler.Assemble("image/png", Layouts());

    private void Flush()
    {
        if (_lines.Count == 0) return;
        var blocks = _lines.Select(l => new BlockLayout([new ParagraphLayout([l], l.Box, l.Confidence)], l.Box, l.Confidence)).ToList();
        _pages.Add(new PageLayout(_pages.Count + 1, _width, _height, "pixels", blocks, PageSource.Ocr));
        _lines = [];
    }
}
