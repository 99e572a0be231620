using DocFlow.Documents;
using Page = UglyToad.PdfPig.Content.Page;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Util;

namespace DocFlow.Engine.Pdf;

/// <summary>A text-layer word in page points, origin top-left.</summary>
/// <param name="Baseline">Distance of the baseline from the top of the page.</param>
/// <param name="FontSize">The effective font size in points (the height of the em box).</param>
/// <param name="Invisible">Drawn with text rendering mode 3/7, as OCR layers over scans are.</param>
internal sealed record PdfWord(string Text, Box Box, float Baseline, float FontSize, bool Invisible)
{
    /// <summary>The word's glyphs left to right (text piece and box), for splitting at wide glyph gaps; empty when unknown.</summary>
    public IReadOnlyList<(string Text, Box Box)> Glyphs { get; init; } = [];

    /// <summary>True when the glyph advances show a fixed-pitch (monospaced) font, false when they show a proportional one,
    /// null when the word cannot tell (too short, or only letters of one width class).</summary>
    public bool? FixedPitch { get; init; }
}

/// <summary>An image taken from the PDF that leptonica can decode as it is.</summary>
internal sealed record EmbeddedPageImage(byte[] Bytes, string MimeType);

/// <summary>
/// Everything needed from a PdfPig page, copied out while the document lock is held, so the layout
/// work can run outside it.
/// </summary>
internal sealed record PageSnapshot(float Width, float Height, IReadOnlyList<PdfWord> Words, bool HasUsableText, EmbeddedPageImage? PageImage)
{
    /// <summary>Lines drawn on the page (table rules, boxes), top-left origin; read only for pages with usable text.</summary>
    public IReadOnlyList<Ruling> Rulings { get; init; } = [];

    /// <param name="maxImagePixels">A page image with more pixels is not taken out (decoding it would cost its full size in
    /// memory); the page is rendered instead, at a resolution that fits the render budget.</param>
    public static PageSnapshot Take(Page page, IWordExtractor extractor, long maxImagePixels = long.MaxValue)
    {
        var crop = page.CropBox.Bounds;
        var width = (float)crop.Width;
        var height = (float)crop.Height;
        if (page.Rotation.Value != 0)
        {
            // PdfPig turns the letters of a /Rotate page into a display space whose origin it does not expose
            // consistently; rather than guess, such pages go the rasteriser's way (pdftoppm applies /Rotate).
            return page.Rotation.SwapsAxis
                ? new PageSnapshot(height, width, [], false, null)
                : new PageSnapshot(width, height, [], false, null);
        }
        var words = new List<PdfWord>();
        var fonts = new List<string?>();
        foreach (var w in page.GetWords(extractor))
        {
            var text = Sanitize(w.Text);
            if (text.Length == 0 || w.Letters.Count == 0) continue;
            var b = w.BoundingBox;
            var box = new Box((float)(b.Left - crop.Left), (float)(crop.Top - b.Top), (float)(b.Right - crop.Left), (float)(crop.Top - b.Bottom));
            var baseline = (float)(crop.Top - w.Letters[0].StartBaseLine.Y);
            var size = (float)w.Letters.Max(l => l.PointSize);
            if (size <= 0) size = Math.Max(box.Height, 1f);
            var invisible = w.Letters.All(l => l.RenderingMode is TextRenderingMode.Neither or TextRenderingMode.NeitherClip);
            // Glyph boxes are kept only for the rare word with a gap wide enough to split it (TextLayerBuilder.SplitAtGlyphGaps).
            words.Add(new PdfWord(text, box, baseline, size, invisible) { Glyphs = HasWideGap(w, size) ? Glyphs(w, crop, text) : [], FixedPitch = FixedPitch(w) });
            fonts.Add(w.Letters[0].FontName);
        }
        FixedPitchByFont(words, fonts);

        var usable = TextLayerBuilder.IsUsable(words);
        EmbeddedPageImage? image = null;
        // A scanner's stamp ("Page 1", a Bates number) on top of a full-page image does not make a page digital.
        if (usable && words.Count < TextLayerBuilder.MinWordsOverFullPageImage && !words.All(w => w.Invisible)
            && PageImageExtractor.HasFullPageImage(page))
            usable = false;
        if (!usable)
            image = PageImageExtractor.TryExtract(page, maxImagePixels);
        return new PageSnapshot(width, height, words, usable, image) { Rulings = usable ? RulingExtractor.Extract(page) : [] };
    }

    /// <summary>Whether two consecutive visible glyphs of the word are further apart than <see cref="TextLayerBuilder.GlyphGapSplit"/> font sizes.</summary>
    private static bool HasWideGap(Word word, float fontSize)
    {
        double? right = null;
        foreach (var l in word.Letters)
        {
            if (Sanitize(l.Value).Length == 0) continue;
            if (right is { } r && l.BoundingBox.Left - r > TextLayerBuilder.GlyphGapSplit * fontSize) return true;
            right = l.BoundingBox.Right;
        }
        return false;
    }

    /// <summary>Characters that are narrow in a proportional font (i, l, t, punctuation) and wide ones (m, w); not digits,
    /// which are of one width in most proportional fonts too (tabular figures).</summary>
    private const string NarrowOrWide = "iljtfrI.,:;!|'()[]mwMW";

    /// <summary>
    /// Whether the word is set in a fixed-pitch font, from its glyph advances: all equal, over characters that differ in
    /// width in any proportional font (a narrow "i" or "." beside an "a", or a wide "m"), is fixed pitch; advances that
    /// differ are proportional. Digits alone or letters of one width ("hope" in Helvetica) cannot tell.
    /// </summary>
    internal static bool? FixedPitch(Word word)
    {
        var letters = word.Letters.Where(l => l.Value.Length == 1 && !char.IsWhiteSpace(l.Value[0])).ToList();
        if (letters.Count < 3) return null;
        var advances = letters.Select(l => Math.Abs(l.EndBaseLine.X - l.StartBaseLine.X)).ToList();
        double min = advances.Min(), max = advances.Max();
        if (max <= 0) return null;
        if (max - min > 0.03 * max) return false;
        var marked = letters.Count(l => NarrowOrWide.Contains(l.Value[0]));
        return marked > 0 && marked < letters.Count ? true : null;
    }

    /// <summary>Words of a font that tell their pitch before the font's pitch is taken for its other words.</summary>
    internal const int FontPitchWords = 3;

    /// <summary>
    /// A word too short to tell its pitch ("N", "R1", "23") is set in the pitch of its font, when the page's words in that
    /// font that can tell agree (<see cref="FontPitchWords"/> or more, all fixed or all proportional): a listing's one-
    /// and two-letter tokens are fixed pitch with the rest of the listing.
    /// </summary>
    internal static void FixedPitchByFont(List<PdfWord> words, IReadOnlyList<string?> fonts)
    {
        var votes = new Dictionary<string, (int Fixed, int Proportional)>(StringComparer.Ordinal);
        for (var i = 0; i < words.Count; i++)
        {
            if (fonts[i] is not { Length: > 0 } font || words[i].FixedPitch is not { } pitch) continue;
            var (f, p) = votes.GetValueOrDefault(font);
            votes[font] = pitch ? (f + 1, p) : (f, p + 1);
        }
        for (var i = 0; i < words.Count; i++)
        {
            if (words[i].FixedPitch is not null || fonts[i] is not { Length: > 0 } font || !votes.TryGetValue(font, out var v)) continue;
            if (v.Fixed >= FontPitchWords && v.Proportional == 0) words[i] = words[i] with { FixedPitch = true };
            else if (v.Proportional >= FontPitchWords && v.Fixed == 0) words[i] = words[i] with { FixedPitch = false };
        }
    }

    /// <summary>Whether a word's text has what <see cref="FixedPitch"/> needs to tell a fixed-pitch font from a proportional one.</summary>
    internal static bool CanTellPitch(string text)
    {
        var chars = text.Count(c => !char.IsWhiteSpace(c));
        var marked = text.Count(c => NarrowOrWide.Contains(c));
        return chars >= 3 && marked > 0 && marked < chars;
    }

    /// <summary>The glyphs of a word in page coordinates, when their texts make up the word's text exactly (left-to-right scripts).</summary>
    private static IReadOnlyList<(string Text, Box Box)> Glyphs(Word word, PdfRectangle crop, string text)
    {
        if (word.Letters.Count < 2) return [];
        var glyphs = new List<(string, Box)>(word.Letters.Count);
        var length = 0;
        foreach (var l in word.Letters)
        {
            var piece = Sanitize(l.Value);
            if (piece.Length == 0) continue;
            var b = l.BoundingBox;
            glyphs.Add((piece, new Box((float)(b.Left - crop.Left), (float)(crop.Top - b.Top), (float)(b.Right - crop.Left), (float)(crop.Top - b.Bottom))));
            length += piece.Length;
        }
        return length == text.Length && string.Concat(glyphs.Select(g => g.Item1)) == text ? glyphs : [];
    }

    /// <summary>Word text may not hold whitespace or control characters: the text convention joins words with one space.</summary>
    private static string Sanitize(string text)
    {
        if (!text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '\u00AD')) return text;
        return string.Concat(text.Where(c => !(char.IsWhiteSpace(c) || char.IsControl(c) || c == '\u00AD')));
    }
}
