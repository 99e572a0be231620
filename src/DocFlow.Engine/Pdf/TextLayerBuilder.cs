using DocFlow.Documents;

namespace DocFlow.Engine.Pdf;

/// <summary>
/// Orders text-layer words into blocks, paragraphs and lines, top to bottom.
/// </summary>
/// <remarks>
/// A line is every word whose baseline band overlaps the line's, across the whole page width, sorted
/// left to right: a table row on an invoice reads as one line, its cells joined by single spaces.
/// Lines go top to bottom. A new paragraph starts where the baseline distance exceeds 1.5 times the
/// font size or the font size jumps (a heading); a new block where it exceeds 2.5 times.
/// Side-by-side columns are read line by line across the page, not column by column.
/// </remarks>
internal static class TextLayerBuilder
{
    /// <summary>Fewer words than this on top of a full-page image are a stamp on a scan, not a text layer.</summary>
    public const int MinWordsOverFullPageImage = 15;

    private const int MinLetters = 3;
    private const double MaxGarbageShare = 0.1;
    private const float ParagraphPitch = 1.5f;
    private const float BlockPitch = 2.5f;
    private const float HeadingSizeRatio = 1.25f;

    /// <summary>
    /// Usable text has real letters and is not mostly unmapped glyphs (private-use code points or U+FFFD,
    /// what fonts without a Unicode map produce).
    /// </summary>
    public static bool IsUsable(IReadOnlyList<PdfWord> words)
    {
        int letters = 0, garbage = 0, total = 0;
        foreach (var w in words)
            foreach (var c in w.Text)
            {
                total++;
                if (char.IsLetter(c) && !IsGarbage(c)) letters++;
                else if (IsGarbage(c)) garbage++;
            }
        return letters >= MinLetters && garbage <= total * MaxGarbageShare;
    }

    private static bool IsGarbage(char c) => c == '\uFFFD' || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.PrivateUse;

    public static PageLayout? Build(int pageNumber, PageSnapshot page)
    {
        if (!page.HasUsableText || page.Words.Count == 0) return null;
        var words = SplitAtGlyphGaps(page.Words);
        var lines = GroupLines(words);
        var blocks = new List<BlockLayout>();
        var paragraphs = new List<ParagraphLayout>();
        var current = new List<TextLine>();
        TextLine? previous = null;

        foreach (var line in lines)
        {
            if (previous is not null)
            {
                var size = Math.Max(previous.FontSize, line.FontSize);
                var pitch = line.Baseline - previous.Baseline;
                var ratio = Math.Max(previous.FontSize, line.FontSize) / Math.Max(0.1f, Math.Min(previous.FontSize, line.FontSize));
                if (pitch > BlockPitch * size)
                {
                    paragraphs.Add(Paragraph(current));
                    blocks.Add(Block(paragraphs));
                    current = [];
                    paragraphs = [];
                }
                else if (pitch > ParagraphPitch * size || ratio > HeadingSizeRatio)
                {
                    paragraphs.Add(Paragraph(current));
                    current = [];
                }
            }
            current.Add(line);
            previous = line;
        }
        paragraphs.Add(Paragraph(current));
        blocks.Add(Block(paragraphs));

        return new PageLayout(pageNumber, page.Width, page.Height, "points", blocks, PageSource.TextLayer) {
            Confidence = 1f,
            Rulings = page.Rulings,
            FixedPitchWords = [.. words.Where(w => w.FixedPitch == true).Select(w => w.Box)],
        };
    }

    private sealed class TextLine(PdfWord first)
    {
        public List<PdfWord> Words { get; } = [first];
        public float BandTop { get; private set; } = Top(first);
        public float BandBottom { get; private set; } = Bottom(first);
        public float Baseline { get; private set; } = first.Baseline;
        public float FontSize { get; private set; } = first.FontSize;

        // The band a word's glyphs occupy by its font size: ascenders above the baseline, descenders below.
        public static float Top(PdfWord w) => w.Baseline - 0.8f * w.FontSize;
        public static float Bottom(PdfWord w) => w.Baseline + 0.2f * w.FontSize;

        public float Overlap(PdfWord w)
        {
            var overlap = Math.Min(BandBottom, Bottom(w)) - Math.Max(BandTop, Top(w));
            return overlap / Math.Min(BandBottom - BandTop, Bottom(w) - Top(w));
        }

        public void Add(PdfWord w)
        {
            Words.Add(w);
            BandTop = Math.Min(BandTop, Top(w));
            BandBottom = Math.Max(BandBottom, Bottom(w));
            FontSize = Math.Max(FontSize, w.FontSize);
            // The dominant baseline: that of the words in the line's most common font size.
            Baseline = Words.GroupBy(x => MathF.Round(x.Baseline)).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().First().Baseline;
        }

        public LineLayout ToLayout()
        {
            var words = Words.OrderBy(w => w.Box.Left).Select(w => new WordLayout(w.Text, w.Box, 1f)).ToList();
            return new LineLayout(words, Box.Union(words.Select(w => w.Box)), 1f);
        }
    }

    /// <summary>A gap between two glyphs of one word wider than this many font sizes separates two words (a word space is ~0.3 em).</summary>
    internal const float GlyphGapSplit = 0.6f;

    /// <summary>
    /// Splits words at wide gaps between their glyphs. Some producers draw a whole table row as one text
    /// run, its cells apart by glyph displacements rather than spaces; a word extractor that joins them
    /// would make one cell of the row.
    /// </summary>
    internal static IReadOnlyList<PdfWord> SplitAtGlyphGaps(IReadOnlyList<PdfWord> words)
    {
        List<PdfWord>? result = null;
        for (var i = 0; i < words.Count; i++)
        {
            var w = words[i];
            var cuts = w.Glyphs.Count < 2 ? null : Cuts(w);
            if (cuts is not { Count: > 0 })
            {
                result?.Add(w);
                continue;
            }
            result ??= [.. words.Take(i)];
            var from = 0;
            foreach (var cut in cuts.Append(w.Glyphs.Count))
            {
                var glyphs = w.Glyphs.Skip(from).Take(cut - from).ToList();
                result.Add(new PdfWord(string.Concat(glyphs.Select(g => g.Text)), Box.Union(glyphs.Select(g => g.Box)), w.Baseline, w.FontSize, w.Invisible) { Glyphs = glyphs, FixedPitch = w.FixedPitch });
                from = cut;
            }
        }
        return result ?? words;
    }

    private static List<int> Cuts(PdfWord w)
    {
        var cuts = new List<int>();
        for (var k = 1; k < w.Glyphs.Count; k++)
            if (w.Glyphs[k].Box.Left - w.Glyphs[k - 1].Box.Right > GlyphGapSplit * w.FontSize) cuts.Add(k);
        return cuts;
    }

    /// <summary>Words whose baseline bands overlap by at least half the smaller band share a line.</summary>
    private static List<TextLine> GroupLines(IReadOnlyList<PdfWord> words)
    {
        var lines = new List<TextLine>();
        foreach (var word in words.OrderBy(w => w.Baseline).ThenBy(w => w.Box.Left))
        {
            TextLine? best = null;
            var bestOverlap = 0.5f;
            // Words come in baseline order, so only the most recent lines can still overlap.
            for (var i = lines.Count - 1; i >= 0 && i >= lines.Count - 4; i--)
            {
                var overlap = lines[i].Overlap(word);
                if (overlap >= bestOverlap) { best = lines[i]; bestOverlap = overlap; }
            }
            if (best is null) lines.Add(new TextLine(word));
            else best.Add(word);
        }
        return [.. lines.OrderBy(l => l.Baseline)];
    }

    private static ParagraphLayout Paragraph(List<TextLine> lines)
    {
        var layouts = lines.Select(l => l.ToLayout()).ToList();
        return new ParagraphLayout(layouts, Box.Union(layouts.Select(l => l.Box)), 1f);
    }

    private static BlockLayout Block(List<ParagraphLayout> paragraphs) =>
        new(paragraphs, Box.Union(paragraphs.Select(p => p.Box)), 1f);
}
