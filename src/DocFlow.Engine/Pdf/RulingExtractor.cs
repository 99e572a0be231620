using DocFlow.Documents;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Graphics;
using Page = UglyToad.PdfPig.Content.Page;

namespace DocFlow.Engine.Pdf;

/// <summary>
/// The straight horizontal and vertical lines drawn on a text-layer page (table rules, form boxes,
/// underlines), from PdfPig's paths, in page points with the origin top-left like the words.
/// </summary>
/// <remarks>
/// A ruling is a stroked straight segment (including the sides of stroked rectangles) or a thin filled
/// rectangle, which is how many producers draw rules. Curves, clipping paths and large filled areas are
/// not rulings. Segments within <see cref="AxisTolerance"/> of horizontal or vertical count as straight.
/// </remarks>
internal static class RulingExtractor
{
    /// <summary>How far (points) a segment may deviate from horizontal/vertical.</summary>
    private const double AxisTolerance = 1.0;
    /// <summary>Shorter segments are dots, arrow heads or glyph-like marks.</summary>
    private const double MinLength = 3.0;
    /// <summary>A filled rectangle at most this thick (points) is a drawn line.</summary>
    private const double MaxFilledThickness = 3.0;
    /// <summary>Vector-heavy pages (maps, charts) are cut off here to keep extraction cheap.</summary>
    private const int MaxRulings = 4000;

    public static IReadOnlyList<Ruling> Extract(Page page)
    {
        var crop = page.CropBox.Bounds;
        var result = new List<Ruling>();
        var seen = new HashSet<(int, int, int, int)>();

        void Add(double x1, double y1, double x2, double y2)
        {
            if (result.Count >= MaxRulings) return;
            var dx = Math.Abs(x2 - x1);
            var dy = Math.Abs(y2 - y1);
            if (Math.Max(dx, dy) < MinLength) return;
            Ruling r;
            if (dy <= AxisTolerance)
            {
                var y = (float)(crop.Top - (y1 + y2) / 2);
                r = new Ruling((float)(Math.Min(x1, x2) - crop.Left), y, (float)(Math.Max(x1, x2) - crop.Left), y);
            }
            else if (dx <= AxisTolerance)
            {
                var x = (float)((x1 + x2) / 2 - crop.Left);
                r = new Ruling(x, (float)(crop.Top - Math.Max(y1, y2)), x, (float)(crop.Top - Math.Min(y1, y2)));
            }
            else
            {
                return;
            }
            // The same rule is often drawn twice (a stroked and filled cell border, or adjacent cells' sides).
            if (seen.Add(((int)MathF.Round(r.X1 * 2), (int)MathF.Round(r.Y1 * 2), (int)MathF.Round(r.X2 * 2), (int)MathF.Round(r.Y2 * 2))))
                result.Add(r);
        }

        IReadOnlyList<PdfPath> paths;
        try
        {
            paths = page.Paths;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return []; // a broken content stream must not cost the page its text
        }

        foreach (var path in paths)
        {
            if (path.IsClipping || !(path.IsStroked || path.IsFilled)) continue;
            foreach (var subpath in path)
            {
                if (path.IsFilled && !path.IsStroked)
                {
                    if (subpath.GetBoundingRectangle() is not { } box) continue;
                    if (box.Height <= MaxFilledThickness && box.Width > box.Height)
                        Add(box.Left, (box.Top + box.Bottom) / 2, box.Right, (box.Top + box.Bottom) / 2);
                    else if (box.Width <= MaxFilledThickness && box.Height > box.Width)
                        Add((box.Left + box.Right) / 2, box.Bottom, (box.Left + box.Right) / 2, box.Top);
                    continue;
                }

                PdfPoint? start = null, current = null;
                foreach (var command in subpath.Commands)
                {
                    switch (command)
                    {
                        case PdfSubpath.Move move:
                            start = current = move.Location;
                            break;
                        case PdfSubpath.Line line:
                            Add(line.From.X, line.From.Y, line.To.X, line.To.Y);
                            start ??= line.From;
                            current = line.To;
                            break;
                        case PdfSubpath.BezierCurve curve:
                            start ??= curve.StartPoint;
                            current = curve.EndPoint;
                            break;
                        case PdfSubpath.Close when start is { } s && current is { } c:
                            Add(c.X, c.Y, s.X, s.Y);
                            current = s;
                            break;
                    }
                }
            }
        }
        return result;
    }
}
