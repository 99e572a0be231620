using System.Text.RegularExpressions;
using DocFlow.Documents;
using DocFlow.Engine.Extraction.Tables;

namespace DocFlow.Engine.Ocr;

/// <summary>
/// Two OCR readings of one page merged word by word: the first reading (automatic segmentation) with, where the second
/// (the page read as one uniform block) read the same stretch of a line more confidently, the second's words instead.
/// </summary>
/// <remarks>
/// A receipt read twice is misread in different places by the two readings: "211082111" for "2110&amp;2111", "OreAGa"
/// for BANDAR, "Jin" for JLN in the first, read right by the second, and the other way round elsewhere. Tesseract's word
/// confidence tells them apart well enough (on the 80 SROIE dev receipts' labelled lines, a misread word of the first
/// reading has a median confidence of 0.62, a right one 0.93). Amounts, dates and times are left as the first reading
/// has them: the receipt rules read both readings for those and choose by their own evidence (the till's arithmetic, a
/// date label), which a word's confidence does not beat.
/// </remarks>
internal static partial class ReadingMerge
{
    /// <summary>The second reading's words replace the first's only when their mean confidence is higher by more than this.</summary>
    internal const float Margin = 0.05f;

    /// <summary>
    /// The first reading's blocks, paragraphs and lines, each line's words replaced group by group where the second reading
    /// is more confident. A group is a run of words of the first reading's line and of the second reading's line level
    /// with it that overlap each other horizontally (the two readings split words differently: "SS21/39, 47400" against
    /// "SS21/39,47400"). Words only the second reading has are not added; lines only the second has are not either.
    /// </summary>
    public static IReadOnlyList<BlockLayout> Merge(IReadOnlyList<BlockLayout> first, IReadOnlyList<BlockLayout> second)
    {
        var secondLines = second.SelectMany(b => b.Paragraphs).SelectMany(p => p.Lines).ToList();
        if (secondLines.Count == 0) return first;
        return first.Select(block =>
        {
            var paragraphs = block.Paragraphs.Select(paragraph =>
            {
                var lines = paragraph.Lines.Select(line => MergeLine(line, secondLines)).ToList();
                return new ParagraphLayout(lines, Box.Union(lines.Select(l => l.Box)), Mean(lines.SelectMany(l => l.Words)));
            }).ToList();
            return new BlockLayout(paragraphs, Box.Union(paragraphs.Select(p => p.Box)),
                Mean(paragraphs.SelectMany(p => p.Lines).SelectMany(l => l.Words)));
        }).ToList();
    }

    private static LineLayout MergeLine(LineLayout line, List<LineLayout> secondLines)
    {
        var match = secondLines
            .Select(s => (Line: s, Overlap: PageGeometry.OverlapY(s.Box, line.Box)))
            .Where(s => s.Overlap > 0.5f * Math.Min(line.Box.Height, s.Line.Box.Height))
            .OrderByDescending(s => s.Overlap)
            .FirstOrDefault().Line;
        if (match is null) return line;
        var theirs = match.Words.Where(w => PageGeometry.OverlapX(w.Box, line.Box) > 0).ToList();
        if (theirs.Count == 0) return line;

        // Groups: words of the two readings joined when they overlap by 30 % of the narrower one (union-find over both).
        var ours = line.Words;
        var parent = Enumerable.Range(0, ours.Count + theirs.Count).ToArray();
        int Find(int x)
        {
            while (parent[x] != x) x = parent[x] = parent[parent[x]];
            return x;
        }
        for (var i = 0; i < ours.Count; i++)
            for (var j = 0; j < theirs.Count; j++)
                if (PageGeometry.OverlapX(ours[i].Box, theirs[j].Box) > 0.3f * Math.Min(ours[i].Box.Width, theirs[j].Box.Width))
                    parent[Find(i)] = Find(ours.Count + j);

        var words = new List<WordLayout>(ours.Count);
        var changed = false;
        foreach (var group in Enumerable.Range(0, parent.Length).GroupBy(Find))
        {
            var mine = group.Where(k => k < ours.Count).Select(k => ours[k]).ToList();
            if (mine.Count == 0) continue;
            var other = group.Where(k => k >= ours.Count).Select(k => theirs[k - ours.Count]).ToList();
            if (Better(mine, other))
            {
                words.AddRange(other);
                changed = true;
            }
            else words.AddRange(mine);
        }
        if (!changed) return line;
        words.Sort((a, b) => a.Box.Left.CompareTo(b.Box.Left));
        return new LineLayout(words, Box.Union(words.Select(w => w.Box)), Mean(words));
    }

    /// <summary>Whether the second reading's words of a group replace the first's: they say something else, neither is an amount,
    /// a date or a time, and they are more confident by more than <see cref="Margin"/>.</summary>
    internal static bool Better(IReadOnlyList<WordLayout> first, IReadOnlyList<WordLayout> second)
    {
        if (second.Count == 0) return false;
        var a = string.Join(' ', first.Select(w => w.Text));
        var b = string.Join(' ', second.Select(w => w.Text));
        return a != b && !NumericRegex().IsMatch(a) && !NumericRegex().IsMatch(b) && Mean(second) > Mean(first) + Margin;
    }

    private static float Mean(IEnumerable<WordLayout> words)
    {
        var list = words as IReadOnlyCollection<WordLayout> ?? words.ToList();
        return list.Count == 0 ? 0f : list.Average(w => w.Confidence);
    }

    /// <summary>An amount ("12.50", "177,20"), a date ("02/O2/17", "18-11-18") or a time ("18:24"): the receipt rules' own.</summary>
    [GeneratedRegex(@"\d[.,]\d{2}\b|\d\s*[/.-]\s*[\dOoD]{1,2}\s*[/.-]\s*\d{2}|\d:\d{2}")]
    private static partial Regex NumericRegex();
}
