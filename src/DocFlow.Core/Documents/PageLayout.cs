namespace DocFlow.Documents;

/// <summary>An axis-aligned box in page units (pixels or points), origin top-left.</summary>
public readonly record struct Box(float Left, float Top, float Right, float Bottom)
{
    public float Width => Right - Left;
    public float Height => Bottom - Top;
    public float CenterY => (Top + Bottom) / 2;

    public static Box Union(IEnumerable<Box> boxes)
    {
        float l = float.MaxValue, t = float.MaxValue, r = float.MinValue, b = float.MinValue;
        var any = false;
        foreach (var x in boxes)
        {
            any = true;
            l = Math.Min(l, x.Left); t = Math.Min(t, x.Top); r = Math.Max(r, x.Right); b = Math.Max(b, x.Bottom);
        }
        return any ? new Box(l, t, r, b) : default;
    }
}

/// <summary>A recognised word (OCR) or text-layer word with its box and confidence (0..1).</summary>
public sealed record WordLayout(string Text, Box Box, float Confidence);

public sealed record LineLayout(IReadOnlyList<WordLayout> Words, Box Box, float Confidence);

public sealed record ParagraphLayout(IReadOnlyList<LineLayout> Lines, Box Box, float Confidence);

public sealed record BlockLayout(IReadOnlyList<ParagraphLayout> Paragraphs, Box Box, float Confidence);

/// <summary>A straight horizontal or vertical line drawn on a page, from (X1,Y1) to (X2,Y2), top-left origin.</summary>
public readonly record struct Ruling(float X1, float Y1, float X2, float Y2)
{
    public bool IsHorizontal => MathF.Abs(Y2 - Y1) <= MathF.Abs(X2 - X1);
}

/// <summary>How a page's text was obtained.</summary>
public enum PageSource
{
    /// <summary>Words read from the PDF's text layer.</summary>
    TextLayer,
    /// <summary>Words recognised by OCR from an image or a scanned PDF page.</summary>
    Ocr,
}

/// <summary>
/// The engine-neutral layout of one page, before it becomes part of a <see cref="Document"/>.
/// </summary>
/// <remarks>OCR and the PDF text layer both produce this; <see cref="DocumentAssembler"/> alone turns it
/// into text with anchors, so anchors are computed in one place.</remarks>
public sealed record PageLayout(
    int PageNumber,
    float Width,
    float Height,
    string Unit,
    IReadOnlyList<BlockLayout> Blocks,
    PageSource Source)
{
    /// <summary>Clockwise rotation in degrees (0, 90, 180, 270) applied to make the page upright.</summary>
    public int RotationApplied { get; init; }

    /// <summary>Mean word confidence of the page (0..1), or 1 for text-layer pages.</summary>
    public float Confidence { get; init; } = 1f;

    /// <summary>Languages the page was read with, e.g. "en".</summary>
    public string? LanguageCode { get; init; }

    /// <summary>Straight drawn lines on the page (table rules, form boxes), in page units; empty when unknown.</summary>
    public IReadOnlyList<Ruling> Rulings { get; init; } = [];

    /// <summary>Boxes of the text-layer words whose glyph advances show a fixed-pitch (monospaced) font; empty for OCR.</summary>
    public IReadOnlyList<Box> FixedPitchWords { get; init; } = [];

    /// <summary>
    /// The page read a second time as one uniform block of text (Tesseract's single-block segmentation), or null when it
    /// was read once. Only till receipts are read twice: automatic segmentation drops their right-hand amount column now
    /// and then, and the receipt rules take a total or a date from this reading when the first has none or a worse one.
    /// The page's text, tokens and anchors always come from <see cref="Blocks"/>: on a page read twice, the first reading
    /// with the second's words wherever the second read a stretch of a line more confidently (amounts, dates and times
    /// excepted).
    /// </summary>
    public IReadOnlyList<BlockLayout>? SecondReading { get; init; }

    /// <summary>Page text as the assembler writes it: words joined by a space, each line ended by '\n'.</summary>
    public string PlainText()
    {
        var sb = new System.Text.StringBuilder();
        foreach (var b in Blocks)
            foreach (var p in b.Paragraphs)
                foreach (var l in p.Lines)
                {
                    for (var i = 0; i < l.Words.Count; i++)
                    {
                        if (i > 0) sb.Append(' ');
                        sb.Append(l.Words[i].Text);
                    }
                    sb.Append('\n');
                }
        return sb.ToString();
    }
}
