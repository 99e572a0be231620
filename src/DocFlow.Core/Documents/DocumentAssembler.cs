using System.Text;

namespace DocFlow.Documents;

/// <summary>
/// Turns page layouts into a <see cref="Document"/>: one text for the whole document and, for every
/// block, paragraph, line and token, a layout whose anchor points at exactly its characters.
/// </summary>
/// <remarks>Text convention: words of a line joined by one space, every line ended by '\n', pages in order.
/// A token's anchor covers the word alone; a line's covers its words and its '\n'; paragraphs, blocks
/// and pages cover the lines they hold.</remarks>
public static class DocumentAssembler
{
    public static Document Assemble(string mimeType, IEnumerable<PageLayout> pages)
    {
        var text = new StringBuilder();
        var result = new List<Page>();
        foreach (var layout in pages.OrderBy(p => p.PageNumber))
            result.Add(AssemblePage(layout, text));
        return new Document { MimeType = mimeType, Text = text.ToString(), Pages = result };
    }

    private static Page AssemblePage(PageLayout layout, StringBuilder text)
    {
        var page = new Page
        {
            PageNumber = layout.PageNumber,
            Dimension = new Dimension { Width = layout.Width, Height = layout.Height, Unit = layout.Unit },
            Blocks = [],
            Paragraphs = [],
            Lines = [],
            Tokens = [],
        };
        if (layout.RotationApplied % 360 != 0)
            page.Transforms = [RotationTransform(layout)];
        if (layout.LanguageCode is { } lang)
            page.DetectedLanguages = [new DetectedLanguage { LanguageCode = lang, Confidence = layout.Confidence }];

        var pageStart = text.Length;
        foreach (var block in layout.Blocks)
        {
            var blockStart = text.Length;
            foreach (var paragraph in block.Paragraphs)
            {
                var paragraphStart = text.Length;
                foreach (var line in paragraph.Lines)
                {
                    var lineStart = text.Length;
                    for (var i = 0; i < line.Words.Count; i++)
                    {
                        var word = line.Words[i];
                        if (i > 0) text.Append(' ');
                        var start = text.Length;
                        text.Append(word.Text);
                        page.Tokens.Add(new Token
                        {
                            Layout = MakeLayout(start, text.Length, word.Confidence, word.Box, layout),
                            DetectedBreak = i < line.Words.Count - 1 ? new DetectedBreak { Type = BreakType.Space } : null,
                        });
                    }
                    text.Append('\n');
                    page.Lines.Add(new Line { Layout = MakeLayout(lineStart, text.Length, line.Confidence, line.Box, layout) });
                }
                page.Paragraphs.Add(new Paragraph { Layout = MakeLayout(paragraphStart, text.Length, paragraph.Confidence, paragraph.Box, layout) });
            }
            page.Blocks.Add(new Block { Layout = MakeLayout(blockStart, text.Length, block.Confidence, block.Box, layout) });
        }
        var pageBox = new Box(0, 0, layout.Width, layout.Height);
        page.Layout = MakeLayout(pageStart, text.Length, layout.Confidence, pageBox, layout);
        return page;
    }

    /// <summary>
    /// The rotation that made the page upright, as Document AI writes <see cref="Page.Transforms"/>: an OpenCV matrix
    /// (2 x 3, type 6 = CV_64F, row-major little-endian doubles, base64) taking a pixel of the original image to the
    /// upright image the page's coordinates are in.
    /// </summary>
    private static Transform RotationTransform(PageLayout layout)
    {
        // The upright page is layout.Width x layout.Height; the original had them swapped for 90 and 270.
        double w = layout.Width, h = layout.Height;
        double[] m = (((layout.RotationApplied % 360) + 360) % 360) switch
        {
            90 => [0, -1, w, 1, 0, 0],    // clockwise: (x, y) -> (H_orig - y, x), H_orig = w
            180 => [-1, 0, w, 0, -1, h],
            270 => [0, 1, 0, -1, 0, h],   // (x, y) -> (y, W_orig - x), W_orig = h
            _ => [1, 0, 0, 0, 1, 0],
        };
        var bytes = new byte[m.Length * sizeof(double)];
        for (var i = 0; i < m.Length; i++)
            System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), m[i]);
        return new Transform { Rows = 2, Cols = 3, Type = 6, Data = Convert.ToBase64String(bytes) };
    }

    private static Layout MakeLayout(int start, int end, float confidence, Box box, PageLayout page) => new()
    {
        TextAnchor = end > start ? new TextAnchor { TextSegments = [new TextSegment { StartIndex = start, EndIndex = end }] } : null,
        Confidence = confidence,
        BoundingPoly = MakePoly(box, page.Width, page.Height),
        Orientation = Orientation.PageUp,
    };

    /// <summary>The four corners of a box, clockwise from top-left, in page units and normalised to 0..1.</summary>
    public static BoundingPoly MakePoly(Box box, float pageWidth, float pageHeight)
    {
        static float Norm(float v, float size) => size > 0 ? Math.Clamp(v / size, 0f, 1f) : 0f;
        (float X, float Y)[] corners = [(box.Left, box.Top), (box.Right, box.Top), (box.Right, box.Bottom), (box.Left, box.Bottom)];
        return new BoundingPoly
        {
            Vertices = [.. corners.Select(c => new Vertex { X = (int)MathF.Round(c.X), Y = (int)MathF.Round(c.Y) })],
            NormalizedVertices = [.. corners.Select(c => new NormalizedVertex { X = Norm(c.X, pageWidth), Y = Norm(c.Y, pageHeight) })],
        };
    }

    /// <summary>The text an anchor points at, in document order.</summary>
    public static string TextOf(Document document, TextAnchor? anchor)
    {
        if (anchor?.TextSegments is null || document.Text is null) return string.Empty;
        var sb = new StringBuilder();
        foreach (var s in anchor.TextSegments)
            sb.Append(document.Text, (int)s.StartIndex, (int)(s.EndIndex - s.StartIndex));
        return sb.ToString();
    }
}
