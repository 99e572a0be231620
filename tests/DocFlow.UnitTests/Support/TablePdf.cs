using System.Globalization;
using System.Text;
using DocFlow.Reports.Pdf;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using PdfSharp.Pdf.Advanced;

namespace DocFlow.UnitTests.Support;

public enum Cell { Left, Right, Center }

/// <summary>
/// Draws one-page digital PDFs with PDFsharp (DejaVu fonts, as the samples use) for the table corpus:
/// text at baselines measured from the top of the page, rules, filled boxes, and raw text runs (one
/// TJ array per row, with glyph gaps instead of spaces) as some producers write them.
/// </summary>
public sealed class TablePdf
{
    private readonly PdfDocument _doc = new();
    private PdfPage _page;
    private XGraphics _gfx;
    private readonly Dictionary<(double, bool, bool), XFont> _fonts = [];

    /// <summary>Text drawn from now on is set in DejaVu Sans Mono (a fixed-pitch font), not DejaVu Sans.</summary>
    public bool Mono { get; set; }
    private readonly List<string> _raw = [];

    public TablePdf(double width = 595, double height = 842)
    {
        DejaVuFontResolver.Install();
        _page = _doc.AddPage();
        _page.Width = XUnit.FromPoint(width);
        _page.Height = XUnit.FromPoint(height);
        _gfx = XGraphics.FromPdfPage(_page);
    }

    /// <summary>Starts a new page of the same size; what is drawn from now on goes there.</summary>
    public TablePdf NewPage()
    {
        if (_raw.Count > 0) throw new InvalidOperationException("Raw text runs are written to the last page only: draw them after the last NewPage.");
        _gfx.Dispose();
        var width = _page.Width;
        var height = _page.Height;
        _page = _doc.AddPage();
        _page.Width = width;
        _page.Height = height;
        _gfx = XGraphics.FromPdfPage(_page);
        return this;
    }

    private XFont Font(double size, bool bold)
    {
        if (!_fonts.TryGetValue((size, bold, Mono), out var font))
            _fonts[(size, bold, Mono)] = font = new XFont(Mono ? "DejaVu Sans Mono" : "DejaVu Sans", size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular,
                new XPdfFontOptions(PdfFontEncoding.Unicode));
        return font;
    }

    public double Measure(string text, double size = 9, bool bold = false) => _gfx.MeasureString(text, Font(size, bold)).Width;

    /// <summary>Text with its baseline at <paramref name="baseline"/>; x is the left edge, right edge or centre by <paramref name="align"/>.</summary>
    public TablePdf Text(double x, double baseline, string text, double size = 9, bool bold = false, Cell align = Cell.Left)
    {
        var format = align switch
        {
            Cell.Right => XStringFormats.BaseLineRight,
            Cell.Center => XStringFormats.BaseLineCenter,
            _ => XStringFormats.BaseLineLeft,
        };
        _gfx.DrawString(text, Font(size, bold), XBrushes.Black, x, baseline, format);
        return this;
    }

    /// <summary>Lines of text one under the other.</summary>
    public double Paragraph(double x, double baseline, double pitch, params string[] lines)
    {
        foreach (var line in lines)
        {
            Text(x, baseline, line, 9.5);
            baseline += pitch;
        }
        return baseline;
    }

    /// <summary>A line of words spread over <paramref name="width"/> (justified text: wide word spaces).</summary>
    public TablePdf Justified(double x, double baseline, double width, string line, double size = 9.5)
    {
        var words = line.Split(' ');
        var total = words.Sum(w => Measure(w, size));
        var space = words.Length > 1 ? (width - total) / (words.Length - 1) : 0;
        foreach (var w in words)
        {
            Text(x, baseline, w, size);
            x += Measure(w, size) + space;
        }
        return this;
    }

    public TablePdf Rule(double x1, double y1, double x2, double y2, double width = 0.6)
    {
        _gfx.DrawLine(new XPen(XColors.Black, width), x1, y1, x2, y2);
        return this;
    }

    public TablePdf Bar(double x, double top, double width, double height)
    {
        _gfx.DrawRectangle(new XPen(XColors.Black, 0.5), XBrushes.LightGray, x, top, width, height);
        return this;
    }

    /// <summary>
    /// One row drawn as a single text run in Helvetica (WinAnsi): pieces separated by glyph gaps (a TJ
    /// displacement of <paramref name="gap"/> thousandths of an em), no space characters between them.
    /// </summary>
    public TablePdf GlyphGapRun(double x, double baseline, double size, double gap, params string[] pieces)
    {
        var tj = new StringBuilder("[");
        for (var i = 0; i < pieces.Length; i++)
        {
            if (i > 0) tj.Append(CultureInfo.InvariantCulture, $" {-gap} ");
            tj.Append('(').Append(pieces[i].Replace("\\", "\\\\", StringComparison.Ordinal).Replace("(", "\\(", StringComparison.Ordinal).Replace(")", "\\)", StringComparison.Ordinal)).Append(')');
        }
        tj.Append(']');
        var y = _page.Height.Point - baseline;
        _raw.Add(string.Create(CultureInfo.InvariantCulture, $"BT /FHelv {size} Tf 1 0 0 1 {x:0.###} {y:0.###} Tm {tj} TJ ET"));
        return this;
    }

    public byte[] Build()
    {
        _gfx.Dispose();
        if (_raw.Count > 0)
        {
            var font = new PdfDictionary(_doc);
            font.Elements["/Type"] = new PdfName("/Font");
            font.Elements["/Subtype"] = new PdfName("/Type1");
            font.Elements["/BaseFont"] = new PdfName("/Helvetica");
            font.Elements["/Encoding"] = new PdfName("/WinAnsiEncoding");
            _doc.Internals.AddObject(font);
            var resources = _page.Resources;
            if (resources.Elements.GetDictionary("/Font") is not { } fonts)
            {
                fonts = new PdfDictionary(_doc);
                resources.Elements["/Font"] = fonts;
            }
            fonts.Elements["/FHelv"] = font.Reference;
            var content = _page.Contents.AppendContent();
            content.CreateStream(Encoding.ASCII.GetBytes("q " + string.Join('\n', _raw) + " Q\n"));
        }
        using var stream = new MemoryStream();
        _doc.Save(stream, false);
        return stream.ToArray();
    }
}
