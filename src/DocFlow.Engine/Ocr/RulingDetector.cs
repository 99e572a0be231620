using DocFlow.Documents;
using DocFlow.Engine.Imaging;

namespace DocFlow.Engine.Ocr;

/// <summary>
/// Straight horizontal and vertical lines printed on a scan (form boxes, table rules, underlines), found by morphology on
/// its binarised image: an opening with a long, one-pixel-thin brick keeps only ink that runs straight for the brick's
/// length, which text does not.
/// </summary>
internal static class RulingDetector
{
    /// <summary>A ruling is at least this many median glyph heights long: shorter runs are letters (bars of E, T, underscores of a word).</summary>
    private const float MinLengthInGlyphs = 4f;
    /// <summary>Never shorter than this (analysis pixels), whatever the glyph size.</summary>
    private const int MinLengthPixels = 20;
    /// <summary>Thicker runs (in glyph heights) are filled areas (black bars, photos), not lines.</summary>
    private const float MaxThicknessInGlyphs = 0.5f;

    /// <summary>
    /// The rulings of the 1 bpp <paramref name="ink"/> (an analysis copy at <paramref name="analysisScale"/> of the original),
    /// in original pixels; with <paramref name="keepMask"/>, also a mask of their ink (slightly dilated) at the analysis size.
    /// </summary>
    public static (IReadOnlyList<Ruling> Rulings, PixImage? Mask) Detect(PixImage ink, float glyphHeight, float analysisScale, bool keepMask)
    {
        var length = Math.Max(MinLengthPixels, (int)MathF.Round(MinLengthInGlyphs * glyphHeight));
        var maxThickness = Math.Max(3, (int)MathF.Ceiling(MaxThicknessInGlyphs * glyphHeight));
        var rulings = new List<Ruling>();
        using var horizontal = ink.Opened(length, 1);
        using var vertical = ink.Opened(1, length);
        foreach (var (x, y, w, h) in horizontal.ComponentBoxes())
        {
            if (w < length || h > maxThickness) continue;
            var cy = (y + h / 2f) / analysisScale;
            rulings.Add(new Ruling(x / analysisScale, cy, (x + w) / analysisScale, cy));
        }
        foreach (var (x, y, w, h) in vertical.ComponentBoxes())
        {
            if (h < length || w > maxThickness) continue;
            var cx = (x + w / 2f) / analysisScale;
            rulings.Add(new Ruling(cx, y / analysisScale, cx, (y + h) / analysisScale));
        }
        if (!keepMask || rulings.Count == 0)
            return (rulings, null);
        using var both = horizontal.Or(vertical);
        return (rulings, both.Dilated(3, 3));
    }
}
