using DocFlow.Documents;
using DocFlow.Engine.Extraction;

namespace DocFlow.UnitTests.Engine.Extraction.Tables;

/// <summary>
/// Builds a one-page Document from hand-placed text: each row is a list of (left, text) pieces on one
/// line; words are 5 units per character; a word's box is as tall as its letters reach
/// in a font of the line's size (ascenders and descenders), as glyph boxes are.
/// </summary>
public sealed class FixturePage
{
    public const float CharWidth = 5f;
    private readonly List<LineLayout> _lines = [];
    private readonly List<Ruling> _rulings = [];

    public float Height { get; init; } = 10f;

    /// <summary>A line whose top is at <paramref name="top"/>; pieces at their x, split into words at spaces. Right-aligned pieces give a negative x: their right edge.</summary>
    public FixturePage Line(float top, params (float X, string Text)[] pieces) => Line(top, Height, pieces);

    public FixturePage Line(float top, float height, params (float X, string Text)[] pieces)
    {
        var words = new List<WordLayout>();
        foreach (var (x0, text) in pieces)
        {
            var x = x0 < 0 ? -x0 - text.Length * CharWidth : x0;
            foreach (var word in text.Split(' '))
            {
                if (word.Length > 0)
                {
                    var up = word.Any(c => char.IsUpper(c) || char.IsDigit(c) || "bdfhiklt/()[]{}|@$%&#?!".Contains(c));
                    var down = word.Any(c => "gjpqy,;()[]{}|@".Contains(c));
                    var h = height * (up && down ? 0.95f : up || down ? 0.74f : 0.52f);
                    words.Add(new WordLayout(word, new Box(x, top + height - h, x + word.Length * CharWidth, top + height), 0.9f));
                }
                x += (word.Length + 1) * CharWidth;
            }
        }
        _lines.Add(new LineLayout(words, Box.Union(words.Select(w => w.Box)), 0.9f));
        return this;
    }

    public FixturePage Rule(float x1, float y1, float x2, float y2)
    {
        _rulings.Add(new Ruling(x1, y1, x2, y2));
        return this;
    }

    /// <summary>The four sides of a rectangle.</summary>
    public FixturePage Rect(float left, float top, float right, float bottom) =>
        Rule(left, top, right, top).Rule(left, bottom, right, bottom).Rule(left, top, left, bottom).Rule(right, top, right, bottom);

    public (Document Document, IReadOnlyList<PageLayout> Layouts) Build(PageSource source = PageSource.TextLayer)
    {
        var paragraph = new ParagraphLayout(_lines, Box.Union(_lines.Select(l => l.Box)), 0.9f);
        var block = new BlockLayout([paragraph], paragraph.Box, 0.9f);
        var layout = new PageLayout(1, 600, 800, "points", [block], source) { Rulings = _rulings };
        return (DocumentAssembler.Assemble("application/pdf", [layout]), [layout]);
    }

    /// <summary>The anchor's text as a client reads it (segments concatenated), whitespace-normalised.</summary>
    public static string Text(Document document, Layout? layout) =>
        string.Join(' ', string.Concat((layout?.TextAnchor?.TextSegments ?? []).Select(s => document.Text![(int)s.StartIndex..(int)s.EndIndex]))
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
