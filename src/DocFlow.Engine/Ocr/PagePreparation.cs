using DocFlow.Documents;
using DocFlow.Engine.Imaging;
using DocFlow.Processing;

namespace DocFlow.Engine.Ocr;

/// <summary>
/// A page made ready for Tesseract: scaled so its text has a comfortable size (see <see cref="TextSize"/>), with the
/// ruling lines found on it (in the original image's pixels).
/// </summary>
internal sealed class PreparedPage : IDisposable
{
    private readonly PixImage? _owned;

    public PreparedPage(PixImage original, PixImage? scaled, float factor, float? glyphHeight, IReadOnlyList<Ruling> rulings)
    {
        Original = original;
        _owned = scaled;
        Factor = factor;
        GlyphHeight = glyphHeight;
        Rulings = rulings;
    }

    public PixImage Original { get; }

    /// <summary>What Tesseract reads: the original, or a grey copy scaled by <see cref="Factor"/>.</summary>
    public PixImage Image => _owned ?? Original;

    /// <summary>Pixels of <see cref="Image"/> per pixel of the original.</summary>
    public float Factor { get; }

    /// <summary>Median glyph height in original pixels, when there was enough text to tell.</summary>
    public float? GlyphHeight { get; }

    public IReadOnlyList<Ruling> Rulings { get; }

    public void Dispose() => _owned?.Dispose();
}

internal static class PagePreparation
{
    /// <summary>The analysis (binarisation, components, morphology) runs on a copy of at most this many pixels: cheap, and still
    /// ~10 px glyphs on a 600 dpi A4 scan.</summary>
    private const int AnalysisMaxPixels = 2_500_000;

    /// <summary>Otsu tile size (analysis pixels): small enough to follow uneven backgrounds, large enough to hold text and paper.</summary>
    private const int BinarisationTile = 200;

    /// <summary>Glyph height (analysis pixels) assumed for sizing the ruling detector when the page has too little text to measure.</summary>
    private const float DefaultGlyphHeight = 10f;

    /// <summary>
    /// Pages at least this many times as tall as wide (till receipts: 1.6-3.0 on the SROIE scans; A4 and Letter pages are
    /// 1.29-1.41, the FUNSD forms 1.16-1.33) keep their rulings: a receipt's rules are dashed separators and column
    /// underlines that touch its text (painting them out read "SDN" as "SON"; keeping them raised SROIE key F1 0.545 → 0.571).
    /// </summary>
    internal const float ReceiptAspect = 1.5f;

    /// <summary>
    /// Whether the rulings found on a page are painted out (white) before recognition: only on pages that are enlarged
    /// (<paramref name="factor"/> &gt; 1, low-resolution scans) and not receipt-shaped. On low-resolution scans underlines
    /// and box edges run into the glyphs they touch and Tesseract's own line removal, sized for ~300 dpi, misses them
    /// (FUNSD forms, all enlarged: OCR token F1 0.668 → 0.694). On pages read at their own size it does harm: on the
    /// scanned sample invoice (300 dpi, ruled grid) Tesseract then cut the amount column into a block of its own
    /// (character error rate 2 % → 27 %). The rulings are found on every page and kept as layout evidence
    /// (<see cref="PageLayout.Rulings"/>).
    /// </summary>
    internal static bool PaintsOutRulings(int width, int height, float factor) => factor > 1f && height < ReceiptAspect * width;

    /// <summary>
    /// Whether a page can be a till receipt that earns a second reading (<see cref="PageLayout.SecondReading"/>): not a
    /// low-resolution page-shaped scan (enlarged, not receipt-shaped: <see cref="PaintsOutRulings"/>'s pages). Business
    /// forms full of amounts looked like receipts to the cues: 10 of the 149 FUNSD forms (7 of the first 50) were read a
    /// second time, which cost them 5-8 % more OCR CPU and changed none of their outputs' scores. Of the 80 SROIE receipts
    /// one (an A4-shaped 1080 × 1527 scan with 10 px glyphs) is now read once; its fields came out the same.
    /// </summary>
    internal static bool MayBeTillReceipt(int width, int height, float factor) => !PaintsOutRulings(width, height, factor);

    public static PreparedPage Prepare(PixImage image, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pixels = (double)image.Width * image.Height;
        var analysisScale = (float)Math.Min(1.0, Math.Sqrt(AnalysisMaxPixels / Math.Max(1.0, pixels)));
        using var grey = image.ScaledGrey(analysisScale);
        using var ink = grey.Binarized(BinarisationTile);
        // Closing joins the dots of dot-matrix print and the broken strokes of faint scans into whole glyphs; without it
        // each fragment counts as a glyph (three receipts measured 5 px instead of 8, were enlarged 2.4× and read worse).
        float? glyph;
        using (var joined = ink.Closed(3, 3))
            glyph = TextSize.MedianGlyphHeight(joined.ComponentBoxes(), ink.Height);
        float? glyphHeight = glyph is { } g ? g / analysisScale : null;
        // Never past what Tesseract accepts (32,767 px a side): a long strip is shrunk to fit rather than refused.
        var factor = Math.Min(TextSize.ScaleFor(glyphHeight), (float)EngineLimits.MaxOcrSide / Math.Max(image.Width, image.Height));

        IReadOnlyList<Ruling> rulings = [];
        PixImage? lines = null;
        try
        {
            (rulings, lines) = RulingDetector.Detect(ink, glyph ?? DefaultGlyphHeight, analysisScale,
                keepMask: PaintsOutRulings(image.Width, image.Height, factor));

            if (lines is not null && rulings.Count > 0)
            {
                using var scaled = image.ScaledGreyAny(factor);
                using var mask = lines.ScaledBinary(factor / analysisScale);
                return Finish(image, scaled.WithMaskedSet(mask, 255), factor, glyphHeight, rulings);
            }
            if (factor == 1f)
                return new PreparedPage(image, null, 1f, glyphHeight, rulings);
            return Finish(image, image.ScaledGreyAny(factor), factor, glyphHeight, rulings);
        }
        finally
        {
            lines?.Dispose();
        }
    }

    private static PreparedPage Finish(PixImage original, PixImage scaled, float factor, float? glyphHeight, IReadOnlyList<Ruling> rulings)
    {
        var dpi = original.YResolution;
        if (dpi is >= 70 and <= 2400)
        {
            var scaledDpi = (int)Math.Round(dpi * factor);
            scaled.SetResolution(scaledDpi, scaledDpi);
        }
        return new PreparedPage(original, scaled, factor, glyphHeight, rulings);
    }
}
