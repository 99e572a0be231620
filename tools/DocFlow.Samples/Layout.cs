using System.Text;

namespace DocFlow.Samples;

internal enum Align { Left, Right, Center }

internal abstract record Op;

/// <summary>Text whose baseline is at <see cref="Y"/>, anchored at <see cref="X"/> (points from the top left).</summary>
internal sealed record TextOp(string Text, double X, double Y, Face Face, double Size, Align Align) : Op;

internal sealed record LineOp(double X1, double Y1, double X2, double Y2, double Width) : Op;

/// <summary>A checkbox drawn as graphics (square, with an X when checked); not part of the page text.</summary>
internal sealed record BoxOp(double X, double Y, double Size, bool Checked) : Op;

internal sealed record Cell(string Text, double X, Align Align = Align.Left);

/// <summary>One page laid out in points, with the text lines it shows (top to bottom).</summary>
internal sealed class PageLayout(double width, double height)
{
    public double Width { get; } = width;
    public double Height { get; } = height;
    public List<Op> Ops { get; } = [];
    public List<string> Lines { get; } = [];

    public string Text
    {
        get
        {
            var sb = new StringBuilder();
            foreach (var line in Lines)
            {
                sb.Append(line).Append('\n');
            }
            return sb.ToString();
        }
    }
}

/// <summary>Lays out a single-column page line by line; every call places one visual line (or none).</summary>
internal sealed class PageBuilder
{
    public const double A4W = 595.28, A4H = 841.89, LetterW = 612, LetterH = 792;

    public PageBuilder(double width, double height, double margin = 64, double top = 60)
    {
        Page = new PageLayout(width, height);
        Margin = margin;
        Y = top;
    }

    public PageLayout Page { get; }
    public double Margin { get; }
    public double Y { get; private set; }
    public double Right => Page.Width - Margin;
    public double ContentWidth => Page.Width - 2 * Margin;

    public static string Normalize(string s) => string.Join(' ', s.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    public PageBuilder Gap(double points)
    {
        Y += points;
        return this;
    }

    /// <summary>Places one line of text; returns its normalized text.</summary>
    public string Line(string text, Face face = Face.Sans, double size = 11, double? x = null, Align align = Align.Left, double lead = 1.5)
    {
        text = Normalize(text);
        Y += size * lead;
        var ax = x ?? align switch { Align.Right => Right, Align.Center => Page.Width / 2, _ => Margin };
        Page.Ops.Add(new TextOp(text, ax, Y, face, size, align));
        Page.Lines.Add(text);
        Check(text, ax, face, size, align);
        return text;
    }

    /// <summary>Several cells on one baseline: one line of text, the cells joined by a space.</summary>
    public string Cells(IReadOnlyList<Cell> cells, Face face = Face.Sans, double size = 11, double lead = 1.5)
    {
        Y += size * lead;
        var parts = new List<string>();
        foreach (var c in cells)
        {
            var t = Normalize(c.Text);
            if (t.Length == 0)
            {
                continue;
            }
            Page.Ops.Add(new TextOp(t, c.X, Y, face, size, c.Align));
            Check(t, c.X, face, size, c.Align);
            parts.Add(t);
        }
        var line = string.Join(' ', parts);
        Page.Lines.Add(line);
        return line;
    }

    /// <summary>A label in bold followed by its value on the same baseline: the line "Label: value".</summary>
    public string LabelValue(string label, string value, Face labelFace = Face.SansBold, Face valueFace = Face.Sans, double size = 11, double? valueX = null, double lead = 1.5)
    {
        label = Normalize(label) + ":";
        value = Normalize(value);
        Y += size * lead;
        Page.Ops.Add(new TextOp(label, Margin, Y, labelFace, size, Align.Left));
        var vx = valueX ?? Margin + Fonts.Measure(label + " ", labelFace, size);
        Page.Ops.Add(new TextOp(value, vx, Y, valueFace, size, Align.Left));
        Check(value, vx, valueFace, size, Align.Left);
        var line = label + " " + value;
        Page.Lines.Add(line);
        return line;
    }

    /// <summary>A drawn checkbox followed by its label; only the label is text.</summary>
    public string CheckLine(bool isChecked, string label, double size = 11, double? x = null, double lead = 1.6)
    {
        label = Normalize(label);
        Y += size * lead;
        var bx = x ?? Margin;
        var box = size * 0.95;
        Page.Ops.Add(new BoxOp(bx, Y - box * 0.88, box, isChecked));
        Page.Ops.Add(new TextOp(label, bx + box + size * 0.6, Y, Face.Sans, size, Align.Left));
        Page.Lines.Add(label);
        return label;
    }

    public PageBuilder Rule(double before = 6, double after = 0, double width = 0.8, double? x1 = null, double? x2 = null)
    {
        Y += before;
        Page.Ops.Add(new LineOp(x1 ?? Margin, Y, x2 ?? Right, Y, width));
        Y += after;
        return this;
    }

    /// <summary>Word-wraps a paragraph to the content width and places its lines.</summary>
    public PageBuilder Paragraph(string text, Face face = Face.Serif, double size = 11, double lead = 1.45, double indent = 0)
    {
        foreach (var line in Wrap(text, face, size, ContentWidth - indent))
        {
            Line(line, face, size, Margin + indent, Align.Left, lead);
        }
        return this;
    }

    public static List<string> Wrap(string text, Face face, double size, double width)
    {
        var lines = new List<string>();
        var current = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = current.Length == 0 ? word : current + " " + word;
            if (current.Length > 0 && Fonts.Measure(candidate, face, size) > width)
            {
                lines.Add(current);
                current = word;
            }
            else
            {
                current = candidate;
            }
        }
        if (current.Length > 0)
        {
            lines.Add(current);
        }
        return lines;
    }

    private void Check(string text, double x, Face face, double size, Align align)
    {
        var w = Fonts.Measure(text, face, size);
        var left = align switch { Align.Right => x - w, Align.Center => x - w / 2, _ => x };
        if (left < Margin * 0.5 || left + w > Page.Width - Margin * 0.5 || Y > Page.Height - Margin * 0.5)
        {
            throw new InvalidOperationException($"Sample text does not fit the page: \"{text}\" at ({left:F0},{Y:F0}), width {w:F0}");
        }
    }
}
