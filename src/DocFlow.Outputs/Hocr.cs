using System.Globalization;
using System.Net;
using System.Text;
using DocFlow.Documents;

namespace DocFlow.Outputs;

/// <summary>
/// hOCR 1.2 (https://kba.github.io/hocr-spec/1.2/) from a Document: <c>ocr_page</c> ⊃ <c>ocr_carea</c> ⊃ <c>ocr_par</c> ⊃
/// <c>ocr_line</c> ⊃ <c>ocrx_word</c>, each with its <c>bbox</c>, words with <c>x_wconf</c> (0-100), as XHTML.
/// Coordinates are pixels of the page image the words were read from (the upright image for pages OCR turned); pages read
/// from a PDF text layer are in points, written as pixels at <see cref="TextLayerDpi"/> dpi.
/// </summary>
public static class Hocr
{
    public const int TextLayerDpi = 300;

    public static string Write(Document document, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        var pages = document.Pages ?? [];
        var sb = new StringBuilder();
        sb.Append("""
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
            <html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
            <head>

            """);
        sb.Append(CultureInfo.InvariantCulture, $"<title>{Escape(title ?? "DocFlow OCR")}</title>\n");
        sb.Append("<meta http-equiv=\"Content-Type\" content=\"text/html;charset=utf-8\" />\n");
        sb.Append("<meta name=\"ocr-system\" content=\"docflow\" />\n");
        sb.Append("<meta name=\"ocr-capabilities\" content=\"ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_wconf\" />\n");
        sb.Append(CultureInfo.InvariantCulture, $"<meta name=\"ocr-number-of-pages\" content=\"{pages.Count}\" />\n");
        var langs = pages.SelectMany(p => p.DetectedLanguages ?? []).Select(l => l.LanguageCode).OfType<string>().Distinct().ToList();
        if (langs.Count > 0)
            sb.Append(CultureInfo.InvariantCulture, $"<meta name=\"ocr-langs\" content=\"{Escape(string.Join(' ', langs))}\" />\n");
        sb.Append("</head>\n<body>\n");

        int carea = 0, par = 0, line = 0, word = 0;
        foreach (var page in pages)
        {
            var scale = page.Dimension?.Unit == "points" ? TextLayerDpi / 72f : 1f;
            int pw = (int)MathF.Round((page.Dimension?.Width ?? 0) * scale), ph = (int)MathF.Round((page.Dimension?.Height ?? 0) * scale);
            var n = page.PageNumber;
            var res = scale != 1f ? $"; scan_res {TextLayerDpi} {TextLayerDpi}" : "";
            sb.Append(CultureInfo.InvariantCulture, $"<div class=\"ocr_page\" id=\"page_{n}\" title=\"bbox 0 0 {pw} {ph}; ppageno {n - 1}{res}\">\n");
            foreach (var block in DocumentTree.Build(document, page))
            {
                carea++;
                sb.Append(CultureInfo.InvariantCulture, $" <div class=\"ocr_carea\" id=\"block_{n}_{carea}\" title=\"{Bbox(block.Box, scale)}\">\n");
                foreach (var paragraph in block.Paragraphs)
                {
                    par++;
                    sb.Append(CultureInfo.InvariantCulture, $"  <p class=\"ocr_par\" id=\"par_{n}_{par}\" title=\"{Bbox(paragraph.Box, scale)}\">\n");
                    foreach (var l in paragraph.Lines)
                    {
                        line++;
                        sb.Append(CultureInfo.InvariantCulture, $"   <span class=\"ocr_line\" id=\"line_{n}_{line}\" title=\"{Bbox(l.Box, scale)}\">");
                        for (var i = 0; i < l.Words.Count; i++)
                        {
                            word++;
                            var w = l.Words[i];
                            if (i > 0) sb.Append(' ');
                            var conf = (int)MathF.Round(Math.Clamp(w.Confidence, 0f, 1f) * 100);
                            sb.Append(CultureInfo.InvariantCulture,
                                $"<span class=\"ocrx_word\" id=\"word_{n}_{word}\" title=\"{Bbox(w.Box, scale)}; x_wconf {conf}\">{Escape(w.Text)}</span>");
                        }
                        sb.Append("</span>\n");
                    }
                    sb.Append("  </p>\n");
                }
                sb.Append(" </div>\n");
            }
            sb.Append("</div>\n");
        }
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    private static string Bbox(Box b, float scale) => string.Create(CultureInfo.InvariantCulture,
        $"bbox {(int)MathF.Floor(b.Left * scale)} {(int)MathF.Floor(b.Top * scale)} {(int)MathF.Ceiling(b.Right * scale)} {(int)MathF.Ceiling(b.Bottom * scale)}");

    private static string Escape(string s) => WebUtility.HtmlEncode(s);
}
