using DocFlow.Documents;

namespace DocFlow.Engine.Extraction;

/// <summary>A word of a page with its box (page units) and its place in <see cref="Document.Text"/>.</summary>
public sealed record WordView(string Text, Box Box, float Confidence, int Start, int End);

/// <summary>A line of a page: its words left to right, its box, and its span of <see cref="Document.Text"/> (without the '\n').</summary>
public sealed record LineView(IReadOnlyList<WordView> Words, Box Box, int Start, int End, string Text);

/// <summary>One page as enrichers see it: lines of words with geometry and text positions, plus the drawn rulings.</summary>
public sealed record PageView(int PageNumber, int PageIndex, float Width, float Height, string Unit, IReadOnlyList<LineView> Lines, IReadOnlyList<Ruling> Rulings, PageSource? Source)
{
    /// <summary>Boxes of the words set in a fixed-pitch font (<see cref="PageLayout.FixedPitchWords"/>).</summary>
    public IReadOnlyList<Box> FixedPitchWords { get; init; } = [];
}

/// <summary>
/// Reads a <see cref="Document"/>'s tokens and lines back into pages of lines of words with boxes and text
/// offsets, so every extractor works from the same geometry and writes anchors the same way.
/// </summary>
public static class DocumentView
{
    public static IReadOnlyList<PageView> Pages(Document document, IReadOnlyList<PageLayout>? layouts = null)
    {
        var text = document.Text ?? string.Empty;
        var result = new List<PageView>();
        var pages = document.Pages ?? [];
        for (var index = 0; index < pages.Count; index++)
        {
            var page = pages[index];
            var layout = layouts?.FirstOrDefault(l => l.PageNumber == page.PageNumber);
            var tokens = (page.Tokens ?? [])
                .Select(t => (Span: Span(t.Layout), t.Layout))
                .Where(t => t.Span.End > t.Span.Start)
                .Select(t => new WordView(text[t.Span.Start..t.Span.End], BoxOf(t.Layout), t.Layout?.Confidence ?? 0, t.Span.Start, t.Span.End))
                .OrderBy(w => w.Start)
                .ToList();
            var lines = new List<LineView>();
            var next = 0;
            foreach (var line in page.Lines ?? [])
            {
                var (start, end) = Span(line.Layout);
                if (end > start && text[end - 1] == '\n') end--;
                var words = new List<WordView>();
                while (next < tokens.Count && tokens[next].Start < start) next++;
                while (next < tokens.Count && tokens[next].End <= end) words.Add(tokens[next++]);
                if (words.Count == 0) continue;
                lines.Add(new LineView(words, BoxOf(line.Layout), start, end, text[start..end]));
            }
            result.Add(new PageView(page.PageNumber, index, page.Dimension?.Width ?? 0, page.Dimension?.Height ?? 0,
                page.Dimension?.Unit ?? "pixels", lines, layout?.Rulings ?? [], layout?.Source) { FixedPitchWords = layout?.FixedPitchWords ?? [] });
        }
        return result;
    }

    /// <summary>A layout for a span of text on a page: anchor, box in page units and normalised, confidence.</summary>
    public static Layout LayoutOf(PageView page, int start, int end, Box box, float confidence) => new()
    {
        TextAnchor = new TextAnchor
        {
            TextSegments = [new TextSegment { StartIndex = start, EndIndex = end }],
        },
        Confidence = confidence,
        BoundingPoly = DocumentAssembler.MakePoly(box, page.Width, page.Height),
        Orientation = Orientation.PageUp,
    };

    /// <summary>A layout covering <paramref name="words"/> (consecutive in the text).</summary>
    public static Layout LayoutOf(PageView page, IReadOnlyList<WordView> words) =>
        LayoutOf(page, words[0].Start, words[^1].End, Box.Union(words.Select(w => w.Box)), words.Average(w => w.Confidence));

    private static (int Start, int End) Span(Layout? layout)
    {
        var segments = layout?.TextAnchor?.TextSegments;
        if (segments is not { Count: > 0 }) return (0, 0);
        return ((int)segments[0].StartIndex, (int)segments[^1].EndIndex);
    }

    private static Box BoxOf(Layout? layout)
    {
        var v = layout?.BoundingPoly?.Vertices;
        if (v is not { Count: > 0 }) return default;
        return new Box(v.Min(p => p.X), v.Min(p => p.Y), v.Max(p => p.X), v.Max(p => p.Y));
    }
}
