using System.Globalization;
using System.Text;
using DocFlow.Documents;
using DocFlow.Engine.Imaging;
using PdfSharp.Pdf;
using PdfSharp.Pdf.IO;

namespace DocFlow.Outputs;

/// <summary>
/// The searchable PDF: every page looks exactly like the input (a PDF's own pages, or the original image embedded untouched)
/// with an invisible text layer (render mode 3) placed word by word on the OCR boxes, each word stretched horizontally
/// (Tz) to its box's width, as Tesseract's PDF renderer and OCRmyPDF do. Pages that had a text layer are kept as they are.
/// </summary>
public static class SearchablePdf
{
    /// <summary>Writes the searchable PDF of <paramref name="document"/>, read from <paramref name="original"/>, to <paramref name="output"/>.</summary>
    /// <exception cref="NotSupportedException">The original cannot carry a text layer untouched (e.g. an encrypted PDF).</exception>
    public static void Write(Document document, ReadOnlyMemory<byte> original, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(output);
        var isPdf = original.Span.StartsWith("%PDF"u8) || document.MimeType == "application/pdf"
            || original.Span[..Math.Min(original.Length, 1024)].IndexOf("%PDF"u8) >= 0;
        using var pdf = isPdf ? OpenPdf(original) : new PdfDocument();
        // Our streams are deflated here (zlib, complete): PDFsharp's own deflater ends its streams early, which qpdf --check
        // reports ("input stream is complete but output may still be valid"); the original's streams are left as they are.
        pdf.Options.CompressContentStreams = false;
        pdf.Info.Creator = "DocFlow";
        if (isPdf) OverlayPdf(document, pdf, cancellationToken);
        else BuildFromImages(document, original, pdf, cancellationToken);
        pdf.Save(output, false);
    }

    /// <summary>Bytes of the searchable PDF.</summary>
    public static byte[] Write(Document document, ReadOnlyMemory<byte> original, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        Write(document, original, buffer, cancellationToken);
        return buffer.ToArray();
    }

    private static PdfDocument OpenPdf(ReadOnlyMemory<byte> original)
    {
        try
        {
            return PdfReader.Open(new MemoryStream(original.ToArray(), writable: false), PdfDocumentOpenMode.Modify);
        }
        catch (Exception ex) when (ex is PdfReaderException or InvalidOperationException)
        {
            throw new NotSupportedException($"The original PDF cannot be opened to add a text layer: {ex.Message}", ex);
        }
    }

    private static void OverlayPdf(Document document, PdfDocument pdf, CancellationToken ct)
    {
        PdfDictionary? font = null;
        foreach (var page in document.Pages ?? [])
        {
            ct.ThrowIfCancellationRequested();
            // Text-layer pages (points) keep their own text; OCR pages (pixels) get ours.
            if (page.Dimension is not { Unit: "pixels", Width: > 0, Height: > 0 } dim) continue;
            if (page.PageNumber < 1 || page.PageNumber > pdf.PageCount) continue;
            var pdfPage = pdf.Pages[page.PageNumber - 1];
            var box = pdfPage.Elements.ContainsKey("/CropBox") ? pdfPage.CropBox : pdfPage.MediaBox;
            var rotate = ((pdfPage.Elements.GetInteger("/Rotate") % 360) + 360) % 360;
            // The OCR image was the page as displayed (pdftoppm applies /Rotate) over its crop box.
            var displayWidth = rotate is 90 or 270 ? box.Height : box.Width;
            var s = displayWidth / (Affine.FromTransforms(page.Transforms).Inverse() is var inv && IsQuarterTurn(inv) ? dim.Height : dim.Width);
            var display = rotate switch
            {
                90 => new Affine(0, s, box.X1, s, 0, box.Y1),
                180 => new Affine(-s, 0, box.X2, 0, s, box.Y1),
                270 => new Affine(0, -s, box.X2, -s, 0, box.Y2),
                _ => new Affine(s, 0, box.X1, 0, -s, box.Y2),
            };
            var toUser = inv.Then(display);
            var text = TextLayer(document, page, toUser);
            if (text.Length == 0) continue;
            font ??= GlyphLessFont.AddTo(pdf);
            AddFont(pdf, pdfPage, font);
            // The page's own content is wrapped in q/Q so that whatever state it leaves does not move our text.
            pdfPage.Contents.PrependContent().CreateStream("q\n"u8.ToArray());
            Deflated(pdfPage.Contents.AppendContent(), Encoding.ASCII.GetBytes("Q\n" + text));
        }
    }

    /// <summary>Whether the transform swaps the axes (90° or 270°).</summary>
    private static bool IsQuarterTurn(Affine a) => Math.Abs(a.A) < 1e-9 && Math.Abs(a.E) < 1e-9;

    private static void BuildFromImages(Document document, ReadOnlyMemory<byte> original, PdfDocument pdf, CancellationToken ct)
    {
        PdfDictionary? font = null;
        var frames = PixImage.CountFrames(original.Span);
        foreach (var page in document.Pages ?? [])
        {
            ct.ThrowIfCancellationRequested();
            var frame = page.PageNumber - 1;
            if (frame < 0 || frame >= frames) continue;
            var image = PdfImages.Create(pdf, original.Span, frame);
            // The page has the image's physical size when its resolution is plausible, else 300 dpi.
            var dpiX = image.XResolution is >= 70 and <= 2400 ? image.XResolution : 300;
            var dpiY = image.YResolution is >= 70 and <= 2400 ? image.YResolution : dpiX;
            double w = image.Width * 72.0 / dpiX, h = image.Height * 72.0 / dpiY;
            var pdfPage = pdf.AddPage();
            pdfPage.MediaBox = new PdfRectangle(new PdfSharp.Drawing.XPoint(0, 0), new PdfSharp.Drawing.XPoint(w, h));
            var resources = pdfPage.Resources;
            var xobjects = new PdfDictionary(pdf);
            xobjects.Elements.SetReference("/Im0", image.XObject);
            resources.Elements["/XObject"] = xobjects;

            var content = new StringBuilder();
            content.Append(CultureInfo.InvariantCulture, $"q {Exact(w)} 0 0 {Exact(h)} 0 0 cm /Im0 Do Q\n");
            var toUser = Affine.FromTransforms(page.Transforms).Inverse()
                .Then(new Affine(w / image.Width, 0, 0, 0, -h / image.Height, h));
            var text = TextLayer(document, page, toUser);
            if (text.Length > 0)
            {
                font ??= GlyphLessFont.AddTo(pdf);
                AddFont(pdf, pdfPage, font);
                content.Append(text);
            }
            Deflated(pdfPage.Contents.AppendContent(), Encoding.ASCII.GetBytes(content.ToString()));
        }
    }

    private static void Deflated(PdfDictionary stream, byte[] data)
    {
        stream.Elements.SetName("/Filter", "/FlateDecode");
        stream.CreateStream(GlyphLessFont.Deflate(data));
    }

    private static void AddFont(PdfDocument pdf, PdfPage page, PdfDictionary font)
    {
        var fonts = page.Resources.Elements.GetDictionary("/Font");
        if (fonts is null)
        {
            fonts = new PdfDictionary(pdf);
            page.Resources.Elements["/Font"] = fonts;
        }
        fonts.Elements.SetReference(GlyphLessFont.ResourceName, font);
    }

    /// <summary>
    /// The invisible words of a page: font size 1, and for each token a text matrix that scales it to the box's height, runs
    /// along the word (one text unit = the box height) with the baseline on the box's bottom edge, and horizontal scaling
    /// (Tz) that makes the glyphs (0.5 em each) span exactly the box's width. A space follows each word so that extractors
    /// split words. Numbers in points, to 0.01 (a 300 dpi pixel is 0.24 pt).
    /// </summary>
    internal static string TextLayer(Document document, Page page, Affine toUser)
    {
        var sb = new StringBuilder();
        foreach (var token in page.Tokens ?? [])
        {
            var word = DocumentAssembler.TextOf(document, token.Layout?.TextAnchor);
            if (string.IsNullOrWhiteSpace(word)) continue;
            var box = DocumentTree.BoxOf(token.Layout, page);
            if (box.Width <= 0 || box.Height <= 0) continue;
            if (sb.Length == 0) sb.Append(CultureInfo.InvariantCulture, $"BT\n3 Tr\n{GlyphLessFont.ResourceName} 1 Tf\n");
            double size = box.Height;
            var scale = 100.0 * box.Width / (word.Length * GlyphLessFont.GlyphWidth * size);
            var (ax, ay) = toUser.ApplyVector(size, 0);
            var (ux, uy) = toUser.ApplyVector(0, -size);
            var (ox, oy) = toUser.Apply(box.Left, box.Bottom);
            sb.Append(CultureInfo.InvariantCulture, $"{F(ax)} {F(ay)} {F(ux)} {F(uy)} {F(ox)} {F(oy)} Tm {F(scale)} Tz <");
            foreach (var c in word) sb.Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            sb.Append("0020>Tj\n");
        }
        if (sb.Length > 0) sb.Append("ET\n");
        return sb.ToString();
    }

    /// <summary>The image's size as the page's own (the MediaBox is written at full precision too).</summary>
    private static string Exact(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);

    private static string F(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);
}
