using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace DocFlow.Reports.Pdf;

/// <summary>A column of flowing content on A4 pages: headings, wrapped text, key-value lists and tables that
/// break across pages (repeating their header). Text that does not fit is wrapped, then cut with an ellipsis.</summary>
internal sealed class PdfCanvas : IDisposable
{
    public const double PageWidth = 595.28;   // A4, points
    public const double PageHeight = 841.89;
    public const double Margin = 48;
    public const double ContentWidth = PageWidth - 2 * Margin;
    private const double Top = Margin + 14;     // below the running header
    private const double Bottom = PageHeight - Margin - 10;  // above the footer
    private const string Ellipsis = "…";

    private static readonly XPdfFontOptions Unicode = new(PdfFontEncoding.Unicode);
    public static readonly XFont Body = new("DejaVu Sans", 8.5, XFontStyleEx.Regular, Unicode);
    public static readonly XFont BodyBold = new("DejaVu Sans", 8.5, XFontStyleEx.Bold, Unicode);
    public static readonly XFont Small = new("DejaVu Sans", 7, XFontStyleEx.Regular, Unicode);
    public static readonly XFont H1 = new("DejaVu Sans", 18, XFontStyleEx.Bold, Unicode);
    public static readonly XFont H2 = new("DejaVu Sans", 12.5, XFontStyleEx.Bold, Unicode);
    public static readonly XFont H3 = new("DejaVu Sans", 10, XFontStyleEx.Bold, Unicode);

    private static readonly XBrush Ink = new XSolidBrush(XColor.FromArgb(33, 37, 41));
    private static readonly XBrush Muted = new XSolidBrush(XColor.FromArgb(108, 117, 125));
    private static readonly XBrush HeaderFill = new XSolidBrush(XColor.FromArgb(226, 232, 240));
    private static readonly XBrush StripeFill = new XSolidBrush(XColor.FromArgb(246, 248, 250));
    private static readonly XPen Rule = new(XColor.FromArgb(173, 181, 189), 0.5);

    private readonly PdfDocument _document;
    private readonly string _runningTitle;
    private XGraphics? _gfx;
    private readonly Dictionary<(XFont, string), double> _widths = [];

    public PdfCanvas(PdfDocument document, string runningTitle)
    {
        _document = document;
        _runningTitle = runningTitle;
    }

    public double Y { get; private set; }
    public int PageCount => _document.PageCount;
    private XGraphics Gfx => _gfx ?? throw new InvalidOperationException("No page yet.");

    /// <summary>Starts a page; <paramref name="section"/> is shown in the running header.</summary>
    public void NewPage(string section)
    {
        _gfx?.Dispose();
        _widths.Clear();
        var page = _document.AddPage();
        page.Width = XUnit.FromPoint(PageWidth);
        page.Height = XUnit.FromPoint(PageHeight);
        _gfx = XGraphics.FromPdfPage(page);
        var header = Fit(_runningTitle, Small, ContentWidth * 0.55);
        Gfx.DrawString(header, Small, Muted, Margin, Margin - 10, XStringFormats.BaseLineLeft);
        Gfx.DrawString(Fit(section, Small, ContentWidth * 0.42), Small, Muted, PageWidth - Margin, Margin - 10, XStringFormats.BaseLineRight);
        Gfx.DrawLine(Rule, Margin, Margin - 6, PageWidth - Margin, Margin - 6);
        Gfx.DrawString($"Page {_document.PageCount}", Small, Muted, PageWidth / 2, PageHeight - Margin + 14, XStringFormats.BaseLineCenter);
        Y = Top;
    }

    /// <summary>Moves to a new page (same section) unless <paramref name="height"/> points still fit.</summary>
    public bool EnsureSpace(double height, string section)
    {
        if (Y + height <= Bottom) return false;
        NewPage(section);
        return true;
    }

    public void Space(double points) => Y += points;

    public void Heading(string text, XFont font, string section, double after = 4)
    {
        var lh = LineHeight(font);
        var lines = Wrap(text, font, ContentWidth, maxLines: 2);
        EnsureSpace(lh * lines.Count + 24, section);
        foreach (var line in lines)
        {
            Gfx.DrawString(line, font, Ink, Margin, Y + font.Size, XStringFormats.BaseLineLeft);
            Y += lh;
        }
        Y += after;
    }

    /// <summary>Wrapped paragraph in the content width.</summary>
    public void Text(string text, XFont font, string section, bool muted = false, int maxLines = 40)
    {
        var lh = LineHeight(font);
        foreach (var line in Wrap(text, font, ContentWidth, maxLines))
        {
            EnsureSpace(lh, section);
            Gfx.DrawString(line, font, muted ? Muted : Ink, Margin, Y + font.Size, XStringFormats.BaseLineLeft);
            Y += lh;
        }
    }

    public void Image(byte[] png, double width, double height, string section)
    {
        EnsureSpace(height, section);
        using var stream = new MemoryStream(png, writable: false);
        using var image = XImage.FromStream(stream);
        Gfx.DrawImage(image, Margin + (ContentWidth - width) / 2, Y, width, height);
        Y += height;
    }

    /// <summary>A table with a header row; widths are fractions of the content width. Cells wrap to
    /// <paramref name="maxLinesPerCell"/> lines, then end with an ellipsis. Breaks across pages, repeating the header.</summary>
    public void Table(IReadOnlyList<TableColumn> columns, IEnumerable<IReadOnlyList<string?>> rows, string section,
        int maxLinesPerCell = 3, bool headerRow = true)
    {
        const double padX = 3, padY = 2.5;
        var widths = columns.Select(c => c.Width * ContentWidth).ToArray();
        var lh = LineHeight(Body);

        void Header()
        {
            if (!headerRow) return;
            var cells = columns.Select((c, i) => Wrap(c.Header, BodyBold, widths[i] - 2 * padX, 2)).ToList();
            var h = cells.Max(c => c.Count) * lh + 2 * padY;
            Gfx.DrawRectangle(HeaderFill, Margin, Y, ContentWidth, h);
            DrawCells(cells, BodyBold, h);
            Y += h;
        }

        void DrawCells(List<List<string>> cells, XFont font, double height)
        {
            var x = Margin;
            for (var i = 0; i < columns.Count; i++)
            {
                var y = Y + padY;
                foreach (var line in cells[i])
                {
                    if (columns[i].Right)
                        Gfx.DrawString(line, font, Ink, x + widths[i] - padX, y + font.Size, XStringFormats.BaseLineRight);
                    else
                        Gfx.DrawString(line, font, Ink, x + padX, y + font.Size, XStringFormats.BaseLineLeft);
                    y += lh;
                }
                x += widths[i];
            }
            Gfx.DrawLine(Rule, Margin, Y + height, Margin + ContentWidth, Y + height);
        }

        EnsureSpace(lh * 3 + 2 * padY, section);
        Header();
        var n = 0;
        foreach (var row in rows)
        {
            var cells = columns.Select((c, i) => Wrap(i < row.Count ? row[i] ?? "" : "", Body, widths[i] - 2 * padX, maxLinesPerCell)).ToList();
            var h = Math.Max(1, cells.Max(c => c.Count)) * lh + 2 * padY;
            if (EnsureSpace(h, section)) Header();
            if (n++ % 2 == 1) Gfx.DrawRectangle(StripeFill, Margin, Y, ContentWidth, h);
            DrawCells(cells, Body, h);
            Y += h;
        }
    }

    public static double LineHeight(XFont font) => font.Size * 1.32;

    /// <summary>Greedy word wrap to <paramref name="width"/>; words wider than a line are broken; lines beyond
    /// <paramref name="maxLines"/> are dropped and the last kept line ends with an ellipsis.</summary>
    public List<string> Wrap(string text, XFont font, double width, int maxLines)
    {
        var lines = new List<string>();
        foreach (var paragraph in text.ReplaceLineEndings("\n").Split('\n'))
        {
            var current = "";
            foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = current.Length == 0 ? word : current + " " + word;
                if (Width(candidate, font) <= width)
                {
                    current = candidate;
                    continue;
                }
                if (current.Length > 0) lines.Add(current);
                current = word;
                while (Width(current, font) > width && current.Length > 1)
                {
                    var cut = FitLength(current, font, width);
                    lines.Add(current[..cut]);
                    current = current[cut..];
                }
            }
            lines.Add(current);
            if (lines.Count > maxLines) break;
        }
        while (lines.Count > 1 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        if (lines.Count > maxLines)
        {
            lines.RemoveRange(maxLines, lines.Count - maxLines);
            lines[^1] = Fit(lines[^1] + Ellipsis, font, width);
            if (!lines[^1].EndsWith(Ellipsis, StringComparison.Ordinal)) lines[^1] = Fit(lines[^1], font, width, force: true);
        }
        return lines;
    }

    /// <summary>The text, or its longest prefix that fits followed by an ellipsis.</summary>
    public string Fit(string text, XFont font, double width, bool force = false)
    {
        if (!force && Width(text, font) <= width) return text;
        var cut = FitLength(text, font, width - Width(Ellipsis, font));
        return text[..Math.Max(0, cut)].TrimEnd() + Ellipsis;
    }

    private int FitLength(string text, XFont font, double width)
    {
        int lo = 1, hi = text.Length;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (Width(text[..mid], font) <= width) lo = mid; else hi = mid - 1;
        }
        if (lo < text.Length && char.IsHighSurrogate(text[lo - 1])) lo--;
        return Math.Max(lo, 1);
    }

    private double Width(string text, XFont font)
    {
        if (_widths.TryGetValue((font, text), out var w)) return w;
        w = Gfx.MeasureString(text, font).Width;
        if (_widths.Count < 4096) _widths[(font, text)] = w;
        return w;
    }

    public void Dispose() => _gfx?.Dispose();
}

internal sealed record TableColumn(string Header, double Width, bool Right = false);
