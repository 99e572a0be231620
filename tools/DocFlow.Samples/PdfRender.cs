using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace DocFlow.Samples;

/// <summary>Writes <see cref="PageLayout"/>s as digital PDF pages (PDFsharp), or scans as image-only pages.</summary>
internal static partial class PdfRender
{
    public static PdfDocument NewDocument(string title, string author, DateTime created)
    {
        Fonts.EnsurePdfSharp();
        var doc = new PdfDocument();
        doc.Info.Title = title;
        doc.Info.Author = author;
        doc.Info.Creator = "DocFlow samples";
        doc.Info.CreationDate = created;
        doc.Info.ModificationDate = created;
        // Fixed document IDs so that every run writes the same bytes.
        var id = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(title)))[..32];
        doc.Internals.FirstDocumentID = id;
        doc.Internals.SecondDocumentID = id;
        return doc;
    }

    public static void DrawPage(PdfDocument doc, PageLayout layout)
    {
        var page = doc.AddPage();
        page.Width = XUnit.FromPoint(layout.Width);
        page.Height = XUnit.FromPoint(layout.Height);
        using var gfx = XGraphics.FromPdfPage(page);
        var fonts = new Dictionary<(Face, double), XFont>();
        var pen = new XPen(XColors.Black, 0.8);
        foreach (var op in layout.Ops)
        {
            switch (op)
            {
                case TextOp t:
                    if (!fonts.TryGetValue((t.Face, t.Size), out var font))
                    {
                        font = new XFont(Fonts.Family(t.Face), t.Size,
                            Fonts.IsBold(t.Face) ? XFontStyleEx.Bold : XFontStyleEx.Regular,
                            new XPdfFontOptions(PdfFontEncoding.Unicode));
                        fonts[(t.Face, t.Size)] = font;
                    }
                    var format = t.Align switch
                    {
                        Align.Right => XStringFormats.BaseLineRight,
                        Align.Center => XStringFormats.BaseLineCenter,
                        _ => XStringFormats.BaseLineLeft,
                    };
                    gfx.DrawString(t.Text, font, XBrushes.Black, t.X, t.Y, format);
                    break;
                case LineOp l:
                    pen.Width = l.Width;
                    gfx.DrawLine(pen, l.X1, l.Y1, l.X2, l.Y2);
                    break;
                case BoxOp b:
                    pen.Width = 0.9;
                    gfx.DrawRectangle(pen, b.X, b.Y, b.Size, b.Size);
                    if (b.Checked)
                    {
                        var inset = b.Size * 0.2;
                        gfx.DrawLine(pen, b.X + inset, b.Y + inset, b.X + b.Size - inset, b.Y + b.Size - inset);
                        gfx.DrawLine(pen, b.X + b.Size - inset, b.Y + inset, b.X + inset, b.Y + b.Size - inset);
                    }
                    break;
            }
        }
    }

    /// <summary>A page that is only a scanned image (JPEG), no text layer.</summary>
    public static void ImagePage(PdfDocument doc, double widthPt, double heightPt, byte[] jpeg)
    {
        var page = doc.AddPage();
        page.Width = XUnit.FromPoint(widthPt);
        page.Height = XUnit.FromPoint(heightPt);
        using var gfx = XGraphics.FromPdfPage(page);
        using var stream = new MemoryStream(jpeg, writable: false);
        using var image = XImage.FromStream(stream);
        gfx.DrawImage(image, 0, 0, widthPt, heightPt);
    }

    public static byte[] Save(PdfDocument doc)
    {
        using var ms = new MemoryStream();
        doc.Save(ms, closeStream: false);
        return MakeDeterministic(ms.ToArray(), doc.Internals.FirstDocumentID);
    }

    /// <summary>
    /// PDFsharp 6.2 draws font subset tags ("ABCDEF+DejaVu Sans") and the XMP document/instance uuids from
    /// <see cref="Guid.NewGuid"/>. Both are plain (uncompressed) text in the file; replace them, keeping every
    /// length, so that the xref offsets stay valid and the same document gives the same bytes.
    /// </summary>
    internal static byte[] MakeDeterministic(byte[] pdf, string salt)
    {
        var text = System.Text.Encoding.Latin1.GetString(pdf);
        var tags = new List<string>();
        foreach (System.Text.RegularExpressions.Match m in TagPattern().Matches(text))
        {
            var tag = m.Groups[1].Value;
            if (!tags.Contains(tag))
            {
                tags.Add(tag);
            }
        }
        for (var i = 0; i < tags.Count; i++)
        {
            var hash = Hash($"{salt}/font/{i}");
            var tag = new string(hash.Take(6).Select(b => (char)('A' + b % 26)).ToArray());
            text = text.Replace(tags[i] + "+", tag + "+", StringComparison.Ordinal);
        }
        var n = 0;
        text = UuidPattern().Replace(text, _ => "uuid:" + new Guid(Hash($"{salt}/xmp/{n++}")[..16]).ToString("D"));
        return System.Text.Encoding.Latin1.GetBytes(text);
    }

    private static byte[] Hash(string s) => System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(s));

    [System.Text.RegularExpressions.GeneratedRegex(@"/(?:BaseFont|FontName)\s*/([A-Z]{6})\+")]
    private static partial System.Text.RegularExpressions.Regex TagPattern();

    [System.Text.RegularExpressions.GeneratedRegex(@"uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial System.Text.RegularExpressions.Regex UuidPattern();
}
