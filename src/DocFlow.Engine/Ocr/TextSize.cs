namespace DocFlow.Engine.Ocr;

/// <summary>
/// The size of a page's text, estimated from the bounding boxes of its ink components (glyphs, mostly), and the
/// scale that brings it to the size Tesseract reads best.
/// </summary>
/// <remarks>
/// Tesseract reads low-resolution scans (forms at ~72 dpi, median glyphs of 6-9 px) much worse than the same page
/// enlarged, and very large scans (receipts scanned on A4 at 600 dpi, glyphs of 40-70 px) no better than reduced, for
/// seconds more. The figures below were measured on the labelled dev sets (../shared/devset, OCR token F1).
/// </remarks>
internal static class TextSize
{
    /// <summary>
    /// Pages whose median glyph (closed ink component) is smaller are enlarged to this height (pixels). On the FUNSD forms
    /// (~72 dpi, glyphs of 6-9 px) enlarging to 12 px raised OCR token F1 from 0.61 to 0.69, to 10 px only to 0.66, and
    /// 16 px was no better than 12 for twice the time.
    /// </summary>
    public const float TargetGlyphHeight = 12f;

    /// <summary>
    /// Pages whose median glyph is larger than this (by more than <see cref="MaxDownscale"/>) are reduced to it: the
    /// 600 dpi receipt scans read as well or better at this size (SROIE token F1 0.714 → 0.725) in a fraction of the time.
    /// </summary>
    public const float LargestGlyphHeight = 24f;

    /// <summary>Enlarge only by at least this much: smaller steps cost resampling for nothing measurable.</summary>
    public const float MinUpscale = 1.2f;

    /// <summary>Reduce only by at least this much (a factor of at most this).</summary>
    public const float MaxDownscale = 0.7f;

    /// <summary>Enlarging further only costs time (and interpolation blurs).</summary>
    public const float MaxUpscale = 3f;
    /// <summary>Reducing further loses thin strokes.</summary>
    public const float MinScale = 0.25f;

    /// <summary>Fewer glyph-like components than this: too little text to judge its size.</summary>
    public const int MinGlyphs = 20;

    /// <summary>
    /// Median height of the glyph-like components among <paramref name="boxes"/> (in the boxes' pixels), or null when
    /// there are too few. Glyph-like: at least 4 px tall (specks are smaller), at most a tenth of the page, no more than
    /// three times as wide as tall (ruling lines, touching words) and not much taller than wide (vertical rules).
    /// </summary>
    public static float? MedianGlyphHeight(IEnumerable<(int X, int Y, int Width, int Height)> boxes, int pageHeight)
    {
        var heights = boxes
            .Where(b => b.Height >= 4 && b.Height <= Math.Max(8, pageHeight / 10) && b.Width <= 3 * b.Height && b.Height <= 6 * b.Width)
            .Select(b => b.Height)
            .ToList();
        if (heights.Count < MinGlyphs)
            return null;
        heights.Sort();
        return heights[heights.Count / 2];
    }

    /// <summary>
    /// The factor to scale a page by before recognition so its median glyph is <see cref="TargetGlyphHeight"/> tall;
    /// 1 when the size is unknown or already close enough.
    /// </summary>
    public static float ScaleFor(float? glyphHeight)
    {
        if (glyphHeight is not > 0f)
            return 1f;
        var g = glyphHeight.Value;
        if (TargetGlyphHeight / g >= MinUpscale)
            return Math.Min(TargetGlyphHeight / g, MaxUpscale);
        if (LargestGlyphHeight / g <= MaxDownscale)
            return Math.Max(LargestGlyphHeight / g, MinScale);
        return 1f;
    }
}
