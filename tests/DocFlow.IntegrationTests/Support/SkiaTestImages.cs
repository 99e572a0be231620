using SkiaSharp;

namespace DocFlow.IntegrationTests.Support;

/// <summary>Grey PNG test images drawn in-process with SkiaSharp (DejaVu Sans), for the OCR preparation tests.</summary>
internal static class SkiaTestImages
{
    private const string FontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

    /// <summary>
    /// <paramref name="text"/> (one line per '\n') in <paramref name="pointSize"/> pt DejaVu Sans at <paramref name="dpi"/>, black on
    /// white, with a margin of half an inch; optionally with straight <paramref name="lines"/> (x1, y1, x2, y2 in pixels).
    /// </summary>
    public static byte[] Text(string text, int dpi, float pointSize = 10f, int? width = null, int? height = null,
        IEnumerable<(int X1, int Y1, int X2, int Y2)>? lines = null, float lineThickness = 2f, float textTop = 0f)
    {
        using var typeface = SKTypeface.FromFile(FontPath)
            ?? throw new InvalidOperationException($"SkiaSharp could not load {FontPath} (apt-get install fonts-dejavu-core)");
        using var font = new SKFont(typeface, pointSize * dpi / 72f) { Edging = SKFontEdging.Antialias };
        var rows = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var margin = dpi / 2;
        var lineHeight = font.Spacing;
        var w = width ?? (int)(rows.Max(r => font.MeasureText(r)) + 2 * margin);
        var h = height ?? (int)(rows.Length * lineHeight + 2 * margin);
        using var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Gray8, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            var top = textTop > 0 ? textTop : margin;
            for (var i = 0; i < rows.Length; i++)
                canvas.DrawText(rows[i], margin, top + i * lineHeight - font.Metrics.Ascent, font, ink);
            using var pen = new SKPaint { Color = SKColors.Black, StrokeWidth = lineThickness, IsAntialias = false, Style = SKPaintStyle.Stroke };
            foreach (var (x1, y1, x2, y2) in lines ?? [])
                canvas.DrawLine(x1, y1, x2, y2, pen);
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }
}
