using System.Globalization;

namespace DocFlow.Engine.Ocr;

/// <summary>
/// How Tesseract turns a page into black and white for its layout analysis (<c>thresholding_method</c>): 0 = its
/// global Otsu, 1 = Leptonica's tiled Otsu, 2 = Sauvola. The window (Sauvola) or tile (tiled Otsu) is sized from the
/// page's measured text height when <see cref="WindowGlyphs"/> is set, else from the resolution as Tesseract does.
/// </summary>
internal sealed record Thresholding(int Method, double KFactor = 0.34, double? WindowGlyphs = null, double ScoreFraction = 0.1,
    string Pages = "all")
{
    public static readonly Thresholding Otsu = new(0);

    /// <summary>Experiments: DOCFLOW_EXP_THRESHOLD=0|1|2, _K (Sauvola k), _WIN (window in glyph heights), _SCORE, _PAGES=all|receipts|forms.</summary>
    public static Thresholding FromEnvironment()
    {
        var method = Environment.GetEnvironmentVariable("DOCFLOW_EXP_THRESHOLD");
        if (!int.TryParse(method, CultureInfo.InvariantCulture, out var m))
            return Otsu;
        static double? Number(string name) =>
            double.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out var v) ? v : null;
        return new Thresholding(m, Number("DOCFLOW_EXP_THRESHOLD_K") ?? 0.34, Number("DOCFLOW_EXP_THRESHOLD_WIN"),
            Number("DOCFLOW_EXP_THRESHOLD_SCORE") ?? 0.1, Environment.GetEnvironmentVariable("DOCFLOW_EXP_THRESHOLD_PAGES") ?? "all");
    }

    /// <summary>The method for a page of <paramref name="width"/> × <paramref name="height"/> original pixels.</summary>
    public int MethodFor(int width, int height)
    {
        var receipt = height >= PagePreparation.ReceiptAspect * width;
        return Pages switch
        {
            "receipts" when !receipt => 0,
            "forms" when receipt => 0,
            _ => Method,
        };
    }

    /// <summary>
    /// The resolution Tesseract assumes when it binarises an image claiming <paramref name="dpi"/>: the claim when
    /// credible (70-2400), else 70 (its <c>kMinCredibleResolution</c>).
    /// </summary>
    public static int ThresholdingDpi(int dpi) => dpi is >= 70 and <= 2400 ? dpi : 70;
}
