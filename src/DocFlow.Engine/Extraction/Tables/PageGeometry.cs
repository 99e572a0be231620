using DocFlow.Documents;

namespace DocFlow.Engine.Extraction.Tables;

/// <summary>A visual row of a page: the words whose vertical bands overlap, left to right.</summary>
internal sealed class VisualRow(List<WordView> words)
{
    public List<WordView> Words { get; } = words;
    public Box Box { get; private set; } = Box.Union(words.Select(w => w.Box));

    /// <summary>The median word height: the row's text size, robust to a tall bracket or a dot.</summary>
    public float Height { get; private set; } = PageGeometry.Median(words.Select(w => w.Box.Height));

    public void Merge(VisualRow other)
    {
        Words.AddRange(other.Words);
        Words.Sort((a, b) => a.Box.Left.CompareTo(b.Box.Left));
        Box = Box.Union(Words.Select(w => w.Box));
        Height = PageGeometry.Median(Words.Select(w => w.Box.Height));
    }
}

/// <summary>A run of words in a row separated from its neighbours by a gap wider than a word space.</summary>
internal sealed record Chunk(IReadOnlyList<WordView> Words)
{
    public Box Box { get; } = Box.Union(Words.Select(w => w.Box));
    public string Text { get; } = string.Join(' ', Words.Select(w => w.Text));
}

/// <summary>
/// Geometry shared by the table and form extractors: visual rows across the whole page width (OCR may
/// split one row into several lines, one per column), chunks of a row, anchors for a set of words.
/// </summary>
internal static class PageGeometry
{
    /// <summary>A gap wider than this many row heights separates chunks (a word space is ~0.3 em).</summary>
    public const float ChunkGap = 1.0f;

    public static float Median(IEnumerable<float> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
    }

    /// <summary>
    /// Rows of the page top to bottom. The page's lines are the units: lines whose vertical bands overlap by
    /// at least half of the smaller and that do not overlap horizontally become one row.
    /// </summary>
    public static List<VisualRow> Rows(PageView page, Func<WordView, bool>? include = null)
    {
        var units = new List<VisualRow>();
        var median = Median(page.Lines.SelectMany(l => l.Words).Select(w => w.Box.Height));
        foreach (var line in page.Lines)
        {
            var words = line.Words.Where(w => !IsSpeck(w, median) && (include is null || include(w))).ToList();
            if (words.Count == 0) continue;
            words.Sort((a, b) => a.Box.Left.CompareTo(b.Box.Left));
            units.Add(new VisualRow(words));
        }
        units.Sort((a, b) => a.Box.CenterY.CompareTo(b.Box.CenterY));
        var rows = new List<VisualRow>();
        foreach (var unit in units)
        {
            VisualRow? target = null;
            for (var i = rows.Count - 1; i >= 0 && i >= rows.Count - 6; i--)
            {
                var row = rows[i];
                var overlap = Math.Min(row.Box.Bottom, unit.Box.Bottom) - Math.Max(row.Box.Top, unit.Box.Top);
                var smaller = Math.Min(row.Height > 0 ? row.Height : row.Box.Height, unit.Height > 0 ? unit.Height : unit.Box.Height);
                if (overlap < 0.5f * smaller) continue;
                if (row.Words.Any(a => unit.Words.Any(b => OverlapX(a.Box, b.Box) > 0))) continue;
                target = row;
                break;
            }
            if (target is null) rows.Add(unit);
            else target.Merge(unit);
        }
        rows.Sort((a, b) => a.Box.Top.CompareTo(b.Box.Top));
        return rows;
    }

    /// <summary>
    /// Dust and stray marks that OCR reads as punctuation ('.', ',', '~', '|'): no letter or digit and much
    /// smaller than the page's text. They would otherwise open phantom columns.
    /// </summary>
    public static bool IsSpeck(WordView word, float medianHeight) =>
        !word.Text.Any(char.IsLetterOrDigit) && word.Box.Height < 0.45f * medianHeight;

    /// <summary>Splits a row at gaps wider than <see cref="ChunkGap"/> times its height.</summary>
    public static List<Chunk> Chunks(VisualRow row)
    {
        var chunks = new List<Chunk>();
        var current = new List<WordView>();
        var gap = ChunkGap * Math.Max(row.Height, 1f);
        foreach (var w in row.Words)
        {
            if (current.Count > 0 && w.Box.Left - current[^1].Box.Right > gap)
            {
                chunks.Add(new Chunk(current));
                current = [];
            }
            current.Add(w);
        }
        if (current.Count > 0) chunks.Add(new Chunk(current));
        return chunks;
    }

    public static float OverlapX(Box a, Box b) => Math.Min(a.Right, b.Right) - Math.Max(a.Left, b.Left);

    public static float OverlapY(Box a, Box b) => Math.Min(a.Bottom, b.Bottom) - Math.Max(a.Top, b.Top);

    /// <summary>A layout for words that may not be consecutive in the text: one segment per run of consecutive words.</summary>
    public static Layout LayoutOf(PageView page, IReadOnlyList<WordView> words, float? confidence = null)
    {
        if (words.Count == 0) return EmptyLayout(page, default, confidence ?? 0);
        var ordered = words.OrderBy(w => w.Start).ToList();
        var layout = DocumentView.LayoutOf(page, ordered[0].Start, ordered[^1].End, Box.Union(ordered.Select(w => w.Box)),
            confidence ?? ordered.Average(w => w.Confidence));
        var segments = new List<TextSegment>();
        int start = ordered[0].Start, end = ordered[0].End;
        for (var i = 1; i < ordered.Count; i++)
        {
            // Words of one line are one space apart in the text; anything else starts a new segment.
            if (ordered[i].Start <= end + 1) { end = Math.Max(end, ordered[i].End); continue; }
            // Clients concatenate the segments: keep the separator after this one (every word is followed by
            // a space or the line's '\n'), so a wrapped cell's "repair and" + "pipe" does not read "andpipe".
            segments.Add(new TextSegment { StartIndex = start, EndIndex = end + 1 });
            (start, end) = (ordered[i].Start, ordered[i].End);
        }
        segments.Add(new TextSegment { StartIndex = start, EndIndex = end });
        layout.TextAnchor!.TextSegments = segments;
        return layout;
    }

    /// <summary>A layout with no text: an empty form value, or a drawn checkbox.</summary>
    public static Layout EmptyLayout(PageView page, Box box, float confidence) => new()
    {
        TextAnchor = new TextAnchor { TextSegments = [], Content = string.Empty },
        Confidence = confidence,
        BoundingPoly = box.Width > 0 || box.Height > 0 ? DocumentAssembler.MakePoly(box, page.Width, page.Height) : null,
        Orientation = Orientation.PageUp,
    };

    /// <summary>Numbers, amounts, percentages, with an optional currency code or symbol: "1,560.00", "EUR 922.20", "96.1%", "(3.50)".</summary>
    public static bool IsNumeric(string text)
    {
        var t = text.Trim();
        if (t.Length == 0) return false;
        int digits = 0, letters = 0;
        foreach (var c in t)
        {
            if (char.IsDigit(c)) digits++;
            else if (char.IsLetter(c)) letters++;
        }
        // A currency code (EUR) or unit (pcs, kg) may accompany the digits; words may not.
        return digits > 0 && letters <= 3 && digits >= letters;
    }
}
