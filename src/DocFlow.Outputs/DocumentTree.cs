using DocFlow.Documents;

namespace DocFlow.Outputs;

/// <summary>A token (word) of a page: its text and box in the page's units (pixels or points), confidence 0..1.</summary>
internal sealed record TreeWord(string Text, Box Box, float Confidence);

internal sealed record TreeLine(IReadOnlyList<TreeWord> Words, Box Box, float Confidence, long Start, long End)
{
    public string Text => string.Join(' ', Words.Select(w => w.Text));
}

internal sealed record TreeParagraph(IReadOnlyList<TreeLine> Lines, Box Box, float Confidence, long Start, long End);

internal sealed record TreeBlock(IReadOnlyList<TreeParagraph> Paragraphs, Box Box, float Confidence);

/// <summary>
/// The nesting of a Document page (blocks ⊃ paragraphs ⊃ lines ⊃ tokens), rebuilt from the flat lists through the text anchors
/// (each level's anchor covers the anchors of the level below, see <see cref="DocumentAssembler"/>), in reading order.
/// </summary>
internal static class DocumentTree
{
    public static IReadOnlyList<TreeBlock> Build(Document document, Page page)
    {
        var tokens = (page.Tokens ?? []).Select(t => (Range: RangeOf(t.Layout), Word: new TreeWord(
            DocumentAssembler.TextOf(document, t.Layout?.TextAnchor), BoxOf(t.Layout, page), t.Layout?.Confidence ?? 0f))).ToList();
        var lines = (page.Lines ?? []).Select(l => (Range: RangeOf(l.Layout), l.Layout)).ToList();
        var paragraphs = (page.Paragraphs ?? []).Select(p => (Range: RangeOf(p.Layout), p.Layout)).ToList();
        var blocks = (page.Blocks ?? []).Select(b => (Range: RangeOf(b.Layout), b.Layout)).ToList();

        var treeLines = lines.Select(l => new TreeLine(
            [.. tokens.Where(t => Inside(t.Range, l.Range)).Select(t => t.Word)], BoxOf(l.Layout, page), l.Layout?.Confidence ?? 0f,
            l.Range.Start, l.Range.End)).ToList();
        var treeParagraphs = paragraphs.Select(p => new TreeParagraph(
            [.. treeLines.Where(l => Inside((l.Start, l.End), p.Range))], BoxOf(p.Layout, page), p.Layout?.Confidence ?? 0f,
            p.Range.Start, p.Range.End)).ToList();
        return [.. blocks.Select(b => new TreeBlock(
            [.. treeParagraphs.Where(p => Inside((p.Start, p.End), b.Range))], BoxOf(b.Layout, page), b.Layout?.Confidence ?? 0f))];
    }

    private static bool Inside((long Start, long End) inner, (long Start, long End) outer) =>
        inner.End > inner.Start && inner.Start >= outer.Start && inner.End <= outer.End;

    internal static (long Start, long End) RangeOf(Layout? layout)
    {
        var segments = layout?.TextAnchor?.TextSegments;
        if (segments is null || segments.Count == 0) return (0, 0);
        return (segments.Min(s => s.StartIndex), segments.Max(s => s.EndIndex));
    }

    /// <summary>A layout's box in page units: from the normalised vertices (exact) when there are, else the vertices.</summary>
    internal static Box BoxOf(Layout? layout, Page page)
    {
        var poly = layout?.BoundingPoly;
        float w = page.Dimension?.Width ?? 0, h = page.Dimension?.Height ?? 0;
        if (poly?.NormalizedVertices is { Count: > 0 } n && w > 0 && h > 0)
            return new Box(n.Min(v => v.X) * w, n.Min(v => v.Y) * h, n.Max(v => v.X) * w, n.Max(v => v.Y) * h);
        if (poly?.Vertices is { Count: > 0 } v)
            return new Box(v.Min(p => p.X), v.Min(p => p.Y), v.Max(p => p.X), v.Max(p => p.Y));
        return default;
    }
}
