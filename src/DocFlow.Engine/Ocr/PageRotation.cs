using DocFlow.Documents;

namespace DocFlow.Engine.Ocr;

/// <summary>Reasoning about a recognised page's orientation from its word boxes, and turning layouts upright.</summary>
internal static class PageRotation
{
    /// <summary>
    /// Clockwise quarter turns that make the page upright when Tesseract read it sideways (it reads vertical text lines
    /// of a page turned by 90° on its own), judged from the words' shapes and the direction they follow each other; else 0.
    /// </summary>
    public static int SidewaysQuarterTurns(PageLayout page)
    {
        int tall = 0, wide = 0, down = 0, up = 0;
        foreach (var line in page.Blocks.SelectMany(b => b.Paragraphs).SelectMany(p => p.Lines))
        {
            WordLayout? previous = null;
            foreach (var word in line.Words)
            {
                if (word.Text.Length >= 3)
                {
                    if (word.Box.Height > word.Box.Width * 1.2f) tall++;
                    else if (word.Box.Width > word.Box.Height * 1.2f) wide++;
                }
                if (previous is not null)
                {
                    if (word.Box.Top > previous.Box.Top) down++;
                    else if (word.Box.Top < previous.Box.Top) up++;
                }
                previous = word;
            }
        }
        if (tall < 3 || tall <= 2 * wide)
            return 0;
        // Reading downwards: the page was turned 90° clockwise, three more quarter turns make it upright.
        return down >= up ? 3 : 1;
    }

    /// <summary>The layout as it would be read from the image turned <paramref name="quarterTurns"/> clockwise.</summary>
    public static PageLayout Turn(PageLayout page, int quarterTurns)
    {
        var q = ((quarterTurns % 4) + 4) % 4;
        if (q == 0)
            return page;
        float w = page.Width, h = page.Height;
        Box Map(Box b) => q switch
        {
            1 => new Box(h - b.Bottom, b.Left, h - b.Top, b.Right),
            2 => new Box(w - b.Right, h - b.Bottom, w - b.Left, h - b.Top),
            _ => new Box(b.Top, w - b.Right, b.Bottom, w - b.Left),
        };

        var blocks = page.Blocks.Select(b =>
        {
            var paragraphs = b.Paragraphs.Select(p =>
            {
                var lines = p.Lines.Select(l => l with { Words = l.Words.Select(x => x with { Box = Map(x.Box) }).ToList(), Box = Map(l.Box) }).ToList();
                return p with { Lines = lines, Box = Map(p.Box) };
            }).ToList();
            return b with { Paragraphs = paragraphs, Box = Map(b.Box) };
        }).ToList();

        var rulings = page.Rulings.Select(r =>
        {
            var a = Map(new Box(r.X1, r.Y1, r.X1, r.Y1));
            var b = Map(new Box(r.X2, r.Y2, r.X2, r.Y2));
            // Keep each ruling running left to right or top to bottom.
            return a.Left < b.Left || (a.Left == b.Left && a.Top <= b.Top)
                ? new Ruling(a.Left, a.Top, b.Left, b.Top)
                : new Ruling(b.Left, b.Top, a.Left, a.Top);
        }).ToList();

        var (width, height) = q == 2 ? (w, h) : (h, w);
        return page with
        {
            Width = width,
            Height = height,
            Blocks = blocks,
            Rulings = rulings,
            RotationApplied = (page.RotationApplied + q * 90) % 360,
        };
    }
}
