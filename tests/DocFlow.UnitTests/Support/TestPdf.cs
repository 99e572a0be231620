using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace DocFlow.UnitTests.Support;

/// <summary>
/// Builds PDFs with PdfPig's writer: text in a standard font at known places, full-page images.
/// Positions are given from the page's top-left corner, as DocFlow reports them.
/// </summary>
public sealed class TestPdf
{
    private readonly PdfDocumentBuilder _builder = new();
    private readonly PdfDocumentBuilder.AddedFont _font;
    private PdfPageBuilder? _page;
    private double _height;

    public TestPdf() => _font = _builder.AddStandard14Font(Standard14Font.Helvetica);

    /// <summary>Starts a new page (A4 by default: 595 x 842 points).</summary>
    public TestPdf Page(double width = 595, double height = 842)
    {
        _page = _builder.AddPage(width, height);
        _height = height;
        return this;
    }

    private PdfPageBuilder Current => _page ?? throw new InvalidOperationException("Call Page() first.");

    /// <summary>Writes <paramref name="text"/> with its baseline <paramref name="baseline"/> points below the top of the page.</summary>
    public TestPdf Text(double left, double baseline, string text, double size = 11)
    {
        Current.AddText(text, size, new PdfPoint(left, _height - baseline), _font);
        return this;
    }

    /// <summary>Writes lines one under the other, <paramref name="leading"/> points apart.</summary>
    public TestPdf Lines(double left, double firstBaseline, double leading, double size, params string[] lines)
    {
        for (var i = 0; i < lines.Length; i++) Text(left, firstBaseline + i * leading, lines[i], size);
        return this;
    }

    /// <summary>Writes a table row: each cell's text at its own x, all on one baseline.</summary>
    public TestPdf Row(double baseline, double size, params (double Left, string Text)[] cells)
    {
        foreach (var (left, text) in cells) Text(left, baseline, text, size);
        return this;
    }

    /// <summary>Text drawn invisibly (rendering mode 3), as OCR tools put over scans.</summary>
    public TestPdf InvisibleText(double left, double baseline, string text, double size = 11)
    {
        Current.SetTextRenderingMode(TextRenderingMode.Neither);
        Text(left, baseline, text, size);
        Current.SetTextRenderingMode(TextRenderingMode.Fill);
        return this;
    }

    /// <summary>Sets the page's /Rotate (clockwise degrees, a multiple of 90).</summary>
    public TestPdf Rotate(int degrees)
    {
        Current.SetRotation(new PageRotationDegrees(degrees));
        return this;
    }

    /// <summary>Places a PNG over the whole page (or the given box, in top-left page coordinates).</summary>
    public TestPdf Png(byte[] png, (double Left, double Top, double Width, double Height)? box = null)
    {
        Current.AddPng(png, Rect(box));
        return this;
    }

    /// <summary>Places a JPEG over the whole page (or the given box).</summary>
    public TestPdf Jpeg(byte[] jpeg, (double Left, double Top, double Width, double Height)? box = null)
    {
        Current.AddJpeg(jpeg, Rect(box));
        return this;
    }

    private PdfRectangle Rect((double Left, double Top, double Width, double Height)? box)
    {
        var size = Current.PageSize;
        var (l, t, w, h) = box ?? (0, 0, size.Width, size.Height);
        return new PdfRectangle(l, _height - t - h, l + w, _height - t);
    }

    public byte[] Build() => _builder.Build();

    /// <summary>A text PDF with the given number of pages, each saying which page it is.</summary>
    public static byte[] WithPages(int count)
    {
        var pdf = new TestPdf();
        for (var i = 1; i <= count; i++) pdf.Page().Text(72, 100, $"This is page number {i}");
        return pdf.Build();
    }
}
